"""The press office's roles: «Редактори» edit and submit for moderation, «Модератори»
also publish, approve and manage the site settings."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Workflow

from home.models import SiteSettings


@pytest.fixture
def member(django_user_model):
    def make(group_name):
        user = django_user_model.objects.create_user(f"user-{group_name}", password="x")  # noqa: S106
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


def test_the_groups_and_the_workflow_have_ukrainian_names(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Редактори", "Модератори"}
    workflow = Workflow.objects.get(name="Затвердження модераторами")
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Модератори"]
    assert workflow.workflow_pages.filter(page=Page.get_first_root_node()).exists()


@pytest.mark.parametrize(("group", "can_publish"), [("Редактори", False), ("Модератори", True)])
def test_editors_edit_and_submit_moderators_also_publish(
    client, member, edition, group, can_publish
):
    user = member(group)
    permissions = edition.permissions_for_user(user)
    assert permissions.can_edit()
    assert permissions.can_publish() is can_publish
    client.force_login(user)
    assert client.get(f"/admin/pages/{edition.pk}/edit/").status_code == 200
    # Both read the registrations of the edition's forms.
    form = edition.registration_page
    assert client.get(f"/admin/forms/submissions/{form.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("group", "submits", "publishes"),
    [("Редактори", True, False), ("Модератори", True, True)],
)
def test_the_editor_offers_each_role_its_actions(
    client, member, edition, group, submits, publishes
):
    client.force_login(member(group))
    html = client.get(f"/admin/pages/{edition.pk}/edit/").content.decode()
    assert ('name="action-submit"' in html) is submits  # to «Затвердження модераторами»
    assert ('name="action-publish"' in html) is publishes


@pytest.mark.parametrize(("group", "allowed"), [("Редактори", False), ("Модератори", True)])
def test_only_moderators_change_the_site_settings(client, member, home_page, group, allowed):
    client.force_login(member(group))
    site = home_page.get_site()
    SiteSettings.for_site(site)
    response = client.get(f"/admin/settings/home/sitesettings/{site.pk}/")
    assert (response.status_code == 200) is allowed


def test_the_dashboard_leads_with_the_current_edition(admin_client, edition, client):
    from .helpers import registration

    form = edition.registration_page
    client.post(form.url, registration(name="Олена", email="olena@example.org"))
    html = admin_client.get("/admin/").content.decode()
    assert "Майстерня міста Житомир" in html
    assert f'href="/admin/pages/{edition.pk}/edit/"' in html
    assert "Додати день програми" in html
    assert f'href="/admin/editions/{edition.pk}/rollover/"' in html
    assert "12 червня: День 1" in html and "події: 2" in html
    assert f'href="/admin/forms/submissions/{form.pk}/"' in html
    assert "зареєстровано — 1, список очікування — 0" in html


def admin_views(edition, submission):
    form = edition.registration_page
    site = edition.get_site()
    return {
        "pages": f"/admin/pages/{edition.pk}/",
        "page editor": f"/admin/pages/{edition.pk}/edit/",
        "images": "/admin/images/",
        "documents": "/admin/documents/",
        "settings": f"/admin/settings/home/sitesettings/{site.pk}/",
        "submissions": f"/admin/forms/submissions/{form.pk}/",
        "export": f"/admin/forms/submissions/{form.pk}/?export=csv",
        "delete": (
            f"/admin/forms/submissions/{form.pk}/delete/?selected-submissions={submission.pk}"
        ),
    }


VIEWS = ["pages", "page editor", "images", "documents", "settings", "submissions", "export"]
VIEWS.append("delete")
# Who may open what: True, or where they are sent instead.
MATRIX = {
    "anonymous": dict.fromkeys(VIEWS, "login"),
    "Редактори": {
        **dict.fromkeys(VIEWS, True),
        "settings": "denied",
        "delete": "denied",  # they read and export personal data, but cannot delete it
    },
    "Модератори": dict.fromkeys(VIEWS, True),
    "no group": dict.fromkeys(VIEWS, "denied"),
}


@pytest.mark.parametrize("who", MATRIX)
def test_each_role_opens_the_admin_views_it_needs_and_no_other(
    client, django_user_model, member, edition, who
):
    from events.models import RegistrationSubmission

    submission = RegistrationSubmission.objects.create(
        page=edition.registration_page, form_data={"name": "Олена"}, email="o@example.org"
    )
    if who == "no group":
        from django.contrib.auth.models import Permission

        user = django_user_model.objects.create_user("nobody", password="x")  # noqa: S106
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
    elif who != "anonymous":
        client.force_login(member(who))
    answers = {}
    for view, url in admin_views(edition, submission).items():
        response = client.get(url)
        if response.status_code == 200:
            answers[view] = True
        elif response.status_code == 302 and response["Location"].startswith("/admin/login/"):
            answers[view] = "login"
        elif response.status_code in (302, 403, 404):
            answers[view] = "denied"
        else:
            answers[view] = response.status_code
    assert answers == MATRIX[who]
    # Nobody but a moderator actually deletes.
    client.post(admin_views(edition, submission)["delete"])
    assert RegistrationSubmission.objects.filter(pk=submission.pk).exists() is (who != "Модератори")


def test_an_announcement_scheduled_by_a_moderator_goes_live_on_time(edition):
    import datetime

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from events.factories import TrackPageFactory

    track = TrackPageFactory(parent=edition, title="Анонс: нічна велоекскурсія")
    track.unpublish()
    go_live = timezone.now() + datetime.timedelta(days=1)
    track.go_live_at = go_live  # «Розклад публікації» in the editor
    track.save_revision().publish()  # with a go-live date in the future, this schedules
    track.refresh_from_db()
    assert not track.live
    call_command("publish_scheduled", verbosity=0)
    track.refresh_from_db()
    assert not track.live
    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", verbosity=0)
    track.refresh_from_db()
    assert track.live


def test_an_editor_submits_and_a_moderator_approves_with_a_comment(member, edition):
    editor, moderator = member("Редактори"), member("Модератори")
    edition.lead = "Новий анонс від редакторки."
    revision = edition.save_revision(user=editor)
    workflow = edition.get_workflow()
    assert workflow.name == "Затвердження модераторами"
    workflow_state = workflow.start(edition, editor)
    task_state = workflow_state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(edition, editor) == []  # editors cannot approve
    assert [name for name, *_ in task.get_actions(edition, moderator)][:1] == ["reject"]
    task_state.approve(user=moderator, comment="Добре, публікуємо.")
    edition.refresh_from_db()
    assert edition.live_revision_id == revision.pk
    assert edition.lead == "Новий анонс від редакторки."
    assert task_state.comment == "Добре, публікуємо."
