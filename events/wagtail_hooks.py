from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from events.models import EditionPage
from events.views import ReviewView, RolloverView, download_attachment


@hooks.register("register_admin_urls")
def register_event_urls():
    # Inside the admin: anonymous visitors are sent to the login page.
    return [
        path("editions/<int:pk>/rollover/", RolloverView.as_view(), name="edition_rollover"),
        path(
            "forms/questionnaires/<int:pk>/review/",
            ReviewView.as_view(),
            name="questionnaire_review",
        ),
        path(
            "forms/questionnaires/<int:pk>/attachment/",
            download_attachment,
            name="questionnaire_attachment",
        ),
    ]


class RolloverMenuItem(PageMenuItem):
    label = _("Create the next edition")
    icon_name = "copy"
    url_name = "edition_rollover"

    def is_shown(self, user):
        return (
            self.page.specific_class is EditionPage
            and self.page.get_parent().permissions_for_user(user).can_add_subpage()
        )


@hooks.register("register_page_header_buttons")
def rollover_header_button(page, user, view_name, next_url=None):
    yield RolloverMenuItem(page=page, priority=35)


@hooks.register("register_page_listing_more_buttons")
def rollover_listing_button(page, user, next_url=None):
    yield RolloverMenuItem(page=page, priority=25)
