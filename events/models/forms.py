"""The participation forms of an edition, built with Wagtail's form builder so the press
office edits their fields, introduction and thank-you text: the registration and the
project questionnaire. They share the rules a crowd on opening day needs: an opening
window, consent, no bots, a 303 after a POST, and mail that never loses a submission."""

import datetime
import json
import logging

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, Panel
from wagtail.api import APIField
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.forms.utils import get_field_clean_name
from wagtail.fields import RichTextField

from events.api import LocalDateTimeField
from events.forms import (
    FIELD_TYPES,
    ProtectedForm,
    WorkshopFormBuilder,
    normalise_email,
    started_token,
)
from events.mail import CONFIRMATION, PRESS_COPY, queue_mail
from events.ratelimit import too_many_posts
from home.permissions import ModeratedDeletionMixin

from .mixins import EditionChildMixin

logger = logging.getLogger(__name__)

THANKS_PARAMETER = "thanks"
STATUS_SESSION_KEY = "form_status"
RESENT_WITH_OTHER_ANSWERS = _(
    "This form was already sent, with other answers. Check your answers and send it "
    "again to send them as a new form."
)


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


class FormRejected(Exception):
    """A valid form that the page's rules turn down, with the message for one field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadySent(Exception):
    """The same rendered form (its token) was stored before: a retry, with the earlier
    submission."""

    def __init__(self, submission):
        super().__init__(submission.pk)
        self.submission = submission


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
        InlinePanel("form_fields", heading=_("Form fields"), label=_("Field")),
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
        from .edition import EditionPage

        edition = self.edition
        if edition is None:
            return None
        later = (
            EditionPage.objects.sibling_of(edition)
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

    def get_submissions_list_view_class(self):
        from events.views import WorkshopSubmissionsListView  # admin views load after models

        return WorkshopSubmissionsListView

    def get_data_fields(self):
        # The status next to the date, where the staff see it without scrolling.
        submitted, *answers = super().get_data_fields()
        return [
            submitted,
            ("status", _("Status")),
            *answers,
            ("consented_at", _("Consent given at")),
        ]

    def get_form_class(self):
        return type(f"{type(self).__name__}Form", (ProtectedForm, super().get_form_class()), {})

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        form.fields["consent"].label = self.consent_label
        return form

    def email_field_name(self):
        """The first e-mail field the press office added: the person's address."""
        for field in self.get_form_fields():
            if field.field_type == "email":
                return field.clean_name
        return None

    def submission_values(self, form):
        """The columns of a new submission for a valid form. The address is in its plain
        spelling, which the one-registration-per-e-mail rule compares."""
        email_field = self.email_field_name()
        email = form.cleaned_data.get(email_field) if email_field else ""
        return {
            "page": self,
            "form_data": form.submitted_data(),
            "email": normalise_email(email) if email else "",
            "consent_text": str(form.fields["consent"].label),
            "consented_at": timezone.now(),
            "form_token": form.form_token(),
        }

    def process_form_submission(self, form):
        """Store the submission; raise FormRejected when the page's rules refuse it, and
        AlreadySent when this very form was stored before."""
        return self.store_submission(self.submission_values(form))

    def earlier_submission(self, values):
        """The submission stored from the same rendered form, if any."""
        if not values["form_token"]:
            return None
        return self.get_submissions().filter(form_token=values["form_token"]).first()

    def store_submission(self, values, **extra):
        """Create the submission once per rendered form: a retry raises AlreadySent,
        before storing or, when a simultaneous retry stored it first, at the database's
        constraint (leaving no file of its own behind)."""
        if earlier := self.earlier_submission(values):
            raise AlreadySent(earlier)
        submission = self.get_submission_class()(**values, **extra)
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            submission.discard_files()
            if earlier := self.earlier_submission(values):
                raise AlreadySent(earlier) from None
            raise
        return submission

    def answers(self, submission):
        """(label, value) of everything the submission holds, for people to read."""
        data = submission.get_data()
        rows = []
        for name, label in self.get_data_fields():
            value = data.get(name)
            rows.append((label, ", ".join(value) if isinstance(value, list) else value))
        return rows

    def queue_mails(self, request, submission):
        """The press office's copy and the person's confirmation of a submission just
        stored: call it in the submission's transaction, so that both are kept or
        neither is."""
        if self.to_address:
            self.notify_press_office(request, submission)
        self.send_confirmation(request, submission)

    def notify_press_office(self, request, submission):
        """The press office's copy: every answer and a link to the submissions."""
        addresses = [address.strip() for address in self.to_address.split(",")]
        addresses = [address for address in addresses if address]
        if not addresses:
            return
        context = {
            "answers": self.answers(submission),
            "submissions_url": request.build_absolute_uri(
                reverse("wagtailforms:list_submissions", args=[self.pk])
            ),
        }
        self.deliver(
            PRESS_COPY,
            submission,
            subject=self.subject,
            body=render_to_string("emails/submission_notification.txt", context),
            to=addresses,
        )

    def send_confirmation(self, request, submission):
        """The person's own confirmation, in Ukrainian, with the edition's dates, venue
        and calendar feed."""
        if not submission.email or not self.confirmation_templates:
            return
        edition = self.edition
        context = {
            "page": self,
            "edition": edition,
            "submission": submission,
            "venue": edition.venues.first(),
            "edition_url": request.build_absolute_uri(edition.get_url(request)),
            "calendar_url": request.build_absolute_uri(edition.feed_url("calendar", request)),
        }
        subject, body = self.confirmation_templates
        self.deliver(
            CONFIRMATION,
            submission,
            # One line, as a header must be (the templates render without escaping).
            subject=" ".join(render_to_string(subject, context).split()),
            body=render_to_string(body, context),
            to=[submission.email],
        )

    def deliver(self, kind, submission, **mail):
        # Queued, never sent while the visitor waits (events/mail.py): a mail server
        # that is slow or down holds no web worker and loses no submission or mail.
        queue_mail(kind, submission, from_email=self.from_address, **mail)

    @method_decorator(never_cache)  # it opens and closes on the minute: never stale
    def serve(self, request, *args, **kwargs):
        context = self.get_context(request)
        state = self.window_state()
        context["window_state"] = state
        if request.method == "GET" and THANKS_PARAMETER in request.GET:
            context["status"] = request.session.pop(STATUS_SESSION_KEY, None)
            return TemplateResponse(request, self.get_landing_page_template(request), context)
        if state == "closed":
            # A closed form stores nothing (a POST is answered with this page too) and
            # points to the newer edition's form, when there is one.
            context["newer_form"] = self.newer_form()
        if request.method == "POST" and state == "open":
            if too_many_posts(request, scope=f"form-{self.pk}"):
                return TemplateResponse(
                    request, "pages/too_many_requests.html", context, status=429
                )
            form = self.get_form(request.POST, request.FILES, page=self, user=request.user)
            if form.is_valid():
                if form.looks_automated():
                    # What looks like success to a bot, and nothing stored.
                    return self.redirect_to_thanks()
                try:
                    # The submission and its queued mails: one transaction.
                    with transaction.atomic():
                        submission = self.process_form_submission(form)
                        self.queue_mails(request, submission)
                except FormRejected as rejection:
                    form.add_error(rejection.field, rejection.message)
                except AlreadySent as retry:
                    # Sent again (after an error page, a lost connection): answered as
                    # the first time, nothing stored or mailed twice. With other
                    # answers it is a new submission: shown again to be sent as one.
                    if not retry.submission.has_answers(self.submission_values(form)):
                        form.add_error(None, RESENT_WITH_OTHER_ANSWERS)
                        form.show_again_with_a_new_token()
                    else:
                        request.session[STATUS_SESSION_KEY] = retry.submission.status
                        return self.redirect_to_thanks()
                else:
                    request.session[STATUS_SESSION_KEY] = submission.status
                    return self.redirect_to_thanks()
        else:
            form = self.get_form(page=self, user=request.user, initial={"started": started_token()})
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context)

    def redirect_to_thanks(self):
        # 303: the browser shows the thank-you page with a GET, so a refresh never
        # sends the form again.
        return HttpResponseRedirect(f"{self.url}?{THANKS_PARAMETER}", status=303)


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

    def process_form_submission(self, form):
        values = self.submission_values(form)
        already = FormRejected(
            self.email_field_name(), _("This e-mail is already registered for this edition.")
        )
        try:
            with transaction.atomic():
                # Lock the form page so that simultaneous registrations are counted
                # one after another against the capacity.
                type(self).objects.select_for_update().filter(pk=self.pk).first()
                # A retry of a stored registration is not a second one with its address.
                if earlier := self.earlier_submission(values):
                    raise AlreadySent(earlier)
                submissions = self.get_submissions()
                if values["email"] and submissions.filter(email=values["email"]).exists():
                    raise already
                full = self.capacity is not None and (
                    submissions.filter(status=RegistrationSubmission.Status.REGISTERED).count()
                    >= self.capacity
                )
                return self.store_submission(
                    values,
                    status=(
                        RegistrationSubmission.Status.WAITING
                        if full
                        else RegistrationSubmission.Status.REGISTERED
                    ),
                )
        except IntegrityError as error:
            raise already from error
