"""Next year's edition from this one: what is copied, shifted and remapped, what is
left alone, and who may do it."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Page, PageLogEntry, Revision

from documents.models import DocumentItem, DocumentsPage
from events.factories import EditionPartnerFactory
from events.models import (
    DayPage,
    EditionLink,
    EditionPage,
    ProgrammePage,
    ProjectSubmission,
    QuestionnairePage,
    RegistrationFormPage,
    RegistrationSubmission,
    Session,
    TrackPage,
)
from events.rollover import PARTS, Rollover, RolloverError, next_start_date
from home.demo import load_demo

KYIV = datetime.timezone(datetime.timedelta(hours=3))
PAGE_TYPES = [
    TrackPage,
    ProgrammePage,
    DayPage,
    DocumentsPage,
    RegistrationFormPage,
    QuestionnairePage,
]


@pytest.fixture
def demo(db):
    load_demo()
    edition = EditionPage.objects.get(slug="2017")
    registration = RegistrationFormPage.objects.child_of(edition).get()
    registration.opens_at = datetime.datetime(2017, 5, 15, 9, tzinfo=KYIV)
    registration.closes_at = datetime.datetime(2017, 6, 11, 18, tzinfo=KYIV)
    registration.save_revision().publish()
    RegistrationSubmission.objects.create(page=registration, form_data={}, email="o@x.org")
    questionnaire = QuestionnairePage.objects.child_of(edition).get()
    ProjectSubmission.objects.create(page=questionnaire, form_data={"nazva_proiektu": "X"})
    cycling = TrackPage.objects.child_of(edition).get(slug="cycling")
    cycling.title = "Велотранспорт 2017"
    cycling.save_revision().publish()
    return EditionPage.objects.get(pk=edition.pk)


def snapshot(edition):
    """Everything of an edition that a rollover must leave as it was: each page's row,
    its revisions and its log, and the sessions."""
    pages = {}
    for page in edition.get_descendants(inclusive=True).specific():
        revisions = Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk")
        pages[page.pk] = (
            json.dumps(page.serializable_data(), sort_keys=True, default=str),
            [json.dumps(r.content, sort_keys=True, default=str) for r in revisions],
            PageLogEntry.objects.filter(page=page).count(),
        )
    sessions = list(Session.objects.filter(page__path__startswith=edition.path).values())
    return pages, sessions


def descendants(edition, model):
    return model.objects.descendant_of(edition)


def sessions_of(edition):
    return Session.objects.filter(page__path__startswith=edition.path).order_by(
        "page__date", "start_time", "pk"
    )


def test_the_demo_rolls_over_to_2018_with_every_date_shifted_and_nothing_else_changed(demo):
    before = snapshot(demo)
    new = Rollover(demo, next_start_date(demo, 2018)).run()

    assert (new.slug, new.get_parent().pk) == ("2018", demo.get_parent().pk)
    offset = datetime.timedelta(days=364)  # Monday 12 June 2017 → Monday 11 June 2018
    assert new.start_date == datetime.date(2018, 6, 11)
    assert new.start_date.weekday() == demo.start_date.weekday()
    assert new.end_date == demo.end_date + offset
    assert new.published_on == demo.published_on + offset

    for model in PAGE_TYPES:
        assert descendants(new, model).count() == descendants(demo, model).count(), model
    old_days = list(descendants(demo, DayPage).order_by("date"))
    new_days = list(descendants(new, DayPage).order_by("date"))
    assert [day.date + offset for day in old_days] == [day.date for day in new_days]
    assert [day.slug for day in new_days] == [day.date.isoformat() for day in new_days]
    for model in (RegistrationFormPage, QuestionnairePage):
        old, copy = descendants(demo, model).get(), descendants(new, model).get()
        assert copy.opens_at == (old.opens_at + offset if old.opens_at else None)
        assert copy.closes_at == (old.closes_at + offset if old.closes_at else None)
        assert copy.form_fields.count() == old.form_fields.count()
        assert copy.get_submissions().count() == 0
    assert RegistrationSubmission.objects.count() == ProjectSubmission.objects.count() == 1

    old_sessions, new_sessions = list(sessions_of(demo)), list(sessions_of(new))
    assert len(new_sessions) == len(old_sessions) == 38
    new_tracks = set(descendants(new, TrackPage).values_list("pk", flat=True))
    new_venues = set(new.venues.values_list("pk", flat=True))
    for old, copy in zip(old_sessions, new_sessions, strict=True):
        assert (copy.title, copy.start_time, copy.end_time) == (
            old.title,
            old.start_time,
            old.end_time,
        )
        assert copy.track_id is None if old.track_id is None else copy.track_id in new_tracks
        if old.track_id:
            assert copy.track.slug == old.track.slug
        assert copy.venue_id is None if old.venue_id is None else copy.venue_id in new_venues
    assert descendants(new, TrackPage).get(slug="cycling").title == "Велотранспорт 2018"

    new_pages = new.get_descendants(inclusive=True)
    assert not new_pages.filter(live=True).exists()
    assert new.partners.count() == demo.partners.count() == 4
    assert new.links.count() == demo.links.count()
    assert DocumentItem.objects.filter(page__in=new_pages).count() == 3

    # The text's link to the registration form leads to the new edition's form.
    new = EditionPage.objects.get(pk=new.pk)
    draft = new.get_latest_revision_as_object()
    registration = descendants(new, RegistrationFormPage).get()
    assert f'linktype="page" id="{registration.pk}"' in draft.how_to_take_part
    assert draft.start_date == new.start_date
    assert new.how_to_take_part == draft.how_to_take_part  # the row says the same

    assert snapshot(EditionPage.objects.get(pk=demo.pk)) == before


@pytest.fixture
def full_edition(edition):
    """The small edition of conftest, with partners, a link and texts."""
    EditionPartnerFactory(edition=edition)
    EditionLink.objects.create(edition=edition, label="Сайт міста", link_url="https://zt.example")
    edition.about = "<p>Що це таке.</p>"
    edition.contact_email = "press@example.org"
    edition.save_revision().publish()
    return EditionPage.objects.get(pk=edition.pk)


LEFT_OUT = {
    "tracks": lambda new: (
        not descendants(new, TrackPage).exists()
        and all(s.track_id is None for s in sessions_of(new))
        and sessions_of(new).exists()
    ),
    "programme": lambda new: (
        not descendants(new, ProgrammePage).exists() and not descendants(new, DayPage).exists()
    ),
    "sessions": lambda new: (
        descendants(new, DayPage).count() == 2 and not sessions_of(new).exists()
    ),
    "documents": lambda new: (
        descendants(new, DocumentsPage).exists()
        and not DocumentItem.objects.filter(page__in=descendants(new, DocumentsPage)).exists()
    ),
    "forms": lambda new: not descendants(new, RegistrationFormPage).exists(),
    "partners": lambda new: (
        not new.partners.exists() and not new.links.exists() and new.contact_email == ""
    ),
    "texts": lambda new: new.about == "" and not new.goals,
}


@pytest.mark.parametrize("part", PARTS)
def test_each_part_left_out_is_not_copied(full_edition, part):
    new = Rollover(full_edition, datetime.date(2018, 6, 11), without=frozenset({part})).run()
    assert LEFT_OUT[part](EditionPage.objects.get(pk=new.pk))
    # and the others are there
    for other, left_out in LEFT_OUT.items():
        if other != part and not (part == "programme" and other == "sessions"):
            assert not left_out(EditionPage.objects.get(pk=new.pk)), other


def test_a_year_that_exists_is_refused_and_nothing_is_created(full_edition):
    Rollover(full_edition, datetime.date(2018, 6, 11)).run()
    pages = Page.objects.count()
    with pytest.raises(RolloverError, match="2018"):
        Rollover(full_edition, datetime.date(2018, 6, 4)).run()
    assert Page.objects.count() == pages


def test_a_failure_midway_leaves_the_database_as_it_was(full_edition, monkeypatch):
    counts = (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count())

    def fail(self, page, edition):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Rollover, "copy_documents", fail)
    with pytest.raises(RuntimeError):
        Rollover(full_edition, datetime.date(2018, 6, 11)).run()
    assert (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count()) == (
        counts
    )
    assert not EditionPage.objects.filter(slug="2018").exists()


def test_a_chosen_start_date_moves_everything_by_its_offset(full_edition):
    new = Rollover(full_edition, datetime.date(2018, 7, 2)).run()  # 20 days later, a Monday
    offset = datetime.date(2018, 7, 2) - full_edition.start_date
    assert new.end_date == full_edition.end_date + offset
    assert sorted(d.date for d in descendants(new, DayPage)) == [
        d.date + offset for d in descendants(full_edition, DayPage).order_by("date")
    ]


def test_the_command_says_what_it_copies(full_edition):
    out = io.StringIO()
    call_command("rollover_edition", "2017", "--to", "2018", "--without", "sessions", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Edition «Майстерня міста Житомир» at /2018/")
    assert "Day 2018-06-11: 0 sessions" in lines
    # The checklist of the new edition follows (tests/test_checklist.py).
    assert any(line.startswith("Created the draft edition /2018/") for line in lines)
    with pytest.raises(CommandError, match="2018"):
        call_command("rollover_edition", "2017", "--to", "2018", stdout=out)
    with pytest.raises(CommandError, match="Unknown parts: speakers"):
        call_command("rollover_edition", "2017", "--to", "2019", "--without", "speakers")
    call_command("rollover_edition", "2017", "--to", "2019", "--start", "2019-06-03", stdout=out)
    assert EditionPage.objects.get(slug="2019").start_date == datetime.date(2019, 6, 3)


def editor(django_user_model, *, can_add_editions, choose_documents=False):
    from wagtail.models import Collection, GroupCollectionPermission

    user = django_user_model.objects.create_user("editor", password="x")
    group = Group.objects.create(name="Редактори тест")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    home = Page.objects.get(depth=2)
    for codename in ["change_page", "publish_page"] + (["add_page"] if can_add_editions else []):
        GroupPagePermission.objects.create(
            group=group, page=home, permission=Permission.objects.get(codename=codename)
        )
    if choose_documents:
        GroupCollectionPermission.objects.create(
            group=group,
            collection=Collection.get_first_root_node(),
            permission=Permission.objects.get(codename="choose_document"),
        )
    user.groups.add(group)
    return user


def test_the_admin_rolls_over_from_the_edition_s_menu(admin_client, full_edition):
    edit = admin_client.get(f"/admin/pages/{full_edition.pk}/edit/").content.decode()
    url = f"/admin/editions/{full_edition.pk}/rollover/"
    assert f'href="{url}"' in edit
    form = admin_client.get(url)
    assert form.context["form"]["year"].value() == 2018
    response = admin_client.post(url, {"year": "2018", "parts": list(PARTS)}, follow=True)
    new = EditionPage.objects.get(slug="2018")
    assert response.redirect_chain[-1][0] == f"/admin/pages/{new.pk}/edit/"
    html = response.content.decode()
    assert "Створено чернетку випуску" in html
    assert "дні програми: 2" in html
    again = admin_client.post(url, {"year": "2018", "parts": list(PARTS)})
    assert again.status_code == 200
    assert "Випуск 2018 року вже існує" in again.content.decode()
    assert EditionPage.objects.count() == 2
    wrong_year = admin_client.post(url, {"year": "2019", "start_date": "2020-06-01"})
    assert "start_date" in wrong_year.context["form"].errors


def test_only_those_who_may_add_editions_roll_over(client, django_user_model, full_edition):
    client.force_login(editor(django_user_model, can_add_editions=False))
    url = f"/admin/editions/{full_edition.pk}/rollover/"
    edit = client.get(f"/admin/pages/{full_edition.pk}/edit/").content.decode()
    assert url not in edit
    response = client.post(url, {"year": "2018", "parts": list(PARTS)})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not EditionPage.objects.filter(slug="2018").exists()


@pytest.mark.parametrize("choose_documents", [False, True])
def test_the_copy_links_only_documents_the_editor_may_use(
    client, django_user_model, full_edition, choose_documents
):
    client.force_login(
        editor(django_user_model, can_add_editions=True, choose_documents=choose_documents)
    )
    url = f"/admin/editions/{full_edition.pk}/rollover/"
    assert client.post(url, {"year": "2018", "parts": list(PARTS)}).status_code == 302
    new = EditionPage.objects.get(slug="2018")
    items = DocumentItem.objects.filter(page__in=descendants(new, DocumentsPage))
    assert items.count() == (1 if choose_documents else 0)
    assert new.owner.username == "editor"


def test_current_redirects_to_the_same_part_of_the_current_edition(client, full_edition):
    response = client.get("/current/programme/?day=2017-06-12")
    assert (response.status_code, response["Location"]) == (
        302,
        "/2017/programme/?day=2017-06-12",
    )
    new = Rollover(full_edition, datetime.date(2018, 6, 11)).run()
    assert client.get("/current/")["Location"] == "/2017/"  # the 2018 edition is a draft
    for page in new.get_descendants(inclusive=True).specific():
        page.save_revision().publish()
    assert client.get("/current/programme/")["Location"] == "/2018/programme/"
    assert client.get("/current/")["Cache-Control"].startswith("max-age=0")
    home = full_edition.get_parent().specific
    home.featured_edition = full_edition
    home.save_revision().publish()
    assert client.get("/current/")["Location"] == "/2017/"


def test_current_without_any_edition_is_not_found(client, home_page):
    assert client.get("/current/").status_code == 404
