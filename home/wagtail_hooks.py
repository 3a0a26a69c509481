"""Site-wide admin pieces: the moderators' unlock of locked-out logins (under Settings),
the delete view of the page types that may hold form submissions, and the urgent
notice's dashboard panel and page, and the editor guide in the help menu."""

from django.urls import path, re_path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import get_page_models

from home.admin_views import UNLOCK_PERMISSION, LoginLockoutsView, ModeratedDeletePageView
from home.guide import IMAGE_NAME, EditorGuideView, guide_image
from home.notice import can_post_notice
from home.notice_admin import NoticePanel, NoticeView
from home.permissions import ModeratedDeletionMixin


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [path("login-lockouts/", LoginLockoutsView.as_view(), name="login_lockouts")]


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(UNLOCK_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return LockoutsMenuItem(
        _("Locked sign-ins"), reverse("login_lockouts"), icon_name="lock", order=900
    )


class ModeratedDeletionPageViewSet(PageViewSet):
    delete_view_class = ModeratedDeletePageView
    # Only the delete view changes: the explorer keeps its own listings.
    parent_models = ()


@hooks.register("register_admin_viewset")
def register_moderated_deletion_viewsets():
    return [
        ModeratedDeletionPageViewSet(model=model)
        for model in get_page_models()
        if issubclass(model, ModeratedDeletionMixin)
    ]


@hooks.register("register_admin_urls")
def register_notice_urls():
    return [path("urgent-notice/", NoticeView.as_view(), name="urgent_notice")]


@hooks.register("construct_homepage_panels")
def add_notice_panel(request, panels):
    if can_post_notice(request.user, request):
        panels.append(NoticePanel())


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [
        path("guide/", EditorGuideView.as_view(), name="editor_guide"),
        re_path(rf"^guide/img/(?P<name>{IMAGE_NAME})$", guide_image, name="editor_guide_image"),
    ]


@hooks.register("register_help_menu_item")
def register_guide_menu_item():
    return MenuItem(
        _("Editor guide"),
        reverse("editor_guide"),
        icon_name="help",
        order=1100,
        attrs={"target": "_blank"},  # beside the screen it explains, as Wagtail's did
    )


@hooks.register("construct_help_menu")
def drop_wagtails_web_guides(request, menu_items):
    """Wagtail's own items lead to its English guide on the web (the editor guide, what
    is new in this version): the project's guide replaces them."""
    menu_items[:] = [item for item in menu_items if "guide.wagtail.org" not in item.url]
