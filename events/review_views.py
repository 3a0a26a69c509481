"""The admin's review of a project questionnaire (its answers, and its review status
to set) and the staff-only download of its attachment, both for those who may see the
form's submissions. The submissions' listing is in events/submission_views.py."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import UpdateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from events.attachments import EXTENSIONS
from events.form_pipeline import answers
from events.models import ProjectSubmission
from events.submission_views import attachment_url, can_see_submissions


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
        context["answers"] = answers(self.form_page, self.object)
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
    submissions; to everybody else it does not exist. It is saved as «project-<id>»
    with the extension of the type found in its content, never under the sender's
    own name («photo.png.html», «cv.pdf.exe»), which the staff see as text only."""
    submission = get_object_or_404(ProjectSubmission, pk=pk)
    if not submission.attachment or not can_see_submissions(request.user, submission):
        raise Http404
    try:
        file = submission.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # The stored name has the detected type's extension too (attachment_path).
    extension = EXTENSIONS.get(submission.attachment_type) or PurePath(file.name).suffix
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"project-{submission.pk}{extension}",
        content_type=submission.attachment_type or "application/octet-stream",
    )
