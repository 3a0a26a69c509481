"""The admin's listing of a participation form's submissions (Wagtail's listing and
CSV/XLSX export, with a status filter, a search in the answers, the export's buttons in
sight, and files that open cleanly in Excel) and their deletion, for moderators only.

It imports no model of the events app: the form page gives the listing everything it
needs (its submission class, whether its status is a review), so that the page types
can name this listing without an import cycle. The project review and the attachment's
download, which work on the questionnaire's own model, are in events/review_views.py."""

import datetime

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter
from wagtail.admin.widgets.button import HeaderButton
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import (
    DeleteSubmissionsView,
    SubmissionsListFilterSet,
    SubmissionsListView,
)
from wagtail.models import Page

from home.site_url import absolute_url
from home.spreadsheets import (
    BYTE_ORDER_MARK,
    CSV_CONTENT_TYPE,
    XLSX_TIME_FORMAT,
    local_minute,
    neutralise,
    time_text,
)

# The moments of a submission, in the export headed with the time zone they are in.
LOCAL_TIME_HEADINGS = {
    "submit_time": _("Submission time (Kyiv)"),
    "consented_at": _("Consent given at (Kyiv)"),
}


def can_see_submissions(user, submission):
    return get_forms_for_user(user).filter(pk=submission.page_id).exists()


def can_delete_submissions(user, form_page):
    """Deleting submissions (personal data) is for those who may publish the form's
    page: the moderators. Editors read submissions and export them."""
    return form_page.permissions_for_user(user).can_publish()


def attachment_url(submission):
    return reverse("questionnaire_attachment", args=[quote(submission.pk)])


class WorkshopSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions listing and export, with a filter on the status, a search
    in the answers, links to review and to the attachment, and the export's buttons in
    the header rather than under «⋯».

    The export is written for Excel: the CSV in UTF-8 with a byte order mark, formulas
    neutralised (home/spreadsheets.py); the XLSX with every answer a text cell; in both,
    the moments in Kyiv time to the minute, under headings that say so."""

    is_searchable = True

    @cached_property
    def filterset_class(self):
        status = self.form_page.get_submission_class()._meta.get_field("status")
        return type(
            "StatusFilterSet",
            (SubmissionsListFilterSet,),
            {"status": ChoiceFilter(label=status.verbose_name, choices=status.choices)},
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(search_text__contains=self.search_query.casefold())

    @cached_property
    def header_buttons(self):
        # Wagtail puts its «Download XLSX» and «Download CSV» under «⋯»
        # (header_more_buttons, which drops them below), where the press office misses them.
        # HeaderButton, not Button: the header's own styles (a plain Button there has no
        # button class, and its icon fills the header).
        return [
            *super().header_buttons,
            HeaderButton(
                _("Download CSV"), url=self.csv_export_url, icon_name="download", priority=90
            ),
            HeaderButton(
                _("Download XLSX"), url=self.xlsx_export_url, icon_name="download", priority=100
            ),
        ]

    @cached_property
    def header_more_buttons(self):
        export_urls = {self.csv_export_url, self.xlsx_export_url}
        return [button for button in super().header_more_buttons if button.url not in export_urls]

    def get_heading(self, queryset, field):
        if field in LOCAL_TIME_HEADINGS:
            return force_str(LOCAL_TIME_HEADINGS[field])
        return super().get_heading(queryset, field)

    def preprocess_field_value(self, field, value, export_format):
        if isinstance(value, datetime.datetime):
            # Wagtail writes UTC (with microseconds in CSV); the admin shows Kyiv time.
            if export_format == self.FORMAT_CSV:
                return time_text(value)
            return local_minute(value)
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return neutralise(value)
        return value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        # A moment is a real date-and-time cell, shown to the minute: it sorts and
        # filters as a date, which a text «2017-06-12 20:57» would not (Excel has no time
        # zones: the value is Kyiv's wall-clock time, as the heading says). An answer is
        # a text cell ("s", formatted "@", so that it stays text when edited): no
        # spreadsheet evaluates it, so «=HYPERLINK(…)» is shown as typed and «+380…»
        # needs no apostrophe.
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format=XLSX_TIME_FORMAT):
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.number_format = "@"
            yield cell

    def stream_csv(self, queryset):
        yield BYTE_ORDER_MARK.encode("utf-8")
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = CSV_CONTENT_TYPE
        return response

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        if row.get("attachment"):
            # Where the staff download it: a link that asks them to log in.
            row["attachment"] = absolute_url(attachment_url(item), self.request)
        return row

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export:
            return context
        # templates/wagtailforms/list_submissions.html: the checkboxes and the delete
        # button, for those whom ModeratedDeleteSubmissionsView lets delete.
        context["can_delete"] = can_delete_submissions(self.request.user, self.form_page)
        names = [heading["name"] for heading in context["data_headings"]]
        reviewed = self.form_page.reviewed
        for row, submission in zip(context["data_rows"], context["submissions"], strict=True):
            cells = row["fields"]
            if reviewed:
                cells[names.index("status")] = format_html(
                    '<a href="{}">{}</a>',
                    reverse("questionnaire_review", args=[quote(submission.pk)]),
                    submission.get_status_display(),
                )
            if "attachment" in names and submission.attachment:
                cells[names.index("attachment")] = format_html(
                    '<a href="{}" download>{}</a>',
                    attachment_url(submission),
                    submission.attachment_name,
                )
        return context


class ModeratedDeleteSubmissionsView(DeleteSubmissionsView):
    """Wagtail's deletion of submissions, for moderators only (`can_delete_submissions`)."""

    def dispatch(self, request, *args, **kwargs):
        page = get_object_or_404(Page, id=kwargs["page_id"])
        if not can_delete_submissions(request.user, page):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
