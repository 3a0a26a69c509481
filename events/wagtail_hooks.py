from django.db.models import Count
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.models import Page

from events.checklist import edition_checklist, grouped
from events.edition_views import PublishEditionView, RolloverView
from events.mail import KINDS, failed_mails, failure_of
from events.models import DayPage, EditionPage, QuestionnairePage, RegistrationFormPage
from events.publishing import may_publish_edition
from events.review_views import ReviewView, download_attachment
from events.submission_views import ModeratedDeleteSubmissionsView
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
        path("editions/<int:pk>/publish/", PublishEditionView.as_view(), name="edition_publish"),
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


class PublishEditionMenuItem(PageMenuItem):
    """«Publish the edition»: the edition and every page under it that is ready."""

    label = _("Publish the edition")
    icon_name = "upload"
    url_name = "edition_publish"

    def is_shown(self, user):
        return self.page.specific_class is EditionPage and may_publish_edition(self.page, user)


# The edition's actions in its header «…» menu and its row's more-buttons.
EDITION_ACTIONS = ((RolloverMenuItem, 35), (PublishEditionMenuItem, 34))


@hooks.register("register_page_header_buttons")
def edition_header_buttons(page, user, view_name, next_url=None):
    for item, priority in EDITION_ACTIONS:
        yield item(page=page, priority=priority)


@hooks.register("register_page_listing_more_buttons")
def edition_listing_buttons(page, user, next_url=None):
    for item, priority in EDITION_ACTIONS:
        yield item(page=page, priority=priority - 10)


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
        home = HomePage.for_request(self.request)
        edition = home.current_edition(drafts=True) if home else None
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
            drafts=self.draft_editions(edition),
        )
        return context

    def draft_editions(self, edition):
        """The next editions being prepared (drafts after the current one): each with
        what its checklist still lists and whether this user may publish it."""
        drafts = EditionPage.objects.sibling_of(edition, inclusive=False).filter(
            live=False, start_date__gt=edition.start_date
        )
        user = self.request.user
        return [
            {
                "edition": draft,
                "to_check": len(edition_checklist(draft)),
                "can_publish": may_publish_edition(draft, user),
            }
            for draft in drafts.order_by("start_date")
            if draft.permissions_for_user(user).can_edit()
        ]


@hooks.register("construct_homepage_panels")
def add_current_edition_panel(request, panels):
    if user_has_any_page_permission(request.user):
        panels.append(CurrentEditionPanel(request))


class FailedMailsPanel(Component):
    """Mails of the forms that failed for good (events/mail.py), on the dashboard of
    those who may see the forms' submissions: how many, and the latest with what
    failed, so that the staff can reach the people another way."""

    name = "failed_mails"
    order = 40  # an alarm: above the current edition
    template_name = "events/admin/failed_mails_panel.html"
    shown = 20

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        forms = get_forms_for_user(self.request.user).values_list("pk", flat=True)
        mails = failed_mails(page_ids=forms)
        count = mails.count()
        if not count:  # nothing on the dashboard while every mail goes out
            return context
        latest = list(mails[: self.shown])
        titles = dict(
            Page.objects.filter(
                pk__in={mail.args_kwargs["kwargs"]["page_id"] for mail in latest}
            ).values_list("pk", "title")
        )
        rows = []
        for mail in latest:
            sent = mail.args_kwargs["kwargs"]
            reason, code = failure_of(mail)
            rows.append(
                {
                    "failed_at": mail.failed_at,
                    "kind": KINDS.get(sent["kind"], sent["kind"]),
                    "page_id": sent["page_id"],
                    "page_title": titles.get(sent["page_id"], ""),
                    "submission_id": sent["submission_id"],
                    "to": ", ".join(sent["to"]),
                    "subject": sent["subject"],
                    "reason": reason,
                    "code": code,
                    "attempts": sent.get("attempt", 1),
                }
            )
        context.update(count=count, mails=rows)
        return context


@hooks.register("construct_homepage_panels")
def add_failed_mails_panel(request, panels):
    panels.append(FailedMailsPanel(request))


@hooks.register("edition_checklist")
def checklist_by_page(edition):
    """The items of the edition's «Перевірте перед публікацією» panel
    (events.models.edition.ChecklistPanel), grouped by page."""
    return grouped(edition_checklist(edition))
