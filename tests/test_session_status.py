"""Changes made visible (issue 15): a session's status, the change log written when a
day is published again, and what shows it: the programme, the session's page, the
changes page and its Atom feed, the calendars, the exports and the API."""

import csv
import datetime
import io

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from events.factories import DayPageFactory, EditionPageFactory
from events.indexing import references_indexed_once
from events.models import DayPage, ProgrammePage, Session, SessionChange, Venue
from events.rollover import Rollover
from tests.helpers import day_form_data, session_rows
from tests.test_exports import parse_frab_xml, validate_frab
from tests.test_programme import build_programme

KYIV = datetime.timezone(datetime.timedelta(hours=3))
# An event day of the `edition` fixture, in Europe/Kyiv.
EVENT_DAY = datetime.datetime(2017, 6, 12, 9, 0, tzinfo=KYIV)


def publish_day(day, removed=(), **changes_by_title):
    """The day edited as the editor does (a revision of the page with its sessions)
    and published through Wagtail: `{title: {field: value}}`, the sessions titled in
    `removed` deleted."""
    day = DayPage.objects.get(pk=day.pk)
    sessions = [session for session in day.sessions.all() if session.title not in removed]
    for session in sessions:
        for field, value in changes_by_title.get(session.title, {}).items():
            setattr(session, field, value)
    day.sessions = sessions  # the page's in-memory rows, which the revision keeps
    revision = day.save_revision()
    revision.publish()
    return DayPage.objects.get(pk=day.pk)


def first_day(edition):
    return DayPage.objects.descendant_of(edition).get(date=datetime.date(2017, 6, 12))


def events_of(response):
    assert response.status_code == 200
    return {event["uid"]: event for event in Calendar.from_ical(response.content).walk("VEVENT")}


@pytest.fixture
def published(edition):
    """The fixture's days published once through Wagtail, as the press office did: the
    first publication of a live day is no change."""
    for day in DayPage.objects.descendant_of(edition):
        publish_day(day)
    assert not SessionChange.objects.exists()
    return edition


@pytest.fixture
def cancelled(published):
    """On the event day, «Прогулянка дворами» is cancelled and «Відкриття» moved."""
    with time_machine.travel(EVENT_DAY, tick=False):
        publish_day(
            first_day(published),
            **{
                "Прогулянка дворами": {
                    "status": Session.Status.CANCELLED,
                    "status_note": "Злива",
                },
                "Відкриття": {
                    "start_time": datetime.time(10, 30),
                    "end_time": datetime.time(11, 30),
                    "status": Session.Status.CHANGED,
                },
            },
        )
    return published


def test_a_first_publication_and_an_unchanged_one_record_nothing(published):
    publish_day(first_day(published))
    assert not SessionChange.objects.exists()


def test_a_new_draft_day_published_for_the_first_time_is_no_change(published):
    day = DayPageFactory(
        parent=first_day(published).get_parent(), date=datetime.date(2017, 6, 14), live=False
    )
    Session.objects.create(
        page=day, title="Нове", start_time=datetime.time(9), end_time=datetime.time(10)
    )
    publish_day(day, Нове={"start_time": datetime.time(9, 30)})
    assert not SessionChange.objects.exists()


def test_publishing_records_each_changed_session_once(cancelled):
    walk = Session.objects.get(title="Прогулянка дворами")
    opening = Session.objects.get(title="Відкриття")
    changes = {change.session: change for change in SessionChange.objects.all()}
    assert set(changes) == {walk, opening}
    assert changes[walk].old_status == "planned"
    assert changes[walk].new_status == "cancelled"
    assert changes[walk].note == "Злива"
    assert changes[opening].old_start_time == datetime.time(10)
    assert changes[opening].new_start_time == datetime.time(10, 30)
    assert changes[opening].published_at == EVENT_DAY
    # Only what is tracked: a new description alone is no change.
    publish_day(first_day(cancelled), Відкриття={"description": "Новий опис"})
    assert SessionChange.objects.count() == 2


