"""Admin views: the rollover of an edition to the next year and its publication. The
forms' submissions are in events/submission_views.py and events/review_views.py."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from events.checklist import checklist_summary, edition_checklist
from events.models import EditionPage
from events.publishing import (
    DRAFT,
    IN_MODERATION,
    LIVE,
    PUBLISHED,
    SCHEDULED,
    SUBMITTED,
    may_publish_edition,
    plan_edition,
    publish_edition,
)
from events.rollover import (
    PARTS,
    Rollover,
    RolloverError,
    next_start_date,
)


class RolloverForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year of the new edition"), min_value=2000, max_value=9999
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=AdminDateInput,
        help_text=gettext_lazy(
            "Empty: the same weekday as this edition, in the new year. Every date of the "
            "edition moves by the same number of days."
        ),
    )
    parts = forms.MultipleChoiceField(
        label=gettext_lazy("Copy"),
        choices=list(PARTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["year"].initial = edition.start_date.year + 1
        self.fields["parts"].initial = list(PARTS)

    def clean(self):
        """What would stop the rollover (Rollover.refusals), next to the field to change."""
        cleaned_data = super().clean()
        year, start = cleaned_data.get("year"), cleaned_data.get("start_date")
        if not year or "parts" not in cleaned_data:
            return cleaned_data
        if start and start.year != year:
            self.add_error(
                "start_date", gettext("The start date must be in %(year)s.") % {"year": year}
            )
            return cleaned_data
        try:
            start = start or next_start_date(self.edition, year)
        except RolloverError as error:
            self.add_error("year", str(error))
            return cleaned_data
        rollover = Rollover(
            self.edition, start, without=frozenset(PARTS) - set(cleaned_data["parts"])
        )
        for name, message in rollover.refusals():
            if name == "start_date" and not cleaned_data.get(name):
                name = "year"  # the year set the start date
            self.add_error(name, message)
        return cleaned_data


COUNT_LABELS = {
    "tracks": gettext_lazy("themes"),
    "days": gettext_lazy("programme days"),
    "sessions": gettext_lazy("sessions"),
    "documents": gettext_lazy("documents"),
    "forms": gettext_lazy("forms"),
    "venues": gettext_lazy("venues"),
    "partners": gettext_lazy("partners"),
    "links": gettext_lazy("links"),
}


class EditionActionMixin(WagtailAdminTemplateMixin):
    """An admin action on one edition (/admin/editions/<pk>/…): for those whom `may`
    lets, titled with the edition and under it in the breadcrumbs."""

    def may(self, user):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        self.edition = get_object_or_404(EditionPage, pk=kwargs["pk"])
        if not self.may(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.edition.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.edition.pk]),
                "label": self.get_page_subtitle(),
            },
            {"url": "", "label": self.get_page_title()},
        ]


class RolloverView(EditionActionMixin, FormView):
    """«Create the next edition»: asks for the year or the start date and what to copy,
    creates the draft, says what it created and opens the new edition's editor."""

    form_class = RolloverForm
    template_name = "events/admin/rollover.html"
    page_title = gettext_lazy("Create the next edition")
    header_icon = "copy"

    def may(self, user):
        return self.edition.get_parent().permissions_for_user(user).can_add_subpage()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "edition": self.edition}

    def get_context_data(self, **kwargs):
        context = {
            **super().get_context_data(**kwargs),
            "action_url": self.request.path,
            "submit_button_label": gettext("Create the draft"),
            # The copy takes a few seconds at Lviv's scale: the button says it is busy.
            "submit_button_active_label": gettext("Creating the draft…"),
            "edition": self.edition,
        }
        # wagtailadmin/generic/form.html prints `media`: the date picker's script.
        context["media"] = context["form"].media
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        rollover = Rollover(
            self.edition,
            data["start_date"] or next_start_date(self.edition, data["year"]),
            without=frozenset(PARTS) - set(data["parts"]),
            user=self.request.user,
        )
        try:
            new = rollover.run()
        except RolloverError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        copied = "; ".join(
            f"{label}: {rollover.counts[name]}"
            for name, label in COUNT_LABELS.items()
            if name in rollover.counts
        )
        messages.success(
            self.request,
            gettext(
                "Created the draft edition «%(title)s» from %(start)s. Copied: %(copied)s. "
                "Nothing is published until you publish it."
            )
            % {
                "title": new.title,
                "start": date_format(new.start_date, "DATE_FORMAT"),
                "copied": copied,
            }
            # The list itself is at the top of the editor this redirects to.
            + " "
            + checklist_summary(edition_checklist(new)),
        )
        return redirect("wagtailadmin_pages:edit", new.pk)


# The groups of the «Publish the edition» page, in the order it lists them.
PUBLISH_GROUPS = (DRAFT, PUBLISHED, SUBMITTED, SCHEDULED, IN_MODERATION, LIVE)


class PublishEditionView(EditionActionMixin, TemplateView):
    """«Publish the edition»: what will happen to each page of the edition (GET), then
    it done (POST): published, sent to moderation, or left a draft and why, with a
    link to the editor of each page that stayed a draft."""

    template_name = "events/admin/publish_edition.html"
    page_title = gettext_lazy("Publish the edition")
    header_icon = "upload"

    def may(self, user):
        return may_publish_edition(self.edition, user)

    def get_context_data(self, report=None, **kwargs):
        report = report or plan_edition(self.edition, self.request.user)
        groups = []
        for status in PUBLISH_GROUPS:
            results = report.with_status(status)
            if results:
                label = results[0].label if report.done else results[0].planned_label
                groups.append({"status": status, "label": label, "results": results})
        return {
            **super().get_context_data(**kwargs),
            "edition": self.edition,
            "report": report,
            "groups": groups,
            "counts": report.counts(),
            "action_url": self.request.path,
            "to_do": bool(report.published or report.submitted or report.scheduled),
        }

    def post(self, request, *args, **kwargs):
        report = publish_edition(self.edition, request.user)
        counts = report.counts()
        messages.success(
            request,
            gettext(
                "«%(title)s»: published %(published)s, submitted for moderation "
                "%(submitted)s, scheduled %(scheduled)s, stayed drafts %(drafts)s."
            )
            % {
                "title": self.edition.get_admin_display_title(),
                "published": counts[PUBLISHED],
                "submitted": counts[SUBMITTED],
                "scheduled": counts[SCHEDULED],
                "drafts": counts[DRAFT],
            },
        )
        return self.render_to_response(self.get_context_data(report=report))
