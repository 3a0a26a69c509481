"""The programme as people use it: calendar feeds, a page per session, filters,
«now» and «next» during the workshop, past editions, and bounded queries."""

import datetime

import pytest
import time_machine
from icalendar import Calendar

from events.factories import (
    DayPageFactory,
    EditionPageFactory,
    ProgrammePageFactory,
    TrackPageFactory,
    VenueFactory,
)
from events.models import DayPage, Session, TrackPage

KYIV = datetime.timezone(datetime.timedelta(hours=3))


def calendar_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_of(calendar):
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_edition_feed_has_every_session_with_the_properties_calendars_need(client, edition):
    calendar = calendar_of(client.get("/2017/calendar.ics"))
    assert str(calendar["version"]) == "2.0"
    assert calendar["prodid"]
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Kyiv"]
    events = events_of(calendar)
    assert set(events) == {"Відкриття", "Прогулянка дворами", "Велопробіг"}
    walk = events["Прогулянка дворами"]
    session = Session.objects.get(title="Прогулянка дворами")
    assert str(walk["uid"]) == f"session-{session.pk}@testserver"
    assert walk["dtstamp"] and walk["last-modified"]
    start, end = walk.decoded("dtstart"), walk.decoded("dtend")
    assert str(walk["dtstart"].params["TZID"]) == "Europe/Kyiv"
    assert start == datetime.datetime(2017, 6, 12, 12, 0, tzinfo=KYIV)
    assert end == datetime.datetime(2017, 6, 12, 13, 30, tzinfo=KYIV)
    assert (
        str(walk["location"])
        == "Майданчик біля бібліотеки, Намет 1, Новий бульвар, 4, Житомир, 10014"
    )
    assert "Олена Петрук" in str(walk["description"])
    assert "<" not in str(walk["description"])
    assert str(walk["url"]) == f"http://testserver{session.url}"
    assert walk["categories"].cats == ["Громадський простір"]
    assert "categories" not in events["Відкриття"]