@time_machine.travel(EVENT_DAY + datetime.timedelta(hours=1), tick=False)
def test_the_programme_strikes_a_cancelled_session_through_and_says_what_changed(client, cancelled):
    html = client.get("/2017/programme/").content.decode()
    walk = Session.objects.get(title="Прогулянка дворами")
    article = html[html.index(f'id="session-{walk.pk}"') :]
    article = article[: article.index("</li>")]
    assert "<s>Прогулянка дворами</s>" in article
    assert "Скасовано" in article
    assert "Злива" in article
    opening = Session.objects.get(title="Відкриття")
    article = html[html.index(f'id="session-{opening.pk}"') :]
    article = article[: article.index("</li>")]
    assert "Перенесено з 10:00" in article
    assert "Змінено" in article
    assert "<s>" not in article
    page = client.get(walk.url).content.decode()
    assert "<s>Прогулянка дворами</s>" in page
    assert "Скасовано" in page


@time_machine.travel(EVENT_DAY + datetime.timedelta(hours=1), tick=False)
def test_the_calendar_keeps_a_cancelled_session_with_a_higher_sequence(client, cancelled):
    walk = Session.objects.get(title="Прогулянка дворами")
    velo = Session.objects.get(title="Велопробіг")
    events = events_of(client.get("/2017/calendar.ics"))
    event = events[f"session-{walk.pk}@testserver"]
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 1
    assert "Злива" in str(event["description"])
    assert event.decoded("last-modified") == EVENT_DAY
    unchanged = events[f"session-{velo.pk}@testserver"]
    assert str(unchanged["status"]) == "CONFIRMED"
    assert unchanged.decoded("sequence") == 0
    # A second change: the sequence grows again.
    publish_day(first_day(cancelled), **{"Прогулянка дворами": {"title": "Прогулянка"}})
    event = events_of(client.get(f"{first_day(cancelled).url}calendar.ics"))[
        f"session-{walk.pk}@testserver"
    ]
    assert event.decoded("sequence") == 2
    assert str(event["status"]) == "CANCELLED"


