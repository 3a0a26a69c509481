"""The open-data exports of the programme: the frab schedule JSON that the conference
apps import, checked against the published c3voc schema, and the CSV for open-data
portals, read back as a spreadsheet program would."""

import csv
import datetime
import io
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from events.exports import (
    CSV_COLUMNS,
    frab_response,
    frab_schedule,
    frab_xml_response,
    programme_csv,
)
from events.factories import DayPageFactory, SessionFactory, build_edition_at_lviv_scale
from events.models import DayPage, ProgrammePage, Session
from home.spreadsheets import neutralise

SCHEMA_PATH = Path(__file__).parent / "data" / "frab-schedule.schema.json"
XSD_PATH = Path(__file__).parent / "data" / "frab-schedule.xsd"
MAIN_VENUE = "Майданчик біля бібліотеки"


def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_frab(schedule):
    """Validates a frab JSON schedule as upstream's validator does: against the
    published schema with every format jsonschema knows checked (date, date-time, uuid
    and uri among them; date-time needs rfc3339-validator, which is asserted to be
    there, else jsonschema would skip that format without a word)."""
    checker = jsonschema.FormatChecker()
    assert {"date", "date-time", "uuid", "uri", "color"} <= set(checker.checkers)
    validator = jsonschema.Draft6Validator(load_schema(), format_checker=checker)
    errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(schedule)
    ]
    assert errors == []


@pytest.fixture
def programme(edition):
    return ProgrammePage.objects.child_of(edition).get()


@pytest.fixture
def request_(rf):
    return rf.get("/")  # host: testserver


def all_events(schedule):
    return [
        (day, room, event)
        for day in schedule["schedule"]["conference"]["days"]
        for room, events in day["rooms"].items()
        for event in events
    ]


def events_by_title(schedule):
    events = {}
    for day, room, event in all_events(schedule):
        assert event["title"] not in events, f"{event['title']} appears twice"
        events[event["title"]] = (day, room, event)
    return events


def test_the_frab_schedule_validates_against_the_published_schema(programme, request_):
    jsonschema.Draft6Validator.check_schema(load_schema())
    schedule = frab_schedule(programme, request_)
    validate_frab(schedule)

    assert schedule["$schema"] == "https://c3voc.de/schedule/schema.json"
    for day in schedule["schedule"]["conference"]["days"]:
        for moment in (day["day_start"], day["day_end"]):
            assert datetime.datetime.fromisoformat(moment).tzinfo is not None
    for _day, _room, event in all_events(schedule):
        assert datetime.datetime.fromisoformat(event["date"]).tzinfo is not None
        assert datetime.datetime.strptime(event["start"], "%H:%M")
        assert event["url"].startswith("http://testserver/2017/programme/")


def test_every_live_session_appears_once_with_its_time_room_and_track(programme, edition, request_):
    main = edition.venues.get(name=MAIN_VENUE)
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    # A session without a venue takes place at the main venue.
    SessionFactory(
        page=day1,
        title="Без місця",
        start_time=datetime.time(16, 45),
        end_time=datetime.time(18),
        venue=None,
    )
    # A day that is not published is not in the export.
    draft = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 14), live=False)
    SessionFactory(page=draft, title="Чернетка", venue=main)

    schedule = frab_schedule(programme, request_)
    events = events_by_title(schedule)
    assert set(events) == {"Відкриття", "Прогулянка дворами", "Велопробіг", "Без місця"}
    expected = {
        "Відкриття": ("2017-06-12T10:00:00+03:00", "10:00", "01:00", MAIN_VENUE, None),
        "Прогулянка дворами": (
            "2017-06-12T12:00:00+03:00",
            "12:00",
            "01:30",
            f"{MAIN_VENUE} — Намет 1",
            "Громадський простір",
        ),
        "Велопробіг": (
            "2017-06-13T10:00:00+03:00",
            "10:00",
            "01:30",
            MAIN_VENUE,
            "Громадський простір",
        ),
        "Без місця": ("2017-06-12T16:45:00+03:00", "16:45", "01:15", MAIN_VENUE, None),
    }
    for title, (date, start, duration, room, track) in expected.items():
        day, room_key, event = events[title]
        assert (event["date"], event["start"], event["duration"]) == (date, start, duration)
        assert event["room"] == room_key == room, title
        assert event["track"] == track, title
        assert day["date"] == date[:10], title
        session = Session.objects.get(title=title)
        assert event["id"] == session.pk
        assert event["url"] == f"http://testserver{session.url}"

    walk = events["Прогулянка дворами"][2]
    assert walk["persons"] == [{"name": "Олена Петрук", "public_name": "Олена Петрук"}]
    assert walk["language"] == "uk"
    assert walk["type"] == "discussion"


