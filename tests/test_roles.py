"""The press office's roles: «Редактори» edit and submit for moderation, «Модератори»
also publish, approve and manage the site settings."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Workflow

from home.models import SiteSettings


@pytest.fixture
def member(django_user_model):
    def make(group_name):
        user = django_user_model.objects.create_user(f"user-{group_name}", password="x")
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
        "delete form page": f"/admin/pages/{form.pk}/delete/",
    }


VIEWS = ["pages", "page editor", "images", "documents", "settings", "submissions", "export"]
VIEWS += ["delete", "delete form page"]
# Who may open what: True, or where they are sent instead.
MATRIX = {
    "anonymous": dict.fromkeys(VIEWS, "login"),
    "Редактори": {
        **dict.fromkeys(VIEWS, True),
        "settings": "denied",
        "delete": "denied",  # they read and export personal data, but cannot delete it
        "delete form page": "denied",  # nor the form page that holds them
    },
    "Модератори": dict.fromkeys(VIEWS, True),
    "no group": dict.fromkeys(VIEWS, "denied"),
}


@pytest.mark.parametrize("who", MATRIX)
def test_each_role_opens_the_admin_views_it_needs_and_no_other(
    client, django_user_model, member, edition, who
):
    from events.models import RegistrationSubmission

    form = edition.registration_page
    form.unpublish()  # editors may delete drafts: this one holds a submission
    submission = RegistrationSubmission.objects.create(
        page=form, form_data={"name": "Олена"}, email="o@example.org"
    )
    if who == "no group":
        from django.contrib.auth.models import Permission

        user = django_user_model.objects.create_user("nobody", password="x")
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
    # Nor the form page.
    client.post(admin_views(edition, submission)["delete form page"])
    assert Page.objects.filter(pk=form.pk).exists() is (who != "Модератори")


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


# Who may destroy what: a page that holds submissions (a form page with at least one,
# or any page above one) is deleted only by moderators and superusers, whichever way
# (the delete view, bulk delete, API v3); editors keep deleting drafts that hold none.


@pytest.fixture
def draft_form(edition):
    """The edition's registration form as a draft (editors may delete drafts), with a
    submission."""
    from events.models import RegistrationSubmission

    form = edition.registration_page
    form.unpublish()
    RegistrationSubmission.objects.create(
        page=form, form_data={"name": "Олена"}, email="olena@example.org"
    )
    return form


def test_an_editor_is_refused_the_deletion_of_a_form_page_with_submissions(
    client, member, draft_form
):
    client.force_login(member("Редактори"))
    delete_url = f"/admin/pages/{draft_form.pk}/delete/"
    assert delete_url not in client.get(f"/admin/pages/{draft_form.pk}/edit/").content.decode()
    for response in (client.get(delete_url), client.post(delete_url)):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/pages/{draft_form.get_parent().pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Видалити цю сторінку можуть лише модератори" in page
    assert Page.objects.filter(pk=draft_form.pk).exists()
    assert draft_form.get_submissions().count() == 1


def test_an_editor_still_deletes_a_form_draft_without_submissions(client, member, draft_form):
    draft_form.get_submissions().delete()
    client.force_login(member("Редактори"))
    delete_url = f"/admin/pages/{draft_form.pk}/delete/"
    assert delete_url in client.get(f"/admin/pages/{draft_form.pk}/edit/").content.decode()
    assert client.get(delete_url).status_code == 200
    client.post(delete_url)
    assert not Page.objects.filter(pk=draft_form.pk).exists()


def bulk_delete(client, *pages):
    url = "/admin/bulk/wagtailcore/page/delete/?" + "&".join(f"id={page.pk}" for page in pages)
    return client.get(url), client.post(url)


def test_an_editor_is_refused_the_bulk_deletion_of_a_form_page_with_submissions(
    client, member, draft_form
):
    client.force_login(member("Редактори"))
    confirmation, _ = bulk_delete(client, draft_form)
    assert "Вам не дозволено видаляти цю сторінку" in confirmation.content.decode()
    assert Page.objects.filter(pk=draft_form.pk).exists()
    assert draft_form.get_submissions().count() == 1


def test_an_editor_who_may_delete_trees_is_refused_the_edition_above_submissions(
    client, member, edition, draft_form
):
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    editor = member("Редактори")
    GroupPagePermission.objects.create(
        group=editor.groups.get(),
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(codename="bulk_delete_page"),
    )
    edition.get_descendants(inclusive=True).unpublish()
    client.force_login(editor)
    bulk_delete(client, edition)
    assert Page.objects.filter(pk=edition.pk).exists()
    assert draft_form.get_submissions().count() == 1
    # Without the submission, the same editor deletes the whole draft edition.
    draft_form.get_submissions().delete()
    bulk_delete(client, edition)
    assert not Page.objects.filter(pk=edition.pk).exists()


def test_a_moderator_deletes_a_form_page_with_submissions_in_bulk(client, member, draft_form):
    from events.models import RegistrationSubmission

    client.force_login(member("Модератори"))
    bulk_delete(client, draft_form)
    assert not Page.objects.filter(pk=draft_form.pk).exists()
    assert not RegistrationSubmission.objects.exists()


@pytest.mark.parametrize(("group", "status"), [("Редактори", 403), ("Модератори", 204)])
def test_api_v3_deletes_a_page_with_submissions_only_with_a_moderators_token(
    client, member, draft_form, group, status
):
    from wagtail.models import APIToken

    _token, key = APIToken.create_token(user=member(group), name="press office script")
    response = client.delete(
        f"/api/v3/pages/{draft_form.pk}/", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == status
    assert Page.objects.filter(pk=draft_form.pk).exists() is (status == 403)


def test_every_page_type_that_may_hold_a_form_guards_its_deletion():
    """A new page type above the forms must take the rule too (home/permissions.py)."""
    from wagtail.contrib.forms.models import FormMixin
    from wagtail.models import get_page_models

    from home.permissions import ModeratedDeletionMixin

    def may_hold_a_form(model, seen=()):
        return issubclass(model, FormMixin) or any(
            may_hold_a_form(child, (*seen, model))
            for child in model.allowed_subpage_models()
            if child not in seen and child is not model
        )

    models = [model for model in get_page_models() if model is not Page]
    unguarded = [
        model.__name__
        for model in models
        if may_hold_a_form(model) and not issubclass(model, ModeratedDeletionMixin)
    ]
    assert unguarded == []
    assert {"HomePage", "EditionPage", "RegistrationFormPage", "QuestionnairePage"} <= {
        model.__name__ for model in models if issubclass(model, ModeratedDeletionMixin)
    }


@pytest.mark.parametrize(("group", "offered"), [("Редактори", False), ("Модератори", True)])
def test_the_submissions_listing_offers_deletion_only_to_whom_it_allows(
    client, member, edition, group, offered
):
    """Not a checkbox and a «Видалити вибрані заявки» that answer «permission denied»."""
    from events.models import RegistrationSubmission

    form = edition.registration_page
    RegistrationSubmission.objects.create(
        page=form, form_data={"name": "Олена"}, email="o@example.org"
    )
    client.force_login(member(group))
    html = client.get(f"/admin/forms/submissions/{form.pk}/").content.decode()
    assert "Олена" in html
    assert ('name="selected-submissions"' in html) is offered
    assert ("Видалити вибрані заявки" in html) is offered
