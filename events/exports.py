"""Open-data exports of an edition's programme, for the apps and portals that read
programmes in bulk rather than as web pages.

Three formats:

* the frab schedule JSON (the c3voc "schedule.json", https://c3voc.de/schedule/schema.json),
  which EventFahrplan and pretalx-based apps import, so that visitors can carry the
  programme offline, star sessions and be reminded of them;
* the same schedule as frab XML ("schedule.xml", https://c3voc.de/schedule/schema.xsd),
  the format Giggity, ConfClerk and the FOSDEM companion read: written from the JSON's
  dict, so the two never disagree;
* a CSV table with one row per session, for open-data portals and spreadsheets.

Both are plain functions of the programme page and the request, with no URL wiring.
Times are Europe/Kyiv wall-clock times, written with their UTC offset where the format
has room for one. Every session keeps its identifier across exports: the frab `guid` is
a name-based UUID (uuid5) of the site's hostname and the session's primary key, which
the page editor keeps across edits, so an app that downloads the schedule again updates
its entries (and the visitor's stars) instead of losing them.
"""

import datetime
import re
import uuid
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from anyascii import anyascii
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.text import capfirst, slugify

from events.calendar import SessionAddresses, site_hostname
from events.structured_data import LANGUAGE, absolute
from home.site_url import absolute_url
from home.spreadsheets import csv_response

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = {"name": "city-workshop"}
# The schema allows letters, digits and underscores only before the year.
ACRONYM_PREFIX = "maisternia_mista"
# The grid the apps draw the day on. Editors type times to the minute; five minutes is
# the grid pretalx uses too.
TIMESLOT_DURATION = "00:05"
SLUG_TITLE_LENGTH = 60

CSV_COLUMNS = [
    "id",
    "date",
    "start",
    "end",
    "start_iso",
    "end_iso",
    "title",
    "kind",
    "status",
    "status_note",
    "track",
    "venue",
    "spot",
    "hosts",
    "description",
    "url",
]


def site_namespace(hostname):
    return uuid.uuid5(uuid.NAMESPACE_DNS, hostname)


def session_guid(session, namespace):
    return str(uuid.uuid5(namespace, f"session/{session.pk}"))


def room_guid(venue, spot, namespace):
    return str(uuid.uuid5(namespace, f"room/{venue.pk if venue else '-'}/{spot}"))


def hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def duration(session):
    start = session.start_time.hour * 60 + session.start_time.minute
    end = session.end_time.hour * 60 + session.end_time.minute
    return hhmm(end - start)


def hosts_of(session):
    return [name.strip() for name in session.hosts.split(",") if name.strip()]


def room_name(venue, spot, fallback):
    """A venue, or a spot inside it (a tent, a stage), is what the apps call a room."""
    name = venue.name if venue else fallback
    if spot:
        return f"{name} — {spot}" if name else spot
    return name


def acronym(edition):
    return f"{ACRONYM_PREFIX}_{edition.start_date.year}"


def event_slug(session, edition):
    title = slugify(anyascii(session.title))[:SLUG_TITLE_LENGTH].strip("-_")
    return "-".join(part for part in (acronym(edition), str(session.pk), title) if part)


def schedule_version(days, edition):
    """When the programme was last published (days, tracks, the edition with its
    venues): the apps compare versions to know whether to update."""
    moments = [
        page.last_published_at
        for page in [*days, *edition.tracks, edition]
        if page.last_published_at
    ]
    if not moments:
        return ""
    return timezone.localtime(max(moments)).strftime("%Y-%m-%d %H:%M")


def programme_rows(programme, days):
    """(day, session, venue) for every session of the days, in programme order; the
    venue is the session's own, or else the edition's main venue."""
    edition = programme.edition
    for day in days:
        for session in day.sessions.all():
            yield day, session, session.place(edition)


def status_line(session):
    """«Скасовано · Лектор захворів»; empty for a planned session without a note."""
    if session.status == session.Status.PLANNED:
        return session.status_note
    return " · ".join(
        part for part in (str(capfirst(session.status_label)), session.status_note) if part
    )


def frab_event(session, day, room, url, *, edition, namespace):
    return {
        "id": session.pk,
        "guid": session_guid(session, namespace),
        "date": session.starts_at.isoformat(),
        "start": session.start_time.strftime("%H:%M"),
        "duration": duration(session),
        "room": room,
        "slug": event_slug(session, edition),
        "url": url,
        "title": session.title,
        # The schema has no status and no more fields: the apps show the subtitle
        # under the title, so a changed or cancelled session (which stays) says so there.
        "subtitle": status_line(session),
        "track": session.track.title if session.track else None,
        "type": session.kind,
        "language": LANGUAGE,
        "abstract": "",
        "description": session.description,
        "recording_license": "",
        # Sessions are not recorded, but nobody has said they must not be: unknown.
        "do_not_record": None,
        "persons": [{"name": name, "public_name": name} for name in hosts_of(session)],
        "links": [],
        "attachments": [],
    }