def test_the_conference_spans_the_edition_with_its_tracks_and_rooms(programme, request_):
    conference = frab_schedule(programme, request_)["schedule"]["conference"]
    assert conference["title"] == "Майстерня міста Житомир"
    assert conference["acronym"] == "maisternia_mista_2017"
    assert (conference["start"], conference["end"]) == ("2017-06-12", "2017-06-17")
    assert conference["time_zone_name"] == "Europe/Kyiv"
    assert conference["url"] == "http://testserver/2017/"
    assert conference["daysCount"] == len(conference["days"]) == 6
    assert [day["index"] for day in conference["days"]] == [1, 2, 3, 4, 5, 6]
    assert [day["date"] for day in conference["days"]][:2] == ["2017-06-12", "2017-06-13"]
    # The first day spans its sessions; a day without a programme is empty.
    first, last = conference["days"][0], conference["days"][-1]
    assert (first["day_start"], first["day_end"]) == (
        "2017-06-12T10:00:00+03:00",
        "2017-06-12T13:30:00+03:00",
    )
    assert last["rooms"] == {}
    assert conference["tracks"] == [
        {"name": "Громадський простір", "color": "#1b5e20"},
        {"name": "Велотранспорт", "color": "#0d47a1"},
    ]
    rooms = {room["name"]: room for room in conference["rooms"]}
    assert set(rooms) == {MAIN_VENUE, f"{MAIN_VENUE} — Намет 1"}
    assert len({room["guid"] for room in rooms.values()}) == 2


def test_guids_are_stable_across_exports_and_edits(programme, request_, rf):
    first = {e["id"]: e["guid"] for _d, _r, e in all_events(frab_schedule(programme, request_))}
    assert len(set(first.values())) == len(first) == 3
    for guid in first.values():
        assert uuid.UUID(guid).version == 5

    session = Session.objects.get(title="Відкриття")
    session.title = "Урочисте відкриття"
    session.start_time = datetime.time(9, 30)
    session.save()
    again = {e["id"]: e["guid"] for _d, _r, e in all_events(frab_schedule(programme, rf.get("/")))}
    assert again == first


def test_the_json_response_is_compact_utf8(programme, request_):
    response = frab_response(programme, request_)
    assert response["Content-Type"] == "application/json"
    body = response.content.decode("utf-8")
    assert "Прогулянка дворами" in body  # not \u-escaped
    assert "\n" not in body
    assert json.loads(body) == json.loads(
        json.dumps(frab_schedule(programme, request_), ensure_ascii=False)
    )


def read_csv(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_csv_has_every_session_once_with_its_text_intact(programme, request_):
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    tricky = SessionFactory(
        page=day1,
        title="Кавʼярня «Сад», м’ята і 'чай'",
        description='Перший рядок;\nдругий, з комою й "лапками".',
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        hosts="Ганна Пʼятничук, ГО «Місто’s»",
    )
    response = programme_csv(programme, request_)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="programme-2017.csv"'

    rows = read_csv(response)
    assert list(rows[0]) == CSV_COLUMNS
    assert sorted(row["id"] for row in rows) == sorted(
        str(pk) for pk in Session.objects.filter(page__live=True).values_list("pk", flat=True)
    )
    by_title = {row["title"]: row for row in rows}
    assert len(by_title) == len(rows) == 4

    row = by_title["Кавʼярня «Сад», м’ята і 'чай'"]
    assert row["description"] == 'Перший рядок;\nдругий, з комою й "лапками".'
    assert row["hosts"] == "Ганна Пʼятничук, ГО «Місто’s»"
    assert row["venue"] == MAIN_VENUE  # no venue given: the main one
    assert row["url"] == f"http://testserver{tricky.url}"

    walk = by_title["Прогулянка дворами"]
    assert {key: walk[key] for key in ["date", "start", "end", "start_iso", "end_iso"]} == {
        "date": "2017-06-12",
        "start": "12:00",
        "end": "13:30",
        "start_iso": "2017-06-12T12:00:00+03:00",
        "end_iso": "2017-06-12T13:30:00+03:00",
    }
    assert (walk["track"], walk["venue"], walk["spot"], walk["hosts"], walk["kind"]) == (
        "Громадський простір",
        MAIN_VENUE,
        "Намет 1",
        "Олена Петрук",
        "discussion",
    )
    assert by_title["Відкриття"]["track"] == ""


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://example.com","Реєстрація")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A9)",
        "+SUM(1)",
        "\t+380 97 758 32 44",
        "\r+380 97 758 32 44",
        "-380 97 758 32 44",
        "+380 97 758 32 44\n=1+1",
        "+380 97 758 32 44 дзвоніть",
    ],
)
def test_neutralise_prefixes_what_a_spreadsheet_would_run(value):
    assert neutralise(value) == f"'{value}"


@pytest.mark.parametrize(
    "value",
    ["+380 97 758 32 44", "+380977583244", "+38 (097) 758-32-44", "(097) 758-32-44", "Відкриття"],
)
def test_neutralise_leaves_phone_numbers_and_plain_text_alone(value):
    from home.validators import is_phone_number

    assert neutralise(value) == value
    # The rule is the phone field's own validation: what it takes is left alone.
    assert is_phone_number(value) is value.lstrip().startswith(("+", "("))


