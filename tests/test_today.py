"""Today first (issue 15): on an event day the programme opens on today with «Зараз» and
«Далі» first, the other pages show them too, the venue screen shows each venue's now
and next, and the search finds sessions as their own pages."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from events.factories import DayPageFactory, SessionFactory
from events.models import DayPage, ProgrammePage, Session

KYIV = ZoneInfo("Europe/Kyiv")
# Day 2 of the conftest edition (12–17 June 2017), half past noon in Kyiv.
EVENT_DAY = datetime.datetime(2017, 6, 13, 12, 30, tzinfo=KYIV)
NOT_AN_EVENT_DAY = datetime.datetime(2017, 7, 1, 12, 30, tzinfo=KYIV)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def today(edition):
    """Day 2 with a session going on at each venue and the next ones after them."""
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    main, pavilion = edition.venues.all()
    day.sessions.all().delete()
    SessionFactory(
        page=day,
        title="Лекція про двори",
        kind=Session.Kind.LECTURE,
        start_time=datetime.time(12),
        end_time=datetime.time(13),
        venue=main,
        description="Перше речення.\n\nДруге речення.",
        hosts="Ірина Коваль",
    )
    SessionFactory(
        page=day,
        title="Кіно під зорями",
        kind=Session.Kind.FILM,
        start_time=datetime.time(12, 15),
        end_time=datetime.time(14),
        venue=None,  # the main venue
    )
    SessionFactory(
        page=day,
        title="Майстер-клас із велоремонту",
        start_time=datetime.time(13),
        end_time=datetime.time(14),
        venue=pavilion,
    )
    SessionFactory(
        page=day,
        title="Гра в павільйоні",
        start_time=datetime.time(11),
        end_time=datetime.time(12, 45),
        venue=pavilion,
    )
    return day


def section(html, css_class):
    match = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    assert match, css_class
    return match[0]


@time_machine.travel(EVENT_DAY, tick=False)
def test_the_programme_opens_on_today_with_now_and_next_first(client, today):
    html = get(client, "/2017/programme/")
    now_next = section(html, "now-next")
    assert "Лекція про двори" in now_next.split("Далі")[0]
    assert "Майстер-клас із велоремонту" in now_next.split("Далі")[1]
    # Before the introduction, the filters and the days.
    assert html.index('class="now-next"') < html.index('class="programme-filters"')
    # The day index marks today; the day before is folded away, today is open.
    assert re.search(
        rf'<a href="#day-{today.pk}" aria-current="date"[^>]*><strong>Сьогодні</strong>', html
    )
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    assert f'<details class="programme-day programme-day--past" id="day-{day1.pk}">' in html
    assert (
        f'<section class="section programme-day programme-day--today" id="day-{today.pk}">' in html
    )
    assert "/2017/programme/now/" in html


@time_machine.travel(NOT_AN_EVENT_DAY, tick=False)
def test_outside_the_event_days_every_day_is_open_and_nothing_is_now(client, today):
    html = get(client, "/2017/programme/")
    assert 'class="now-next"' not in html
    assert "programme-day--past" not in html  # no day folded away
    assert 'aria-current="date"' not in html
    assert 'class="now-next"' not in get(client, today.url)
    assert 'class="now-next"' not in get(client, "/2017/")


@time_machine.travel(EVENT_DAY, tick=False)
@pytest.mark.parametrize("url", ["/2017/programme/2017-06-12/", "/2017/", "/"])
def test_day_edition_and_home_pages_show_now_and_next_on_event_days(client, today, url):
    now_next = section(get(client, url), "now-next")
    assert "Лекція про двори" in now_next
    assert "Майстер-клас із велоремонту" in now_next


@time_machine.travel(EVENT_DAY, tick=False)
def test_session_rows_are_compact_and_the_details_are_on_the_session_page(client, today):
    html = get(client, today.url)
    session = today.sessions.get(title="Лекція про двори")
    row = re.search(
        rf'<li class="session[^"]*" id="session-{session.pk}"[^>]*>.*?</li>', html, re.S
    )[0]
    assert "12:00–13:00" in row
    assert "Лекція" in row
    assert "Майданчик біля бібліотеки" in row
    assert "Ірина Коваль" not in row and "Перше речення" not in row
    page = get(client, session.get_url())
    assert "Ірина Коваль" in page and "Перше речення" in page
    # A session without a venue is at the main venue (Session.place).
    film = today.sessions.get(title="Кіно під зорями")
    film_row = re.search(rf'id="session-{film.pk}"[^>]*>.*?</li>', html, re.S)[0]
    assert "Майданчик біля бібліотеки" in film_row


@time_machine.travel(EVENT_DAY, tick=False)
def test_the_venue_screen_shows_now_and_next_at_each_venue_and_reloads(client, edition, today):
    response = client.get("/2017/programme/now/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "s-maxage=30" in response["Cache-Control"]
    venues = re.findall(r'<section class="venue-screen__venue".*?</section>', html, re.S)
    assert len(venues) == 2
    main, pavilion = venues
    now, upcoming = main.split("Далі")
    assert "Майданчик біля бібліотеки" in main
    assert "Лекція про двори" in now and "Кіно під зорями" in now
    assert "Це була остання подія дня." in upcoming
    now, upcoming = pavilion.split("Далі")
    assert "Гра в павільйоні" in now
    assert "Майстер-клас із велоремонту" in upcoming
    assert "Оновлено о <time" in html and "12:30" in html


@time_machine.travel(EVENT_DAY, tick=False)
def test_the_venue_screen_of_one_venue_and_of_an_unknown_one(client, edition, today):
    pavilion = edition.venues.all()[1]
    html = get(client, "/2017/programme/now/", venue=pavilion.pk)
    assert html.count('class="venue-screen__venue"') == 1
    assert "<h1>Мобільний павільйон</h1>" in html
    assert "Лекція про двори" not in html
    for value in ("999999", "abc", "<b>x</b>", "1\x00", " " * 3):
        html = get(client, "/2017/programme/now/", venue=value)
        assert html.count('class="venue-screen__venue"') == 2
        if value.strip():
            assert "у цій програмі немає" in html
            assert "<b>x</b>" not in html


@time_machine.travel(NOT_AN_EVENT_DAY, tick=False)
def test_the_venue_screen_outside_the_event_days_says_so(client, today):
    html = get(client, "/2017/programme/now/")
    assert "Сьогодні програми немає" in html
    assert "venue-screen__venue" not in html


def test_now_and_next_per_venue_is_the_one_definition(edition, today):
    programme = ProgrammePage.objects.get()
    happening = programme.now_and_next(EVENT_DAY)
    assert {s.title for s in happening["now"]} == {
        "Лекція про двори",
        "Кіно під зорями",
        "Гра в павільйоні",
    }
    assert [s.title for s in happening["next"]] == ["Майстер-клас із велоремонту"]
    by_venue = {v["venue"].name: v for v in happening["venues"]}
    assert by_venue["Майданчик біля бібліотеки"]["next"] == []
    assert [s.title for s in by_venue["Мобільний павільйон"]["next"]] == [
        "Майстер-клас із велоремонту"
    ]
    film = next(s for s in happening["now"] if s.title == "Кіно під зорями")
    assert film.where == film.place(edition) == edition.venues.first()
    assert programme.now_and_next(NOT_AN_EVENT_DAY) is None


def results(client, query):
    html = get(client, "/search/", q=query)
    return re.findall(r'<li class="result">.*?</li>', html, re.S)


def test_search_finds_sessions_by_kind_title_description_and_hosts(client, today):
    lecture = today.sessions.get(title="Лекція про двори")
    film = today.sessions.get(title="Кіно під зорями")
    for query, session in (
        ("лекція", lecture),
        ("кіно", film),
        ("кінопоказ", film),
        ("речення", lecture),
        ("Коваль", lecture),
    ):
        found = results(client, query)
        assert any(f'href="{session.url}"' in r for r in found), query
        # The session is found as its own page, not as its day.
        assert not any(f'href="{today.url}"' in r for r in found), query


def test_search_snippets_keep_sentences_apart(client, today):
    (lecture,) = [r for r in results(client, "Коваль") if "Лекція про двори" in r]
    assert "Перше речення. Друге речення." in lecture
    today.intro = "<p>Ранок на площі.</p><p>Вечір у парку.</p>"
    today.save_revision().publish()
    (day,) = [r for r in results(client, "площі") if today.url in r]
    assert "Ранок на площі. Вечір у парку." in day


def test_search_does_not_find_sessions_of_a_draft_day(client, edition, today):
    draft = DayPageFactory(
        parent=ProgrammePage.objects.get(), date=datetime.date(2017, 6, 16), live=False
    )
    SessionFactory(page=draft, title="Таємна лекція")
    assert not any("Таємна" in r for r in results(client, "Таємна"))
    assert results(client, "лекція")  # the published one still is
    # Publishing the day saves its sessions again: they are found from then on.
    draft.save_revision().publish()
    assert any("Таємна лекція" in r for r in results(client, "Таємна"))


def test_search_results_page_through_sessions_then_pages(client, edition, today):
    for number in range(25):
        SessionFactory(page=today, title=f"Двори й вулиці {number}")
    first = get(client, "/search/", q="Двори")
    second = get(client, "/search/", q="Двори", page=2)
    titles = re.findall(r'class="result__title"><a href="[^"]+">([^<]+)</a>', first + second)
    assert len(titles) == len(set(titles)) >= 26
    assert "Сторінка 2 з 2" in second


@pytest.mark.parametrize("url", ["/2017/programme/", "/2017/programme/2017-06-13/"])
def test_pages_showing_now_and_next_are_cached_a_minute_at_most(client, today, url):
    with time_machine.travel(EVENT_DAY, tick=False):
        assert "s-maxage=60" in client.get(url)["Cache-Control"]
    with time_machine.travel(NOT_AN_EVENT_DAY, tick=False):
        assert "s-maxage=60" not in client.get(url).get("Cache-Control", "")
