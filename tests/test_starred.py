"""«Мій розклад»: the sessions a visitor starred, at an address that holds their ids
(`…/programme/my/?s=…`), rendered by the server, with its own calendar feed. Whatever
the query string says, the page answers 200 and shows only this programme's sessions."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from icalendar import Calendar

from events.factories import (
    DayPageFactory,
    EditionPageFactory,
    ProgrammePageFactory,
)
from events.models import Session
from events.models.starred import MAX_STARRED, starred_ids
from tests.test_programme import build_programme

KYIV = datetime.timezone(datetime.timedelta(hours=3))
# An event day of the `edition` fixture (12–17 June 2017), in Europe/Kyiv.
EVENT_DAY = datetime.datetime(2017, 6, 12, 11, 30, tzinfo=KYIV)
MY = "/2017/programme/my/"
DROPPED = "Деяких подій із цієї адреси немає в програмі"
PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "my"},
}

# Measured: 24 and 16 at both sizes; the rest is room for what every page may add
# (the urgent notice). An N+1 over days or sessions would add 30 to 100.
QUERY_BUDGET = {"my/": 28, "my/calendar.ics": 18}

pytestmark = pytest.mark.usefixtures("event_day")


@pytest.fixture
def event_day():
    with time_machine.travel(EVENT_DAY, tick=False):
        yield


def ids_of(*titles):
    return [Session.objects.get(title=title).pk for title in titles]


def query(ids):
    return ",".join(str(pk) for pk in ids)


def titles_on(html):
    return [
        session.title
        for session in Session.objects.order_by("page__date", "start_time")
        if f'id="session-{session.pk}"' in html
    ]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_my_programme_shows_the_starred_sessions_by_day_in_programme_order(client, edition):
    ride, opening = ids_of("Велопробіг", "Відкриття")
    html = get(client, f"{MY}?s={ride},{opening}")
    assert "<h1>Мій розклад</h1>" in html
    assert titles_on(html) == ["Відкриття", "Велопробіг"]
    assert "День 1" in html and "День 2" in html
    assert "2 події в цьому розкладі" in html
    assert DROPPED not in html
    # Each row is the programme's own component, with the id the star script reads.
    assert f'data-session-id="{ride}"' in html
    # Its calendar holds the same sessions.
    assert f'href="{MY}calendar.ics?s={opening},{ride}"' in html


def test_without_stars_the_page_says_how_to_star_and_links_the_programme(client, edition):
    html = get(client, MY)
    assert titles_on(html) == []
    assert "Ще нічого не позначено" in html
    assert 'href="/2017/programme/"' in html
    assert DROPPED not in html
    assert "calendar.ics" not in html


def test_my_calendar_has_a_vevent_per_starred_session(client, edition):
    ride, walk = ids_of("Велопробіг", "Прогулянка дворами")
    response = client.get(f"{MY}calendar.ics?s={walk},{ride},{walk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Прогулянка дворами", "Велопробіг"}
    assert str(events["Прогулянка дворами"]["uid"]) == f"session-{walk}@testserver"
    assert events["Прогулянка дворами"].decoded("dtstart") == datetime.datetime(
        2017, 6, 12, 12, 0, tzinfo=KYIV
    )
    assert "Мій розклад" in str(calendar["x-wr-calname"])


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "12a,б,%00,-3,0,1.5,0x10",
        "99999999999999999999999999",
        "2147483648",
        ",".join(str(n) for n in range(1, 10_001)),
        "1" * 100_000,
        " , ,,",
    ],
)
def test_bad_ids_are_ignored_with_a_note_never_an_error(client, edition, value):
    opening = ids_of("Відкриття")[0]
    for url in (f"{MY}?s={value},{opening}", f"{MY}calendar.ics?s={value},{opening}"):
        response = client.get(url)
        assert response.status_code == 200, url
    html = get(client, f"{MY}?s={value},{opening}")
    if value.strip(" ,"):
        assert DROPPED in html
    # The valid id is read when it comes within the cap.
    if len(value) < 1000:
        assert "Відкриття" in titles_on(html)


def test_repeated_ids_show_once_and_say_so(client, edition):
    opening = ids_of("Відкриття")[0]
    html = get(client, f"{MY}?s={opening},{opening},{opening}")
    assert html.count(f'id="session-{opening}"') == 1
    assert DROPPED in html


def test_sessions_of_another_edition_or_of_a_draft_day_are_not_shown(client, edition, home_page):
    other = EditionPageFactory(
        parent=home_page, start_date=datetime.date(2018, 6, 11), end_date=datetime.date(2018, 6, 16)
    )
    day = DayPageFactory(parent=ProgrammePageFactory(parent=other), date=datetime.date(2018, 6, 11))
    foreign = Session.objects.create(
        page=day, title="Чужа подія", start_time=datetime.time(10), end_time=datetime.time(11)
    )
    ride = ids_of("Велопробіг")[0]
    Session.objects.get(pk=ride).page.unpublish()
    opening = ids_of("Відкриття")[0]
    html = get(client, f"{MY}?s={foreign.pk},{ride},{opening}")
    assert titles_on(html) == ["Відкриття"]
    assert DROPPED in html
    calendar = Calendar.from_ical(client.get(f"{MY}calendar.ics?s={foreign.pk},{ride}").content)
    assert list(calendar.walk("VEVENT")) == []


def test_only_so_many_ids_are_read():
    ids, dropped = starred_ids(",".join(str(n) for n in range(1, 10_001)))
    assert ids == list(range(1, MAX_STARRED + 1))
    assert dropped
    assert starred_ids("3, 1,2") == ([3, 1, 2], False)
    assert starred_ids("3,x,3") == ([3], True)
    assert starred_ids(None) == ([], False)


def test_the_programme_links_my_programme_for_the_script_to_show(client, edition):
    html = get(client, "/2017/programme/")
    link = html.split('class="my-programme-link"')[1].split("</p>")[0]
    assert f'href="{MY}"' in link
    assert f'data-starred-key="starred-{edition.pk}"' in link
    # Hidden without JavaScript (nothing to star then) and the script is a file of the
    # site, as the policy's script-src 'self' wants: no inline script.
    assert html.split('class="my-programme-link"')[0].endswith("<p ")
    assert '<p class="my-programme-link" hidden>' in html
    assert '<script src="/static/js/starred.js" defer></script>' in html
    assert "<script>" not in html


def test_the_page_cache_keeps_each_address_apart(client, edition):
    """The page depends on its query string only, which is part of the cache key: a
    cached programme is never another visitor's."""
    opening, ride = ids_of("Відкриття", "Велопробіг")
    with override_settings(CACHES=PAGE_CACHE):
        caches["pages"].clear()
        try:
            first = client.get(f"{MY}?s={opening}")
            second = client.get(f"{MY}?s={ride}")
            again = client.get(f"{MY}?s={opening}")
            assert len(caches["pages"]._cache) > 0  # the page cache did keep them
        finally:
            caches["pages"].clear()
    assert titles_on(first.content.decode()) == ["Відкриття"]
    assert titles_on(second.content.decode()) == ["Велопробіг"]
    assert again.content == first.content
    # Nothing is stored about the visitor: no cookie is set.
    assert not first.cookies and not second.cookies
    assert "Set-Cookie" not in first


