"""The admin's listing of a participation form's submissions (Wagtail's listing and
CSV/XLSX export, with a status filter, a search in the answers and formulas
neutralised) and their deletion, for moderators only.

It imports no model of the events app: the form page gives the listing everything it
needs (its submission class, whether its status is a review), so that the page types
can name this listing without an import cycle. The project review and the attachment's
download, which work on the questionnaire's own model, are in events/review_views.py."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django_filters import ChoiceFilter
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import (
    DeleteSubmissionsView,
    SubmissionsListFilterSet,
    SubmissionsListView,
)
from wagtail.models import Page

from home.spreadsheets import neutralise


def can_see_submissions(user, submission):
    return get_forms_for_user(user).filter(pk=submission.page_id).exists()


def attachment_url(submission):
    return reverse("questionnaire_attachment", args=[quote(submission.pk)])


class WorkshopSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions listing and export, with a filter on the status, a search
    in the answers, links to review and to the attachment, and formulas neutralised."""

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

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        if row.get("attachment"):
            # Where the staff download it: a link that asks them to log in.
            row["attachment"] = self.request.build_absolute_uri(attachment_url(item))
        return row

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export:
            return context
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
    """Deleting submissions (personal data) is for those who may publish the form's
    page: the moderators. Editors read submissions and export them, but cannot delete
    them."""

    def dispatch(self, request, *args, **kwargs):
        page = get_object_or_404(Page, id=kwargs["page_id"])
        if not page.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
