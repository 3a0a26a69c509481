"""The participation forms of an edition, built with Wagtail's form builder so the press
office edits their fields, introduction and thank-you text: the registration and the
project questionnaire. They share the rules a crowd on opening day needs: an opening
window, consent, no bots, a 303 after a POST, and mail that never loses a submission:
events/form_pipeline.py holds them, in the order a request meets them; the pages hold
their fields, their window and what Wagtail's form builder asks of them."""

import datetime
import json

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, Panel
from wagtail.api import APIField
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.forms.utils import get_field_clean_name
from wagtail.fields import RichTextField

from events import form_pipeline
from events.api_fields import LocalDateTimeField
from events.forms import FIELD_TYPES, ProtectedForm, WorkshopFormBuilder
from home.panels import InlinePanel
from home.permissions import ModeratedDeletionMixin

from .mixins import EditionChildMixin


class ReadableNameFormField(AbstractFormField):
    """A form field whose machine name is a readable transliteration of its label
    («Телефон» → "telefon"), so exports and e-mails stay legible; a phone type too."""

    field_type = models.CharField(_("field type"), max_length=16, choices=FIELD_TYPES)
    field_type.required_on_save = True

    def get_field_clean_name(self):
        return get_field_clean_name(anyascii(self.label))

    class Meta(AbstractFormField.Meta):
        abstract = True


class WorkshopSubmission(AbstractFormSubmission):
    """What every participation form keeps besides the answers: the person's address,
    the consent, a review or place status (each form its own), and a folded copy of the
    answers that the admin searches in the same way on every database."""

    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    consent_text = models.TextField(_("consent given"), blank=True)
    consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # The random part of the rendered form's token (events.forms.started_token): the
    # same form sent again (a retry after an error page) is recognised and stored once.
    # Empty for submissions made before forms had one.
    form_token = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            # Once per rendered form, enforced by the database too, so that two retries
            # sent at the same moment cannot both be stored.
            models.UniqueConstraint(
                fields=["page", "form_token"],
                condition=~models.Q(form_token=""),
                name="%(class)s_one_submission_per_form_token",
            )
        ]

    def save(self, *args, **kwargs):
        if not self.search_text:
            self.search_text = fold_for_search(self.form_data)
        super().save(*args, **kwargs)

    def get_data(self):
        return {
            **super().get_data(),
            "status": self.get_status_display(),
            "consented_at": self.consented_at,
        }

    def has_answers(self, values):
        """Whether a form sent again carries the answers this submission holds."""
        answers = json.loads(json.dumps(values["form_data"], cls=DjangoJSONEncoder))
        return answers == self.form_data and values["email"] == self.email

    def discard_files(self):
        """Files saved for a submission that was not stored after all."""