@time_machine.travel(EVENT_DAY + datetime.timedelta(hours=1), tick=False)
def test_the_changes_page_and_its_atom_feed_list_the_changes_newest_first(client, cancelled):
    with time_machine.travel(EVENT_DAY + datetime.timedelta(minutes=30), tick=False):
        # To the main venue explicitly: no change (an empty venue is the main one).
        publish_day(first_day(cancelled), Відкриття={"venue": None})
        assert SessionChange.objects.count() == 2
        pavilion = Venue.objects.get(name="Мобільний павільйон")
        publish_day(first_day(cancelled), Відкриття={"venue": pavilion})
    html = client.get("/2017/programme/changes/").content.decode()
    assert "<s>Прогулянка дворами</s>" in html
    assert "Перенесено з 10:00 на 10:30" in html
    assert "Місце: Майданчик біля бібліотеки → Мобільний павільйон" in html
    assert 'type="application/atom+xml"' in html
    response = client.get("/2017/programme/changes.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.author == "Майстерня міста Житомир"
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 3
    # The venue change of 9:30 comes first; then the two of 9:00.
    assert titles[0].startswith("Відкриття")
    assert any(title.startswith("Прогулянка дворами") for title in titles[1:])
    walk = Session.objects.get(title="Прогулянка дворами")
    entry = next(e for e in feed.entries if e.title.startswith("Прогулянка"))
    assert entry.link == f"http://testserver{walk.url}"
    assert "Скасовано" in entry.title
    assert len({entry.id for entry in feed.entries}) == 3
    assert feed.feed.links[0].href == "http://testserver/2017/programme/changes/"


@time_machine.travel(EVENT_DAY, tick=False)
def test_a_session_deleted_from_a_published_day_is_listed_as_removed(client, published):
    """Deleting instead of cancelling still tells those who planned to come."""
    opening = Session.objects.get(title="Відкриття")
    publish_day(first_day(published), removed=["Відкриття"])
    assert not Session.objects.filter(pk=opening.pk).exists()
    change = SessionChange.objects.get()
    assert change.removed
    assert change.session is None
    assert (change.old_title, change.new_title) == ("Відкриття", "Відкриття")
    assert change.old_start_time == change.new_start_time == datetime.time(10)
    html = client.get("/2017/programme/changes/").content.decode()
    assert "<s>Відкриття</s>" in html
    assert "Вилучено з програми" in html
    day = first_day(published)
    assert f'<a href="{day.url}"><s>Відкриття</s></a>' in html
    feed = feedparser.parse(client.get("/2017/programme/changes.atom").content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == ["Відкриття: Вилучено з програми"]
    assert feed.entries[0].link == f"http://testserver{day.url}"
    programme = day.get_parent()
    [change] = client.get(f"/api/v2/pages/{programme.pk}/").json()["changes"]
    assert change["removed"] is True
    assert change["session"] is None
    assert change["old"] == change["new"]
    # A later edit of the day does not record the removal again.
    publish_day(first_day(published))
    assert SessionChange.objects.count() == 1


def test_the_changes_page_of_a_programme_without_changes_says_so(client, published):
    response = client.get("/2017/programme/changes/")
    assert response.status_code == 200
    assert "Змін після публікації програми немає." in response.content.decode()
    feed = feedparser.parse(client.get("/2017/programme/changes.atom").content)
    assert not feed.bozo
    assert feed.entries == []


def test_the_exports_and_the_api_carry_the_status_and_the_changes(client, cancelled):
    walk = Session.objects.get(title="Прогулянка дворами")
    schedule = client.get("/2017/programme/schedule.json").json()
    events = [
        event
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    validate_frab(schedule)
    frab = next(event for event in events if event["id"] == walk.pk)
    assert frab["subtitle"] == "Скасовано · Злива"
    assert frab["title"] == "Прогулянка дворами"
    xml = parse_frab_xml(client.get("/2017/programme/schedule.xml"))
    [event] = xml.xpath("//event[@id=$id]", id=str(walk.pk))
    assert event.findtext("subtitle") == "Скасовано · Злива"
    assert event.findtext("title") == "Прогулянка дворами"
    content = client.get("/2017/programme/programme.csv").content.decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(content))}
    assert rows[str(walk.pk)]["status"] == "cancelled"
    assert rows[str(walk.pk)]["status_note"] == "Злива"
    day = first_day(cancelled)
    detail = client.get(f"/api/v2/pages/{day.pk}/").json()
    statuses = {session["title"]: session["status"] for session in detail["sessions"]}
    assert statuses["Прогулянка дворами"] == "cancelled"
    programme = day.get_parent()
    changes = client.get(f"/api/v2/pages/{programme.pk}/").json()["changes"]
    assert [change["session"] for change in changes].count(walk.pk) == 1
    change = next(change for change in changes if change["session"] == walk.pk)
    assert change["old"]["status"] == "planned"
    assert change["new"]["status"] == "cancelled"
    assert change["note"] == "Злива"
    v3 = client.get(f"/api/v3/pages/{programme.pk}/")
    assert v3.status_code == 200


def test_a_rolled_over_edition_starts_planned_and_without_changes(cancelled):
    new = Rollover(cancelled, datetime.date(2018, 6, 11)).run()
    sessions = Session.objects.filter(page__in=DayPage.objects.descendant_of(new))
    assert sessions.exists()
    assert {session.status for session in sessions} == {"planned"}
    assert {session.status_note for session in sessions} == {""}
    assert not SessionChange.objects.filter(session__in=sessions).exists()
    assert (
        Session.objects.get(
            page__in=DayPage.objects.descendant_of(cancelled), title="Прогулянка дворами"
        ).status
        == "cancelled"
    )


def programme_of(edition):
    return ProgrammePage.objects.descendant_of(edition).get()


def count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def change_every_session(edition):
    """Each day published again with every other session moved, half of those
    cancelled: a change each, recorded through Wagtail's publish. Wagtail's reference
    index is brought up to date once at the end, as a rollover does it
    (events.indexing), rather than re-indexing the whole day at each session's save:
    that was nearly half of the time of a 30-day programme's changes, and what is counted
    here is the public pages' queries, not the index's."""
    with references_indexed_once():
        for day in DayPage.objects.descendant_of(edition):
            day.save_revision().publish()
            day = DayPage.objects.get(pk=day.pk)
            sessions = list(day.sessions.all())
            for number, session in enumerate(sessions):
                if number % 2:
                    continue  # every other session unchanged: its sequence is 0
                minute = session.start_time.minute + 1
                session.start_time = session.start_time.replace(minute=minute)
                if number % 4 == 0:
                    session.status = Session.Status.CANCELLED
            day.sessions = sessions
            day.save_revision().publish()


# After both editions: neither shows «Зараз/Далі», which an event day adds to the pages.
@time_machine.travel(datetime.datetime(2032, 1, 15, 12, 0, tzinfo=KYIV), tick=False)
def test_queries_of_the_programme_and_the_changes_do_not_grow_with_its_size(
    client, home_page, django_assert_max_num_queries
):
    """Zhytomyr's six days against Lviv's scale (12 days, 144 sessions), every other
    session changed: a query per session or per change would show fourfold. (The
    programme's own query test, tests/test_programme.py, goes to 30 days of 40.)"""
    small = build_programme(home_page, 2030, days=6, sessions_per_day=6)
    large = build_programme(home_page, 2031, days=12, sessions_per_day=12)
    for edition in (small, large):
        change_every_session(edition)
    assert SessionChange.objects.count() == (6 * 6 + 12 * 12) // 2

    def parts(edition):
        day = DayPage.objects.descendant_of(edition).order_by("date").first()
        return {
            "programme": f"{edition.url}programme/",
            "changes": f"{edition.url}programme/changes/",
            "changes feed": f"{edition.url}programme/changes.atom",
            "day": day.url,
            "edition feed": f"{edition.url}calendar.ics",
            "track feed": f"{edition.tracks[0].url}calendar.ics",
            "frab": f"{edition.url}programme/schedule.json",
            "csv": f"{edition.url}programme/programme.csv",
            "api": f"/api/v2/pages/{programme_of(edition).pk}/",
        }

    small_counts = {name: count_queries(client, url) for name, url in parts(small).items()}
    for name, url in parts(large).items():
        with django_assert_max_num_queries(small_counts[name]):
            assert client.get(url).status_code == 200, name


def test_an_edition_without_a_programme_day_changed_keeps_working(client, home_page):
    EditionPageFactory(
        parent=home_page, start_date=datetime.date(2019, 6, 1), end_date=datetime.date(2019, 6, 2)
    )
    assert client.get("/2019/").status_code == 200


@time_machine.travel(EVENT_DAY, tick=False)
def test_publishing_in_the_admin_records_the_change(published, admin_client):
    """The press office's path: the day's edit form, «Опублікувати»."""
    day = first_day(published)
    rows = session_rows(day)
    for row in rows:
        if row["title"] == "Прогулянка дворами":
            row.update(status="cancelled", status_note="Злива")
        if row["title"] == "Відкриття":
            row["DELETE"] = True  # deleted instead of cancelled: listed as removed
    data = day_form_data(day, rows, **{"action-publish": "action-publish"})
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[day.pk]), data)
    assert response.status_code == 302
    assert not Session.objects.filter(title="Відкриття").exists()
    removal = SessionChange.objects.get(removed=True)
    assert removal.old_title == "Відкриття"
    change = SessionChange.objects.get(removed=False)
    assert change.session.title == "Прогулянка дворами"
    assert (change.old_status, change.new_status, change.note) == ("planned", "cancelled", "Злива")
    assert Session.objects.get(pk=change.session_id).is_cancelled


@time_machine.travel(EVENT_DAY + datetime.timedelta(hours=1), tick=False)
def test_a_preview_of_a_day_shows_its_draft_sessions_with_what_was_recorded(
    admin_client, cancelled
):
    """Wagtail previews a version of the day in memory (its sessions are not a query):
    a session added in the draft is there, the moved one still says where from."""
    day = first_day(cancelled).get_latest_revision_as_object()
    day.sessions.add(
        Session(
            title="Вечір короткого кіно",
            start_time=datetime.time(19),
            end_time=datetime.time(20, 30),
            kind=Session.Kind.FILM,
        )
    )
    revision = day.save_revision()
    response = admin_client.get(
        reverse("wagtailadmin_pages:revisions_view", args=[day.pk, revision.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Вечір короткого кіно" in html
    assert "Перенесено з 10:00" in html
    assert html.index("Відкриття") < html.index("Прогулянка дворами") < html.index("Вечір")