def test_day_track_and_session_feeds_hold_just_their_sessions(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    track = TrackPage.objects.get(title="Громадський простір")
    session = Session.objects.get(title="Велопробіг")
    assert set(events_of(calendar_of(client.get(f"{day.url}calendar.ics")))) == {
        "Відкриття",
        "Прогулянка дворами",
    }
    assert set(events_of(calendar_of(client.get(f"{track.url}calendar.ics")))) == {
        "Прогулянка дворами",
        "Велопробіг",
    }
    assert set(events_of(calendar_of(client.get(session.get_calendar_url())))) == {"Велопробіг"}


def test_a_session_keeps_its_uid_across_requests_and_edits(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    first = events_of(calendar_of(client.get(f"{day.url}calendar.ics")))["Відкриття"]
    again = events_of(calendar_of(client.get(f"{day.url}calendar.ics")))["Відкриття"]
    assert first["uid"] == again["uid"]
    # The press office renames the session in the page editor and publishes the day.
    draft = day.get_latest_revision_as_object()
    sessions = list(draft.sessions.all())
    sessions[0].title = "Урочисте відкриття"
    draft.sessions = sessions
    draft.save_revision().publish()
    edited = events_of(calendar_of(client.get(f"{day.url}calendar.ics")))
    assert edited["Урочисте відкриття"]["uid"] == first["uid"]
    assert "Відкриття" not in edited


def test_feeds_are_advertised_and_offered_on_their_pages(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    track = TrackPage.objects.get(title="Громадський простір")
    session = Session.objects.get(title="Прогулянка дворами")
    pages = {
        "/2017/": "/2017/calendar.ics",
        "/2017/programme/": "/2017/calendar.ics",
        day.url: f"{day.url}calendar.ics",
        track.url: f"{track.url}calendar.ics",
        session.url: session.get_calendar_url(),
    }
    for url, feed in pages.items():
        html = client.get(url).content.decode()
        assert '<link rel="alternate" type="text/calendar" title="' in html, url
        assert f'href="{feed}"' in html, url
        assert "Додати в календар" in html, url


def test_each_session_has_a_page_to_link_and_share(client, edition):
    session = Session.objects.get(title="Прогулянка дворами")
    assert session.url == f"{session.page.url}sessions/{session.pk}/"
    response = client.get(session.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Прогулянка дворами</h1>" in html
    assert "12:00–13:30" in html
    assert "Олена Петрук" in html
    assert f'href="{session.url}"' in client.get("/2017/programme/").content.decode()
    assert client.get(f"{session.page.url}sessions/999999/").status_code == 404
    other_day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    assert client.get(f"{other_day.url}sessions/{session.pk}/").status_code == 404


def programme_titles(client, query=""):
    response = client.get(f"/2017/programme/{query}")
    assert response.status_code == 200
    return {s.title for day in response.context["days"] for s in day.sessions.all()}, response


def test_filters_return_exactly_the_sessions_they_should(client, edition):
    second_venue = edition.venues.get(name="Мобільний павільйон")
    Session.objects.filter(title="Велопробіг").update(venue=second_venue, kind="excursion")
    assert programme_titles(client)[0] == {"Відкриття", "Прогулянка дворами", "Велопробіг"}
    track = TrackPage.objects.get(title="Громадський простір")
    assert programme_titles(client, f"?track={track.slug}")[0] == {
        "Прогулянка дворами",
        "Велопробіг",
    }
    assert programme_titles(client, "?day=2017-06-13")[0] == {"Велопробіг"}
    assert programme_titles(client, "?kind=excursion")[0] == {"Велопробіг"}
    assert programme_titles(client, f"?venue={second_venue.pk}")[0] == {"Велопробіг"}
    assert programme_titles(client, f"?track={track.slug}&day=2017-06-12")[0] == {
        "Прогулянка дворами"
    }


@pytest.mark.parametrize(
    "query", ["?track=nope", "?day=2017-02-30", "?day=x", "?venue=abc", "?kind=<b>", "?venue=99999"]
)
def test_an_unknown_filter_value_gives_the_full_list_with_a_message(client, edition, query):
    titles, response = programme_titles(client, query)
    assert titles == {"Відкриття", "Прогулянка дворами", "Велопробіг"}
    html = response.content.decode()
    assert "не застосовано" in html
    assert "Показати все" in html
    assert "<b>" not in html.split("<main", 1)[1].split("</main>")[0].replace("&lt;b&gt;", "")


def test_filters_work_without_javascript_and_keep_a_shareable_address(client, edition):
    Session.objects.filter(title="Велопробіг").update(kind="excursion")
    html = client.get("/2017/programme/").content.decode()
    assert '<form class="programme-filters" method="get" action="/2017/programme/"' in html
    assert 'name="track"' in html and 'name="day"' in html and 'name="kind"' in html
    assert 'name="venue"' in html


@time_machine.travel(datetime.datetime(2017, 6, 12, 12, 15, tzinfo=KYIV), tick=False)
def test_now_and_next_during_an_event_day(client, edition):
    for url in ("/2017/programme/", "/2017/"):
        happening = client.get(url).context["happening"]
        assert [s.title for s in happening["now"]] == ["Прогулянка дворами"], url
        assert happening["next"] == [], url
    html = client.get("/2017/programme/").content.decode()
    assert "Зараз" in html and "Далі" in html


@time_machine.travel(datetime.datetime(2017, 6, 12, 9, 0, tzinfo=KYIV), tick=False)
def test_before_the_first_session_nothing_is_on_and_the_first_is_next(client, edition):
    happening = client.get("/2017/programme/").context["happening"]
    assert happening["now"] == []
    assert [s.title for s in happening["next"]] == ["Відкриття"]


@time_machine.travel(datetime.datetime(2017, 6, 1, 12, 0, tzinfo=KYIV), tick=False)
def test_before_the_workshop_there_is_no_now_and_next_and_no_past_notice(client, edition):
    response = client.get("/2017/programme/")
    assert response.context["happening"] is None
    assert "Зараз" not in response.content.decode()
    assert "минулий випуск" not in response.content.decode()


@time_machine.travel(datetime.datetime(2018, 6, 13, 12, 0, tzinfo=KYIV), tick=False)
def test_after_the_workshop_its_pages_say_it_is_past_and_point_to_the_current(
    client, edition, home_page
):
    current = EditionPageFactory(
        parent=home_page, title="Майстерня міста 2018", start_date=datetime.date(2018, 6, 11)
    )
    for url in ("/2017/", "/2017/programme/", DayPage.objects.first().url):
        html = client.get(url).content.decode()
        assert "минулий випуск" in html, url
        assert f'href="{current.url}"' in html, url
    assert "минулий випуск" not in client.get(current.url).content.decode()


def build_programme(home_page, year, days, sessions_per_day):
    start = datetime.date(year, 6, 1)
    edition = EditionPageFactory(
        parent=home_page, start_date=start, end_date=start + datetime.timedelta(days=days - 1)
    )
    venues = [VenueFactory(edition=edition, sort_order=i) for i in range(3)]
    tracks = [TrackPageFactory(parent=edition) for _ in range(4)]
    programme = ProgrammePageFactory(parent=edition)
    sessions = []
    for offset in range(days):
        day = DayPageFactory(parent=programme, date=start + datetime.timedelta(days=offset))
        for number in range(sessions_per_day):
            minutes = 8 * 60 + number * 20
            sessions.append(
                Session(
                    page=day,
                    title=f"Подія {number}",
                    start_time=datetime.time(minutes // 60, minutes % 60),
                    end_time=datetime.time(minutes // 60, minutes % 60 + 15),
                    track=tracks[number % 4],
                    venue=venues[number % 3],
                )
            )
    Session.objects.bulk_create(sessions)
    return edition


def count_queries(client, url, django_assert_max_num_queries):
    client.get(url)  # warm the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_programme(client, home_page, django_assert_max_num_queries):
    """Each programme counted on one of its own event days (8:50, Kyiv), when the pages
    show «Зараз/Далі» and the venue screen has something to show. The home page and
    the theme page show the edition under way, the session page its star."""
    small = build_programme(home_page, 2030, days=6, sessions_per_day=6)

    def parts(edition):
        day = DayPage.objects.descendant_of(edition).order_by("date").first()
        return {
            "programme": f"{edition.url}programme/",
            "programme filtered": f"{edition.url}programme/?kind=discussion",
            "venue screen": f"{edition.url}programme/now/",
            "one venue's screen": f"{edition.url}programme/now/?venue={edition.main_venue.pk}",
            "day": day.url,
            "session": day.sessions.first().url,
            "edition": edition.url,
            "track": edition.tracks[0].url,
            "home": "/",  # the edition under way is the home page's, with its now/next
            "edition feed": f"{edition.url}calendar.ics",
            "day feed": f"{day.url}calendar.ics",
            "track feed": f"{edition.tracks[0].url}calendar.ics",
        }

    def event_day(edition):
        moment = datetime.datetime.combine(edition.start_date, datetime.time(8, 50), tzinfo=KYIV)
        return time_machine.travel(moment, tick=False)

    with event_day(small):
        small_counts = {
            name: count_queries(client, url, django_assert_max_num_queries)
            for name, url in parts(small).items()
        }
    # Built once the small one is counted: the home page shows the latest edition.
    large = build_programme(home_page, 2031, days=30, sessions_per_day=40)
    with event_day(large):
        for name, url in parts(large).items():
            client.get(url)  # warm the caches, as for the small one (the notice's too)
            with django_assert_max_num_queries(small_counts[name]):
                assert client.get(url).status_code == 200, name