def queries_of_my_programme(client, programme, part, django_assert_max_num_queries):
    ids = list(
        Session.objects.filter(page__in=programme.get_children()).values_list("pk", flat=True)
    )
    # Every MAX_STARRED-th session at most, spread over all the days.
    step = max(1, len(ids) // MAX_STARRED)
    url = f"{programme.url}{part}?s={query(ids[::step][:MAX_STARRED])}"
    client.get(url)  # warm the site and settings caches
    with django_assert_max_num_queries(QUERY_BUDGET[part]) as captured:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    return len(captured), content.count("BEGIN:VEVENT") or content.count('<li class="session')


@pytest.mark.parametrize("part", ["my/", "my/calendar.ics"])
def test_my_programme_queries_stay_flat_from_6x6_to_30x40(
    client, home_page, django_assert_max_num_queries, part
):
    small = build_programme(home_page, 2019, 6, 6).programme_page
    small_queries, small_rows = queries_of_my_programme(
        client, small, part, django_assert_max_num_queries
    )
    large = build_programme(home_page, 2020, 30, 40).programme_page
    large_queries, large_rows = queries_of_my_programme(
        client, large, part, django_assert_max_num_queries
    )
    assert small_rows == 36
    assert large_rows == MAX_STARRED
    assert large_queries == small_queries


def test_a_day_page_has_the_stars_and_the_link_to_the_same_programme(client, edition):
    opening = ids_of("Відкриття")[0]
    html = get(client, "/2017/programme/2017-06-12/")
    assert f'<a href="{MY}" data-starred-key="starred-{edition.pk}"' in html
    assert f'data-session-id="{opening}"' in html
    assert '<script src="/static/js/starred.js" defer></script>' in html


def test_a_track_page_and_a_session_page_have_the_star_and_the_link(client, edition):
    """«A button on each session»: on its theme's page and on its own page too."""
    ride = Session.objects.get(title="Велопробіг")
    for url in (ride.track.url, ride.url):
        html = get(client, url)
        assert f'<a href="{MY}" data-starred-key="starred-{edition.pk}"' in html, url
        assert f'data-session-id="{ride.pk}"' in html, url
        assert '<script src="/static/js/starred.js" defer></script>' in html, url
    # The star names the session page's heading, inside the starred element.
    page = get(client, ride.url)
    assert "<h1>Велопробіг</h1>" in page.split(f'data-session-id="{ride.pk}"')[1]


def test_a_shared_address_offers_to_keep_its_sessions(client, edition):
    ride, opening = ids_of("Велопробіг", "Відкриття")
    html = get(client, f"{MY}?s={ride},{opening},abc")
    # The ids found, in programme order, for the script's «keep» button, which is
    # hidden (dead without the script) until the script shows it.
    assert f'data-keep-starred="{opening},{ride}"' in html
    assert '<p class="my-programme-keep" hidden>' in html
    # No starred sessions: nothing to keep.
    assert "data-keep-starred" not in get(client, MY)


def test_no_link_to_my_programme_where_the_edition_has_no_live_programme(client, edition):
    ride = Session.objects.get(title="Велопробіг")
    edition.programme_page.unpublish()
    html = get(client, ride.track.url)
    assert "data-starred-key" not in html
    assert "starred.js" not in html