def fold_for_search(answers):
    values = (", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in answers.values())
    return "\n".join(values).casefold()


class RegistrationFormField(ReadableNameFormField):
    page = ParentalKey(
        "events.RegistrationFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )


class RegistrationSubmission(WorkshopSubmission):
    """One registration: the answers, plus what the rules need to keep."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("waiting list")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )

    class Meta(WorkshopSubmission.Meta):
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            *WorkshopSubmission.Meta.constraints,
            # One registration per e-mail and edition (a form belongs to one edition),
            # enforced by the database too, so two simultaneous requests cannot both pass.
            models.UniqueConstraint(
                fields=["page", "email"],
                condition=~models.Q(email=""),
                name="one_registration_per_email",
            ),
        ]


class RegistrationCountsPanel(Panel):
    """How many people are registered and waiting, on the form's edit page."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/panels/registration_counts.html"

        def is_shown(self):
            return bool(self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["counts"] = self.instance.counts()
            context["capacity"] = self.instance.capacity
            return context


class ClosingPanel(Panel):
    """When the form stops accepting, as the site goes by it: the closing time set
    below or, when that is empty, the end of the edition's last day."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/panels/form_closing.html"

        def is_shown(self):
            return bool(self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            closes = page.closing_moment()
            context["closes"] = closes
            context["explicit"] = bool(page.closes_at)
            context["last_day"] = page.edition.end_date if page.edition else None
            context["state"] = page.window_state()
            return context


def form_page_panels(top=(), rules=()):
    """The edit screen of a participation form: its submissions, texts and fields, the
    rules (opening window, the page's own, privacy) and the press office's e-mail."""
    return [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        *top,
        FieldPanel("intro"),
        InlinePanel(
            "form_fields",
            heading=_("Form fields"),
            label=_("Field"),
            add_label=_("Add a field"),
        ),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                ClosingPanel(heading=_("Accepts until")),
                *rules,
                FieldPanel("privacy_page"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to the press office"),
        ),
    ]


class ParticipationFormPage(ModeratedDeletionMixin, EditionChildMixin, AbstractEmailForm):
    """A public form of an edition. Submissions are stored and listed in the admin; the
    person gets a confirmation and the press office a copy."""

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(
        _("thank-you text"), blank=True, help_text=_("Shown after the form is sent.")
    )
    opens_at = models.DateTimeField(
        _("form opens"), null=True, blank=True, help_text=_("Empty: open now.")
    )
    closes_at = models.DateTimeField(
        _("form closes"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: after the edition's last day. A later time keeps the form open after the event."
        ),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page that explains how personal data are processed."),
    )

    api_fields = [
        APIField("intro"),
        APIField("opens_at", serializer=LocalDateTimeField()),
        # The moment it stops accepting, whether set or the edition's end.
        APIField("closes_at", serializer=LocalDateTimeField(source="closing_moment")),
    ]

    form_builder = WorkshopFormBuilder
    parent_page_types = ["events.EditionPage"]
    subpage_types = []
    max_count_per_parent = 1

    # What each form says in its own words.
    consent_label = _("I agree to the processing of my personal data for this registration")
    confirmation_templates = None  # (subject, body) of the person's confirmation
    # Whether its status is a review that the staff set (events/review_views.py).
    reviewed = False
    # Wagtail's admin views cannot be imported while the models load: events/apps.py
    # gives the page types their listing (events/submission_views.py) once they can.
    submissions_list_view_class = None

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("It must close after it opens.")})
        closes = self.closing_moment()
        if self.opens_at and not self.closes_at and closes and closes <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("It opens after the edition's last day: set when it closes.")}
            )

    def edition_end(self):
        """The end of the edition's last day in the site's time zone (Europe/Kyiv):
        midnight after its end date; None for a form outside an edition."""
        # A page not yet in the tree (being created) has no edition to go by.
        edition = self.edition if self.path else None
        if edition is None:
            return None
        midnight = datetime.datetime.combine(
            edition.end_date + datetime.timedelta(days=1), datetime.time()
        )
        return timezone.make_aware(midnight, timezone.get_default_timezone())

    def closing_moment(self):
        """When the form stops accepting: its own closing time or, when that is empty,
        the end of the edition's last day. The window, the page, the admin and the API
        all go by this."""
        return self.closes_at or self.edition_end()

    def window_state(self, moment=None):
        """ "not yet", "closed" or "open"."""
        moment = moment or timezone.now()
        if self.opens_at and moment < self.opens_at:
            return "not yet"
        closes = self.closing_moment()
        if closes and moment >= closes:
            return "closed"
        return "open"

    def newer_form(self):
        """The same form of the nearest later edition that is live, when it is live and
        not closed: where a closed form sends its visitors."""
        edition = self.edition
        if edition is None:
            return None
        later = (
            type(edition)
            .objects.sibling_of(edition)
            .live()
            .public()
            .filter(start_date__gt=edition.start_date)
            .order_by("start_date")
        )
        for newer_edition in later:
            form = type(self).objects.child_of(newer_edition).live().public().first()
            if form and form.window_state() != "closed":
                return form
        return None

    def get_data_fields(self):
        # The status next to the date, where the staff see it without scrolling.
        submitted, *answers = super().get_data_fields()
        return [
            submitted,
            ("status", _("Status")),
            *answers,
            ("consented_at", _("Consent given at")),
        ]

    # What Wagtail's FormMixin asks of a form page, each step handed to
    # events/form_pipeline.py, which reads top to bottom. Wagtail's send_mail and
    # render_email are not used: they are given the form only, while the press office's
    # copy is a queued mail of the stored submission (its date, status and consent
    # time, and a link to the submissions); and render_email lists the form's own
    # fields (the consent, the trap field, the token) instead of the stored answers.

    @method_decorator(never_cache)  # it opens and closes on the minute: never stale
    def serve(self, request, *args, **kwargs):
        # Wagtail's serve goes straight to the form: the thank-you page, the window and
        # the rate limit come before it. It gives process_form_submission the form
        # only, and the mails need the request (their links): it is kept for that (a
        # page instance serves one request). A valid form that is to be shown again
        # comes back out of it as ShowAgain, since Wagtail's serve lands every valid form.
        if answer := form_pipeline.before_the_form(self, request):
            return answer
        self.serving_request = request
        try:
            return super().serve(request, *args, **kwargs)
        except form_pipeline.ShowAgain as again:
            return form_pipeline.form_page(self, request, again.form)

    def get_form_class(self):
        return type(f"{type(self).__name__}Form", (ProtectedForm, super().get_form_class()), {})

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **form_pipeline.form_kwargs(args, kwargs))
        form.fields["consent"].label = self.consent_label
        return form

    def process_form_submission(self, form):
        return form_pipeline.accept(self, self.serving_request, form)

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        return form_pipeline.redirect_to_thanks(self, request, form_submission)

    def serve_preview(self, request, mode_name):
        # Wagtail previews the landing page with render_landing_page, here the 303.
        if mode_name == "landing":
            return form_pipeline.thank_you_page(self, request, status=None)
        return super().serve_preview(request, mode_name)

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        # The preview's form has no started token: sent from the preview, it is taken
        # for a bot's and nothing is stored.
        context["form"] = self.get_form(page=self, user=request.user, initial={})
        return context

    # What the pipeline asks of a form page, for each form to say in its own way.

    def store(self, form):
        """Store the submission of a valid form under this form's rules; raise
        FormRejected when they refuse it, and AlreadySent when this very form was stored
        before."""
        return form_pipeline.store(self, form)

    def earlier_submission(self, values):
        return form_pipeline.earlier_submission(self, values)

    def send_confirmation(self, request, submission):
        form_pipeline.queue_confirmation(self, request, submission)


class RegistrationFormPage(ParticipationFormPage):
    """The form people fill in to take part in the edition, with an optional number of
    places and a waiting list beyond it, and one registration per e-mail."""

    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("When this many people have registered, the next go to a waiting list."),
    )

    template = "pages/registration_form_page.html"
    landing_page_template = "pages/registration_form_page_landing.html"
    confirmation_templates = (
        "emails/registration_subject.txt",
        "emails/registration_confirmation.txt",
    )

    content_panels = form_page_panels(
        top=[RegistrationCountsPanel(heading=_("Places"))], rules=[FieldPanel("capacity")]
    )

    class Meta:
        verbose_name = _("registration form")
        verbose_name_plural = _("registration forms")

    def counts(self):
        submissions = self.get_submissions()
        return {
            "registered": submissions.filter(
                status=RegistrationSubmission.Status.REGISTERED
            ).count(),
            "waiting": submissions.filter(status=RegistrationSubmission.Status.WAITING).count(),
        }

    def get_submission_class(self):
        return RegistrationSubmission

    def store(self, form):
        return form_pipeline.store_registration(self, form)
