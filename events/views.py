"""Admin views of the participation forms' submissions: Wagtail's listing and
CSV/XLSX export with a status filter, search and formulas neutralised; the review of
a project questionnaire; and the staff-only download of its attachment."""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import UpdateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import SubmissionsListFilterSet, SubmissionsListView

from events.models import ProjectSubmission

# A spreadsheet runs a cell that starts like a formula: such answers are exported as
# text, behind an apostrophe (OWASP's advice against CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
        value = super().preprocess_field_value(field, value, export_format)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return f"'{value}"
        return value

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
        reviewed = self.form_page.get_submission_class() is ProjectSubmission
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


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ProjectSubmission
        fields = ["status"]
        widgets = {"status": forms.RadioSelect}


class ReviewView(WagtailAdminTemplateMixin, UpdateView):
    """A project questionnaire as the staff read it, with its review status to set."""

    model = ProjectSubmission
    form_class = ReviewForm
    template_name = "events/admin/review_submission.html"
    page_title = gettext_lazy("Review the project")
    header_icon = "form"

    def get_object(self, queryset=None):
        submission = get_object_or_404(
            ProjectSubmission.objects.select_related("page"), pk=self.kwargs["pk"]
        )
        if not can_see_submissions(self.request.user, submission):
            raise PermissionDenied
        return submission

    @cached_property
    def form_page(self):
        return self.object.page.specific

    def get_page_subtitle(self):
        return self.form_page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailforms:index"), "label": gettext("Forms")},
            {"url": self.get_success_url(), "label": self.get_page_subtitle()},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answers"] = self.form_page.answers(self.object)
        context["submission"] = self.object
        if self.object.attachment:
            context["attachment_url"] = attachment_url(self.object)
        context["action_url"] = self.request.path
        context["submit_button_label"] = gettext("Save")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            gettext("The project is now «%(status)s».")
            % {"status": self.object.get_status_display()},
        )
        return response

    def get_success_url(self):
        return reverse("wagtailforms:list_submissions", args=[self.object.page_id])


def download_attachment(request, pk):
    """The attachment of a project questionnaire, to the staff who may see the form's
    submissions; to everybody else it does not exist."""
    submission = get_object_or_404(ProjectSubmission, pk=pk)
    if not submission.attachment or not can_see_submissions(request.user, submission):
        raise Http404
    try:
        file = submission.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        file,
        as_attachment=True,
        filename=submission.attachment_name or submission.attachment.name.rsplit("/", 1)[-1],
        content_type=submission.attachment_type,
    )