def test_the_csv_neutralises_formulas(programme, request_):
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    SessionFactory(
        page=day1,
        title='=HYPERLINK("http://example.com","Реєстрація")',
        description="-2+3",
        hosts="+380 44 000 00 00",
        spot="@намет",
        start_time=datetime.time(14),
        end_time=datetime.time(15),
    )
    SessionFactory(
        page=day1,
        title="\tТабуляція",
        description="\rПовернення",
        start_time=datetime.time(15),
        end_time=datetime.time(16),
    )
    rows = {row["id"]: row for row in read_csv(programme_csv(programme, request_))}
    formula, tab = (
        rows[str(pk)]
        for pk in Session.objects.filter(start_time__gte=datetime.time(14))
        .order_by("start_time")
        .values_list("pk", flat=True)
    )
    assert formula["title"] == '\'=HYPERLINK("http://example.com","Реєстрація")'
    assert formula["description"] == "'-2+3"
    # A phone number (as the forms' phone field validates one) is no formula.
    assert formula["hosts"] == "+380 44 000 00 00"
    assert formula["spot"] == "'@намет"
    assert tab["title"] == "'\tТабуляція"
    assert tab["description"] == "'\rПовернення"
    # Text that merely contains such characters, or starts with an apostrophe, is kept.
    assert rows[str(Session.objects.get(title="Відкриття").pk)]["title"] == "Відкриття"


def parse_frab_xml(response):
    """The frab XML of a response, parsed by lxml and validated against upstream's XML
    Schema (every type, pattern and uniqueness constraint it declares)."""
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    assert schema.validate(document), [str(error) for error in schema.error_log]
    return document


def test_the_frab_xml_validates_against_the_published_xsd(programme, request_):
    parse_frab_xml(frab_xml_response(programme, request_))


def test_the_frab_xml_says_what_the_json_says(programme, request_):
    """Written from the same dict: every event of the JSON is in the XML, in the same
    day and room, with the same identifiers, times and texts."""
    schedule = frab_schedule(programme, request_)
    document = parse_frab_xml(frab_xml_response(programme, request_))
    conference = schedule["schedule"]["conference"]
    assert document.findtext("conference/acronym") == conference["acronym"]
    assert document.findtext("conference/title") == "Майстерня міста Житомир"
    assert document.findtext("conference/days") == str(conference["daysCount"])
    assert [track.get("name") for track in document.iterfind("conference/track")] == [
        track["name"] for track in conference["tracks"]
    ]
    assert len(document.findall("day")) == conference["daysCount"]
    in_xml = {
        event.get("guid"): (
            day.get("index"),
            room.get("name"),
            event.get("id"),
            event.findtext("title"),
            event.findtext("subtitle"),
            event.findtext("date"),
            event.findtext("start"),
            event.findtext("duration"),
            event.findtext("track"),
            event.findtext("description"),
            event.findtext("url"),
            [person.text for person in event.iterfind("persons/person")],
        )
        for day in document.iterfind("day")
        for room in day.iterfind("room")
        for event in room.iterfind("event")
    }
    in_json = {
        event["guid"]: (
            str(day["index"]),
            room,
            str(event["id"]),
            event["title"],
            event["subtitle"],
            event["date"],
            event["start"],
            event["duration"],
            event["track"] or "",
            event["description"],
            event["url"],
            [person["public_name"] for person in event["persons"]],
        )
        for day, room, event in all_events(schedule)
    }
    assert in_xml == in_json
    assert len(in_xml) == Session.objects.count()


@pytest.mark.parametrize("export", [frab_schedule, frab_xml_response, programme_csv])
def test_queries_do_not_grow_with_the_programme(export, edition, home_page, rf):
    def count(edition):
        # A fresh page, without the edition and tracks of an earlier export cached.
        programme = ProgrammePage.objects.get(pk=ProgrammePage.objects.child_of(edition).get().pk)
        with CaptureQueriesContext(connection) as queries:
            export(programme, rf.get("/"))
        return len(queries)

    small = count(edition)  # 3 sessions
    assert count(build_edition_at_lviv_scale(home_page)) <= small  # 144 sessions


def test_the_programme_page_links_the_exports_at_their_addresses(client, programme):
    html = client.get(programme.url).content.decode()
    frab = client.get(programme.url + "schedule.json")
    assert frab.status_code == 200
    assert frab["Content-Type"].startswith("application/json")
    assert frab.json()["schedule"]["conference"]["acronym"] == "maisternia_mista_2017"
    table = client.get(programme.url + "programme.csv")
    assert table.status_code == 200
    assert table["Content-Disposition"] == 'attachment; filename="programme-2017.csv"'
    assert f'href="{programme.url}schedule.json"' in html
    assert f'href="{programme.url}schedule.xml"' in html
    parse_frab_xml(client.get(programme.url + "schedule.xml"))
    assert f'href="{programme.url}programme.csv"' in html
    assert "Відкриті дані" in html
    assert client.get(programme.url + "nothing.json").status_code == 404
