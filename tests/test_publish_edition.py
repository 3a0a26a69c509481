"""«Опублікувати випуск»: the new edition and every page under it that is ready go live
in one action (or to moderation, for an editor who may not publish), and what stays a
draft says why."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    PageLogEntry,
    Revision,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from events.models import DayPage, EditionPage, ProgrammePage, RegistrationFormPage, TrackPage
from events.publishing import (
    DRAFT,
    IN_MODERATION,
    LIVE,
    PUBLISHED,
    SCHEDULED,
    SUBMITTED,
    plan_edition,
    publish_edition,
)
from events.rollover import Rollover, next_start_date

# Before the demo's 2017 edition: load_demo builds no upcoming edition of its own (it
# would start in 2017), and nothing of the 2018 copy has passed.
NOW = datetime.datetime(2017, 5, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


DEMO_LOADED_AT = NOW  # tests/conftest.py's module_demo


@pytest.fixture(scope="module")
def rolled_once(module_demo, django_db_blocker):
    """The demo's 2018 edition as the rollover leaves it, made once for the module
    (each test's changes to it are rolled back)."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        old = EditionPage.objects.get(slug="2017")
        assert not EditionPage.objects.filter(slug="2018").exists()
        return Rollover(old, next_start_date(old, 2018)).run().pk


@pytest.fixture
def demo(db, travel, rolled_once):
    return EditionPage.objects.get(slug="2017")


@pytest.fixture
def rolled(demo, rolled_once):
    """The 2018 copy: every page a draft."""
    return EditionPage.objects.get(pk=rolled_once)


def tree(edition):
    return Page.objects.descendant_of(edition, inclusive=True)


def snapshot(edition):
    """The old edition as the action must leave it: rows, revisions, log."""
    pages = {}
    for page in tree(edition).specific():
        revisions = Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk")
        pages[page.pk] = (
            json.dumps(page.serializable_data(), sort_keys=True, default=str),
            [r.pk for r in revisions],
            PageLogEntry.objects.filter(page=page).count(),
        )
    return pages


def test_publish_edition_puts_every_page_of_the_rolled_over_demo_live(rolled, demo):
    pages = tree(rolled).count()
    assert pages == 15
    before = snapshot(demo)

    report = publish_edition(rolled)

    assert [r.status for r in report.results] == [PUBLISHED] * pages
    assert not tree(rolled).not_live().exists()
    assert report.results[0].page.pk == rolled.pk  # parents first
    # Wagtail's own publish logged each of them.
    assert PageLogEntry.objects.filter(page__in=tree(rolled), action="wagtail.publish").count() == (
        pages
    )
    assert snapshot(demo) == before

    again = publish_edition(rolled)
    assert {r.status for r in again.results} == {LIVE}
    assert not again.drafts


def make_invalid(page, **fields):
    """A draft an editor saved without its validation (as «Save draft» may)."""
    draft = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save_revision(clean=False)


def test_a_draft_that_fails_validation_stays_a_draft_with_its_field_and_its_children(rolled):
    programme = ProgrammePage.objects.child_of(rolled).get()
    make_invalid(programme, title="")
    track = TrackPage.objects.child_of(rolled).first()
    make_invalid(track, colour="#zzzzzz")

    report = publish_edition(rolled)

    by_page = {r.page.pk: r for r in report.results}
    assert by_page[programme.pk].status == DRAFT
    assert "«назва»" in by_page[programme.pk].reason.lower()
    assert by_page[track.pk].status == DRAFT
    assert by_page[track.pk].reason == (
        "«колір»: Введіть колір у форматі # і шість шістнадцяткових цифр, наприклад #2e7d32."
    )
    for day in DayPage.objects.child_of(programme):
        assert by_page[day.pk].status == DRAFT
        parent = f"Батьківська сторінка «{programme.title}» не опублікована."
        assert by_page[day.pk].reason == parent
    assert {r.page.pk for r in report.drafts} == {programme.pk, track.pk} | set(
        DayPage.objects.child_of(programme).values_list("pk", flat=True)
    )
    assert EditionPage.objects.get(pk=rolled.pk).live
    assert not Page.objects.get(pk=programme.pk).live


def test_a_locked_page_and_a_scheduled_page_are_left_as_they_are(rolled, django_user_model):
    someone = django_user_model.objects.create_user("olena", password="x")
    form = RegistrationFormPage.objects.child_of(rolled).get()
    form.locked, form.locked_by = True, someone
    form.save(update_fields=["locked", "locked_by"])
    track = TrackPage.objects.child_of(rolled).first()
    draft = track.get_latest_revision_as_object()
    draft.go_live_at = NOW + datetime.timedelta(days=10)
    draft.save_revision()

    plan = plan_edition(rolled)
    report = publish_edition(rolled)

    assert [r.status for r in plan.results] == [r.status for r in report.results]
    by_page = {r.page.pk: r for r in report.results}
    assert by_page[form.pk].status == DRAFT
    assert by_page[form.pk].reason.startswith("Заблоковано: olena.")
    assert by_page[track.pk].status == SCHEDULED
    assert "11 травня 2017" in by_page[track.pk].reason
    track = Page.objects.get(pk=track.pk)
    assert not track.live and track.approved_schedule
    assert publish_edition(rolled).results[1].status == SCHEDULED  # left scheduled


@pytest.fixture
def moderation(rolled):
    """A workflow of our own on the edition: moderators approve."""
    moderators = Group.objects.get(name="Модератори")
    task = GroupApprovalTask.objects.create(name="Перевірка")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Погодження випуску")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=rolled)
    return workflow


def member(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, password="x")
    user.groups.add(Group.objects.get(name=group))
    return user


def test_an_editor_who_may_not_publish_submits_the_pages_for_moderation(
    rolled, moderation, django_user_model
):
    editor = member(django_user_model, "redaktor", "Редактори")

    report = publish_edition(rolled, user=editor)

    assert {r.status for r in report.results} == {SUBMITTED}
    assert report.results[0].reason.startswith("Надіслано на «Погодження випуску»")
    assert not tree(rolled).live().exists()
    states = WorkflowState.objects.filter(workflow=moderation, status="in_progress")
    assert states.count() == tree(rolled).count()

    again = publish_edition(rolled, user=editor)
    assert {r.status for r in again.results} == {IN_MODERATION}
    assert states.count() == tree(rolled).count()  # nothing started twice


# The admin action ------------------------------------------------------------------


def publish_url(edition):
    return f"/admin/editions/{edition.pk}/publish/"


@pytest.fixture
def moderator(django_user_model):
    return member(django_user_model, "moderator", "Модератори")


def test_a_moderator_publishes_the_rolled_over_demo_in_one_action(
    client, rolled, demo, moderator, django_assert_max_num_queries
):
    before = snapshot(demo)
    client.force_login(moderator)
    url = publish_url(rolled)
    assert f'href="{url}"' in client.get(f"/admin/pages/{rolled.pk}/edit/").content.decode()
    home = rolled.get_parent()
    assert f'href="{url}"' in client.get(f"/admin/pages/{home.pk}/").content.decode()

    with django_assert_max_num_queries(400):
        plan = client.get(url)
    assert plan.status_code == 200
    html = plan.content.decode()
    assert "Опублікувати випуск" in html
    assert "Буде опубліковано: 15" in html
    assert not tree(rolled).live().exists()  # a GET changes nothing

    # Wagtail saves every page's rows again on publication; each live day's sessions
    # then go into the search index and are compared with their live version (the
    # change log), a few queries per session more.
    with django_assert_max_num_queries(1900):
        done = client.post(url)
    assert done.status_code == 200
    html = done.content.decode()
    assert "опубліковано 15, надіслано на модерацію 0" in html
    assert "Опубліковано: 15" in html

    assert not tree(rolled).not_live().exists()
    client.logout()  # as a visitor
    for page in tree(rolled).specific():
        assert client.get(page.url).status_code == 200, page.url
    assert client.get("/current/")["Location"] == "/2018/"
    assert snapshot(demo) == before
    logs = PageLogEntry.objects.filter(page__in=tree(rolled), action="wagtail.publish")
    assert set(logs.values_list("user__username", flat=True)) == {"moderator"}


def test_wagtail_s_bulk_publish_leaves_14_of_the_15_pages_drafts_and_the_action_the_rest(
    client, rolled, moderator
):
    PublishBulkAction.execute_action([rolled], include_descendants=False, user=moderator)
    assert (tree(rolled).live().count(), tree(rolled).not_live().count()) == (1, 14)
    client.force_login(moderator)
    done = client.post(publish_url(rolled))
    assert done.context["counts"][PUBLISHED] == 14
    assert done.context["counts"][LIVE] == 1
    assert not tree(rolled).not_live().exists()


def test_the_action_names_the_field_of_a_draft_that_fails_validation(client, rolled, moderator):
    form = RegistrationFormPage.objects.child_of(rolled).get()
    make_invalid(form, title="")
    client.force_login(moderator)
    plan = client.get(publish_url(rolled)).content.decode()
    assert "Лишиться чернеткою: 1" in plan
    done = client.post(publish_url(rolled))
    html = done.content.decode()
    assert "Лишається чернеткою: 1" in html
    assert f'href="/admin/pages/{form.pk}/edit/"' in html
    assert "«назва»: Це поле не може бути порожнім." in html.replace("&#x27;", "'")
    assert not Page.objects.get(pk=form.pk).live
    assert tree(rolled).live().count() == 14


def test_an_editor_submits_the_edition_to_the_default_workflow(
    client, rolled, django_user_model, mailoutbox
):
    default = Workflow.objects.get(workflow_pages__page__depth=1)  # Wagtail's, on the root
    assert default.name == "Затвердження модераторами"
    editor = member(django_user_model, "redaktor", "Редактори")
    client.force_login(editor)
    url = publish_url(rolled)
    assert f'href="{url}"' in client.get(f"/admin/pages/{rolled.pk}/edit/").content.decode()
    plan = client.get(url).content.decode()
    assert "Буде надіслано на модерацію: 15" in plan

    html = client.post(url).content.decode()
    assert "Надіслано на модерацію: 15" in html
    assert "Надіслано на «Затвердження модераторами»" in html
    assert not tree(rolled).live().exists()
    states = WorkflowState.objects.filter(workflow=default, status="in_progress")
    assert states.count() == 15
    assert set(states.values_list("requested_by__username", flat=True)) == {"redaktor"}


def test_an_editor_without_permission_on_the_edition_neither_sees_nor_runs_the_action(
    client, rolled, demo, django_user_model
):
    outsider = django_user_model.objects.create_user("outsider", password="x")
    group = Group.objects.create(name="Лише 2017")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=demo, permission=Permission.objects.get(codename="change_page")
    )
    outsider.groups.add(group)
    client.force_login(outsider)
    url = publish_url(rolled)
    # The explorer opens at 2017, which they may submit, and offers only its action.
    explorer = client.get(f"/admin/pages/{rolled.get_parent().pk}/", follow=True)
    assert explorer.redirect_chain == [(f"/admin/pages/{demo.pk}/", 302)]
    listing = explorer.content.decode()
    assert f'href="{publish_url(demo)}"' in listing
    assert url not in listing
    before = snapshot(rolled)
    # Wagtail's refusal: the dashboard with its message, or a 403 to a script.
    assert (client.get(url).status_code, client.get(url)["Location"]) == (302, "/admin/")
    assert client.post(url).status_code == 302
    assert client.post(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    assert snapshot(rolled) == before


def test_a_workflow_that_would_publish_at_once_as_an_editor_leaves_the_pages_drafts(
    rolled, django_user_model
):
    """A workflow without tasks publishes on submission, as the submitter: for an
    editor Wagtail refuses that, and each page says so instead of the run failing."""
    empty = Workflow.objects.create(name="Без завдань")
    WorkflowPage.objects.create(workflow=empty, page=rolled)
    editor = member(django_user_model, "redaktor", "Редактори")

    report = publish_edition(rolled, user=editor)

    assert report.results[0].status == DRAFT
    assert report.results[0].reason == "Ви не маєте права публікувати цю сторінку."
    assert not tree(rolled).live().exists()
    assert not WorkflowState.objects.filter(workflow=empty).exists()  # rolled back
