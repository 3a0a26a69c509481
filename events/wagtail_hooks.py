from django.db.models import Count
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Site

from events.models import DayPage, EditionPage, QuestionnairePage, RegistrationFormPage
from events.views import (
    ModeratedDeleteSubmissionsView,
    ReviewView,
    RolloverView,
    download_attachment,
)
from home.models import HomePage


@hooks.register("register_admin_urls")
def register_event_urls():
    # Inside the admin: anonymous visitors are sent to the login page.
    return [
        # Before Wagtail's own (the events app comes first in INSTALLED_APPS): only
        # moderators delete submissions.
        path(
            "forms/submissions/<int:page_id>/delete/",
            ModeratedDeleteSubmissionsView.as_view(),
            name="moderated_delete_submissions",
        ),
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


FORM_PAGE_TYPES = (RegistrationFormPage, QuestionnairePage)


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


class CurrentEditionPanel(Component):
    """The dashboard's first panel: the current edition, its days, its forms with what
    came in, and the usual tasks one click away."""

    name = "current_edition"
    order = 50
    template_name = "events/admin/current_edition_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        edition = current_edition_for_admin(self.request)
        if edition is None:
            return context
        forms = []
        for form in edition.get_children().type(*FORM_PAGE_TYPES).specific():
            statuses = form.get_submission_class().Status
            counts = dict(
                form.get_submissions().values_list("status").annotate(Count("pk")).order_by()
            )
            forms.append(
                (form, [(label, counts.get(value, 0)) for value, label in statuses.choices])
            )
        programme = edition.programme_page
        context.update(
            edition=edition,
            days=(
                DayPage.objects.child_of(programme)
                .annotate(session_count=Count("sessions"))
                .order_by("date")
                if programme
                else []
            ),
            programme=programme,
            forms=forms,
            can_roll_over=edition.get_parent()
            .permissions_for_user(self.request.user)
            .can_add_subpage(),
        )
        return context


def current_edition_for_admin(request):
    """The edition the site leads with, or else the latest one, live or not."""
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        return None
    return home.current_edition() or (
        EditionPage.objects.child_of(home).order_by("-start_date").first()
    )


@hooks.register("construct_homepage_panels")
def add_current_edition_panel(request, panels):
    if user_has_any_page_permission(request.user):
        panels.append(CurrentEditionPanel(request))