def frab_day(index, date, events):
    """A day of the conference with its events by room. It spans its sessions, or the
    whole day when it has none."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if events:
        day_start = min(session.starts_at for session, _ in events)
        day_end = max(session.ends_at for session, _ in events)
    else:
        day_start = datetime.datetime.combine(date, datetime.time(0), tzinfo=zone)
        day_end = datetime.datetime.combine(
            date + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
    rooms = {}
    for _session, event in events:
        rooms.setdefault(event["room"], []).append(event)
    return {
        "index": index,
        "date": date.isoformat(),
        "day_start": day_start.isoformat(),
        "day_end": day_end.isoformat(),
        "rooms": rooms,
    }


def frab_schedule(programme, request):
    """The programme as a frab schedule (c3voc schedule.json) dict.

    The conference runs over the edition's dates, each one a day (days without a
    published programme have no rooms), so that `daysCount` and `days` agree as the
    apps expect."""
    edition = programme.edition
    namespace = site_namespace(site_hostname(request))
    days = programme.days()

    rooms = {}  # name -> Room, in order of first use
    events_by_date = {}
    address = SessionAddresses(request)
    for day, session, venue in programme_rows(programme, days):
        room = room_name(venue, session.spot, edition.city)
        if room not in rooms:
            rooms[room] = {
                "name": room,
                "guid": room_guid(venue, session.spot, namespace),
                "description": venue.address if venue and venue.address else None,
            }
        event = frab_event(
            session, day, room, address(session), edition=edition, namespace=namespace
        )
        events_by_date.setdefault(day.date, []).append((session, event))

    first = min([edition.start_date, *events_by_date])
    last = max([edition.end_date, *events_by_date])
    dates = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    conference = {
        "acronym": acronym(edition),
        "title": edition.title,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "daysCount": len(dates),
        "timeslot_duration": TIMESLOT_DURATION,
        "time_zone_name": settings.TIME_ZONE,
        "url": absolute(request, edition.get_url(request)),
        "tracks": [{"name": track.title, "color": track.colour} for track in edition.tracks],
        "rooms": list(rooms.values()),
        "days": [
            frab_day(index, date, events_by_date.get(date, []))
            for index, date in enumerate(dates, start=1)
        ],
    }
    if edition.lead:
        conference["description"] = edition.lead
    return {
        "$schema": SCHEMA_URL,
        "generator": GENERATOR,
        "schedule": {
            "version": schedule_version(days, edition),
            "base_url": absolute_url("/", request),
            "conference": conference,
        },
    }


def frab_response(programme, request):
    """The frab schedule as JSON, compact, with Cyrillic as UTF-8 rather than escapes."""
    return JsonResponse(
        frab_schedule(programme, request), json_dumps_params={"ensure_ascii": False}
    )


# frab XML's event slug: the schema's `voc-slug-new` (an event whose title slugifies to
# almost nothing has none; the apps make their own then).
XML_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")
# An event's fields in frab XML, in the order frab and pretalx write them.
XML_EVENT_FIELDS = ("room", "title", "subtitle", "type", "date", "start", "duration")


def _text(parent, tag, value, **attributes):
    element = ElementTree.SubElement(parent, tag, attributes)
    element.text = "" if value is None else str(value)
    return element


def frab_xml(schedule):
    """The frab schedule dict (`frab_schedule`) as frab XML, an ElementTree element."""
    data = schedule["schedule"]
    conference = data["conference"]
    root = ElementTree.Element("schedule")
    ElementTree.SubElement(root, "generator", {"name": schedule["generator"]["name"]})
    _text(root, "version", data["version"])
    head = ElementTree.SubElement(root, "conference")
    for tag, key in (
        ("acronym", "acronym"),
        ("title", "title"),
        ("start", "start"),
        ("end", "end"),
        ("days", "daysCount"),
        ("timeslot_duration", "timeslot_duration"),
        ("base_url", None),
        ("url", "url"),
        ("time_zone_name", "time_zone_name"),
    ):
        _text(head, tag, data["base_url"] if key is None else conference[key])
    for track in conference["tracks"]:
        attributes = {"name": track["name"]}
        if track["color"]:
            attributes["color"] = track["color"]
        _text(head, "track", track["name"], **attributes)
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ElementTree.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for name, events in day["rooms"].items():
            room = ElementTree.SubElement(day_element, "room", {"name": name, "guid": guids[name]})
            for event in events:
                room.append(_frab_xml_event(event))
    ElementTree.indent(root)
    return root


def _frab_xml_event(event):
    element = ElementTree.Element("event", {"id": str(event["id"]), "guid": event["guid"]})
    for field in XML_EVENT_FIELDS:
        _text(element, field, event[field])
    _text(element, "abstract", event["abstract"])
    if XML_SLUG.fullmatch(event["slug"]):
        _text(element, "slug", event["slug"])
    _text(element, "track", event["track"])
    persons = ElementTree.SubElement(element, "persons")
    for person in event["persons"]:
        _text(persons, "person", person["public_name"])
    _text(element, "language", event["language"])
    _text(element, "description", event["description"])
    ElementTree.SubElement(element, "links")
    ElementTree.SubElement(element, "attachments")
    _text(element, "url", event["url"])
    return element


def frab_xml_response(programme, request):
    """The frab schedule as XML (`schedule.xml`), UTF-8."""
    root = frab_xml(frab_schedule(programme, request))
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def programme_csv(programme, request):
    """The programme as CSV, one row per session, in UTF-8 with a byte order mark so
    that Excel reads the Cyrillic right."""
    edition = programme.edition
    address = SessionAddresses(request)
    rows = [CSV_COLUMNS]
    for day, session, venue in programme_rows(programme, programme.days()):
        rows.append(
            [
                session.pk,
                day.date.isoformat(),
                session.start_time.strftime("%H:%M"),
                session.end_time.strftime("%H:%M"),
                session.starts_at.isoformat(),
                session.ends_at.isoformat(),
                session.title,
                session.kind,
                session.status,
                session.status_note,
                session.track.title if session.track else "",
                venue.name if venue else "",
                session.spot,
                session.hosts,
                session.description,
                address(session),
            ]
        )
    return csv_response(rows, f"programme-{edition.start_date.year}.csv")
