"""The calendar feeds are written line by line (events/calendar.py), not by the
icalendar library's components: what they hold must be what the library would write,
byte for byte, folded as RFC 5545 asks (lines of at most 75 octets, never cut inside a
character, CRLF and a space), with the library's escaping. The reference below is the
feed as the library builds it, as the site did before."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar, Event, vText
from icalendar.parser.string import _foldline

from events.calendar import (
    PRODID,
    escape_text,
    fold,
    organiser,
    session_description,
    session_location,
    session_uid,
    site_hostname,
)
from events.factories import DayPageFactory, SessionFactory, VenueFactory
from events.models import Session
from home.models import SiteSettings
from home.site_url import absolute_url

KYIV = datetime.timezone(datetime.timedelta(hours=3))
PUBLISHED = datetime.datetime(2017, 6, 1, 9, 30, tzinfo=KYIV)

LONG_UKRAINIAN = (
    "Прогулянка дворами Старого міста: як мешканці самі облаштовують простір між "
    "будинками, що дозволяють правила благоустрою, де шукати підтримку громади; "
    "з архітекторами, істориками та активістами ОСББ «Затишний двір»."
)
EMOJI = "Велопробіг 🚲🚲 містом 🇺🇦, зустріч біля фонтану ⛲ о 10:00; 👩🏽‍🔧 майстер-клас"


def boundary_lines():
    """Lines whose cuts fall on every kind of character at and around 74 and 75 octets:
    ASCII, two-byte Cyrillic, three-byte and four-byte signs, an escape at the cut."""
    for prefix in range(60, 80):
        for sign in ("а", "€", "🚲", "\\,", "\\n", "\\\\", "^", "x"):
            line = "DESCRIPTION:" + "x" * (prefix - 12) + sign * 6 + LONG_UKRAINIAN
            yield line
            yield line[:74]
            yield line[:75]
            yield line[:76]
    yield "SUMMARY:" + "я" * 33  # 74 octets
    yield "SUMMARY:" + "я" * 33 + "x"  # exactly 75 octets: folded
    yield "SUMMARY:" + "x" * 66  # 74 octets
    yield "SUMMARY:" + "x" * 67  # exactly 75
    yield "SUMMARY:" + "x" * 66 + "🚲"  # a four-byte sign across the 75th octet
    yield "DESCRIPTION:" + escape_text(LONG_UKRAINIAN * 20)
    yield "LOCATION:" + escape_text(EMOJI * 5)
    yield ""


@pytest.mark.parametrize("line", list(boundary_lines()))
def test_a_line_is_folded_as_the_icalendar_library_folds_it(line):
    folded = fold(line)
    assert folded == _foldline(line).encode()
    physical = folded.split(b"\r\n")
    assert all(len(part) <= 75 for part in physical)
    # No part cuts a character: each is UTF-8 on its own.
    for part in physical:
        part.decode()
    assert all(part.startswith(b" ") for part in physical[1:])
    assert b"".join([physical[0], *(part[1:] for part in physical[1:])]).decode() == line


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_any_text_is_escaped_and_folded_as_the_library_does(text):
    escaped = escape_text(text)
    assert escaped == vText(text).to_ical().decode()
    line = f"DESCRIPTION:{escaped}"
    assert fold(line) == _foldline(line).encode()


def library_feed(sessions, *, name, request, edition):
    """The feed as the icalendar library writes it from its components (the site's
    code before its feeds were written line by line)."""
    hostname = site_hostname(request)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    organizer = organiser(request)
    if organizer is not None:
        calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Kyiv")
    dates = []
    for session in sessions:
        modified = session.page.last_published_at
        event = Event()
        event.add("uid", session_uid(session, hostname))
        event.add("dtstamp", modified)
        event.add("last-modified", modified)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("sequence", session.sequence)
        if session.is_cancelled:
            event.add("status", "CANCELLED")
            event.add("summary", f"Скасовано: {session.title}")
        else:
            event.add("status", "CONFIRMED")
            event.add("summary", session.title)
        if description := session_description(session):
            event.add("description", description)
        venue = session.place(edition)
        if location := session_location(session, venue, edition):
            event.add("location", location)
        if venue and venue.has_location:
            event.add("geo", (float(venue.latitude), float(venue.longitude)))
        if organizer is not None:
            event.add("organizer", organizer)
        event.add("url", absolute_url(session.get_url(request), request))
        if session.track:
            event.add("categories", [session.track.title])
        calendar.add_component(event)
        dates.append(session.page.date)
    if dates:
        calendar.add_missing_timezones(
            first_date=min(dates), last_date=max(dates) + datetime.timedelta(days=1)
        )
    for timezone_ in calendar.walk("VTIMEZONE"):
        timezone_.pop("COMMENT", None)
    return calendar.to_ical()


@pytest.fixture
def varied(edition):
    """The conftest edition with sessions that stretch the writing: long Ukrainian
    text, emoji, commas, semicolons, backslashes and line breaks, a cancellation, a
    venue with no position, a session without a track or a venue."""
    site_settings = SiteSettings.for_site(edition.get_site())
    site_settings.email = "press@example.org"
    site_settings.organiser_name = "Житомирська міська рада; відділ «Культура, туризм»"
    site_settings.save()
    day = DayPageFactory(
        parent=edition.programme_page, date=datetime.date(2017, 6, 14), title="День 3"
    )
    nowhere = VenueFactory(
        edition=edition, name="Двір\\на Михайлівській", latitude=None, longitude=None
    )
    SessionFactory(
        page=day,
        title=EMOJI,
        description=LONG_UKRAINIAN + "\n\nДругий абзац;\r\nтретій, з \\ і ^.",
        hosts="Олена Петрук, ГО «Велосипедний Житомир», 🚲",
        track=edition.tracks[0],
        spot="Намет №2, біля сцени",
        start_time=datetime.time(9, 15),
        end_time=datetime.time(10),
    )
    SessionFactory(
        page=day,
        title="Лекція " + "довга " * 30,
        status=Session.Status.CANCELLED,
        status_note="Лектор захворів; перенесено на осінь",
        venue=nowhere,
        start_time=datetime.time(11),
        end_time=datetime.time(12, 30),
    )
    for page in edition.programme_page.get_children().specific():
        page.save_revision().publish()
    return edition


@pytest.mark.django_db
def test_every_feed_is_byte_for_byte_what_the_library_writes(client, varied, rf):
    with time_machine.travel(PUBLISHED, tick=False):
        request = rf.get("/")
        feeds = [
            (varied, varied.calendar_sessions(), f"{varied.title}"),
            *(
                (day, day.calendar_sessions(), day.calendar_name())
                for day in varied.programme_page.get_children().specific()
            ),
            *((track, track.calendar_sessions(), track.calendar_name()) for track in varied.tracks),
        ]
        for page, sessions, name in feeds:
            served = client.get(page.feed_url("calendar")).content
            expected = library_feed(list(sessions), name=name, request=request, edition=varied)
            assert served == expected, page.url
        for session in Session.objects.of_edition(varied).for_calendar():
            served = client.get(session.get_calendar_url()).content
            expected = library_feed([session], name=session.title, request=request, edition=varied)
            assert served == expected, session.title
    text = client.get(varied.feed_url("calendar")).content.decode()
    assert "ORGANIZER;CN=" in text and "Скасовано: Лекція" in text and "🚲" in text
    assert len(IcsCalendarStream.calendar_from_ics(text).events) == Session.objects.count()


@pytest.mark.django_db
def test_an_edition_feed_costs_the_same_queries_with_one_day_or_many(client, edition):
    url = edition.feed_url("calendar")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    programme = edition.programme_page
    main = edition.venues.first()
    for offset in range(2, 6):
        day = DayPageFactory(
            parent=programme, date=datetime.date(2017, 6, 12 + offset), title=f"День {offset}"
        )
        for number in range(20):
            SessionFactory(
                page=day,
                start_time=datetime.time(8 + number // 2),
                end_time=datetime.time(9 + number // 2),
                track=edition.tracks[number % 2],
                venue=VenueFactory(edition=edition) if number == 0 else main,
            )
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.count(b"BEGIN:VEVENT") == Session.objects.count() > 80
    assert len(many) == len(few)
