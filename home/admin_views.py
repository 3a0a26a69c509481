"""Site-wide admin views: the moderators' list of locked-out logins, where they unlock
one, and Wagtail's page delete view saying why a page with submissions is refused."""

import logging

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Max, Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.delete import DeleteView
from wagtail.models import Page

from home.permissions import REFUSAL

logger = logging.getLogger(__name__)

UNLOCK_PERMISSION = "axes.delete_accessattempt"


def current_lockouts():
    """The accounts and the client addresses locked out now, the latest first: those
    whose failures within the cool-off period reached the limit, counted as axes counts
    them (AXES_LOCKOUT_PARAMETERS: by account, and by address)."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())

    def locked(field):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last_attempt")
        )
        return [{**row, "value": row[field]} for row in rows]

    return {"accounts": locked("username"), "addresses": locked("ip_address")}


class LoginLockoutsView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Settings → «Заблоковані входи»: who is locked out after too many wrong passwords,
    with a button to unlock each account or address before the period ends."""

    permission_required = UNLOCK_PERMISSION
    template_name = "home/admin/login_lockouts.html"
    page_title = gettext_lazy("Locked sign-ins")
    header_icon = "lock"

    def get_breadcrumbs_items(self):
        # The page's own name after «Головна», as on Wagtail's own listings (the header
        # shows the last item).
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **current_lockouts(),
            "cool_off_minutes": int(get_cool_off().total_seconds() // 60),
        }

    def post(self, request):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("login_lockouts")
        if username := form.cleaned_data["username"]:
            reset(username=username)
            messages.success(
                request,
                format_html(gettext("Signing in to «{name}» is unlocked."), name=as_is(username)),
            )
        elif address := form.cleaned_data["ip_address"]:
            reset(ip=address)
            messages.success(
                request,
                format_html(
                    gettext("Signing in from {address} is unlocked."), address=as_is(address)
                ),
            )
        else:
            return redirect("login_lockouts")
        # The moderator's id, never the account name or the address (personal data).
        logger.info("Login lockout reset by user %s", request.user.pk)
        return redirect("login_lockouts")


def as_is(value):
    """An account's name or an address in a sentence: not words of any language."""
    return format_html('<span translate="no">{}</span>', value)


class UnlockForm(forms.Form):
    """What an unlock button sends: an account name or a client address."""

    username = forms.CharField(required=False, max_length=255)
    ip_address = forms.GenericIPAddressField(required=False)


class ModeratedDeletePageView(DeleteView):
    """Wagtail's delete view, which tells an editor why a page holding submissions is
    refused (home/permissions.py) instead of a bare «no permission»."""

    def dispatch(self, request, page_id, *args, **kwargs):
        page = get_object_or_404(Page, id=page_id).specific
        if page.permissions_for_user(request.user).deletion_reserved_for_moderators():
            messages.error(request, REFUSAL)
            return redirect("wagtailadmin_explore", page.get_parent().id)
        return super().dispatch(request, page_id, *args, **kwargs)
