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
