"""The urgent notice in the admin: the dashboard's panel (post in two clicks, withdraw
in one), the page behind it (the form again when something needs fixing, and the
history of every notice), for those `can_post_notice` lets."""

import logging

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from home.models import UrgentNotice
from home.notice import can_post_notice, post_notice, withdraw_notice

logger = logging.getLogger(__name__)

HISTORY_LENGTH = 200  # the latest notices listed; older ones stay in the database


class NoticeForm(forms.ModelForm):
    """What a notice says. The end is written in the site's time (Europe/Kyiv)."""

    link_url = forms.URLField(
        label=UrgentNotice._meta.get_field("link_url").verbose_name.capitalize(),
        required=False,
        assume_scheme="https",
        help_text=UrgentNotice._meta.get_field("link_url").help_text,
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"],
        help_text=gettext_lazy("Empty: until you withdraw it."),
    )

    class Meta:
        model = UrgentNotice
        fields = ["text", "level", "link_url", "link_text", "ends_at"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "level": forms.RadioSelect,
        }

    def clean_ends_at(self):
        ends_at = self.cleaned_data.get("ends_at")
        if ends_at is not None and ends_at <= timezone.now():
            raise forms.ValidationError(gettext("The end must be in the future."))
        return ends_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("link_text") and not cleaned.get("link_url"):
            self.add_error("link_url", gettext("Give the link's address, or clear its text."))
        return cleaned


class NoticePanel(Component):
    """The dashboard's panel: the notice shown now with «Зняти», and the form."""

    name = "urgent_notice"
    order = 5  # first: it is what matters most on an event day
    template_name = "home/admin/urgent_notice_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(
            notice=UrgentNotice.current(),
            form=NoticeForm(),
            csrf_token=parent_context.get("csrf_token"),
        )
        return context


class NoticeView(WagtailAdminTemplateMixin, TemplateView):
    """«Термінове повідомлення»: the form (with its errors after a post that needs
    fixing), the notice shown now and the history."""

    template_name = "home/admin/urgent_notice.html"
    page_title = gettext_lazy("Urgent notice")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not can_post_notice(request.user, request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, form=None, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "form": form or NoticeForm(),
            "notice": UrgentNotice.current(),
            "history": UrgentNotice.objects.select_related("posted_by", "withdrawn_by")[
                :HISTORY_LENGTH
            ],
        }

    def post(self, request):
        if "withdraw" in request.POST:
            if withdraw_notice(request.user):
                messages.success(request, gettext("The notice is withdrawn from the site."))
                logger.info("Urgent notice withdrawn by user %s", request.user.pk)
            return self.back(request)
        form = NoticeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        post_notice(request.user, **form.cleaned_data)
        logger.info("Urgent notice posted by user %s", request.user.pk)
        messages.success(request, gettext("The notice is on every page of the site."))
        return self.back(request)

    @staticmethod
    def back(request):
        """To the dashboard when the panel posted, else to this page."""
        from_dashboard = request.POST.get("next") == "dashboard"
        return redirect("wagtailadmin_home" if from_dashboard else "urgent_notice")
