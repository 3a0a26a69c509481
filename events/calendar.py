"""iCalendar (RFC 5545) feeds of the programme: the whole edition, a day, a track, one
session. Written with the `icalendar` library; times in Europe/Kyiv with its VTIMEZONE.

Each session is one VEVENT whose UID comes from the session's primary key, which the
page editor keeps across edits (django-modelcluster updates rows in place), so a
calendar that downloads the feed again updates the event instead of adding a copy;
LAST-MODIFIED and DTSTAMP are when its day was last published. SEQUENCE is the
number of the session's recorded changes (`Session.sequence`, events/changes.py), so it
grows with each published change, and a cancelled session stays in the feed with
STATUS:CANCELLED: a calendar that imported or subscribed to it shows the change.

The UIDs are made from the hostname of the site's one public address (SITE_URL, the
Site record: `home.site_url`), never from the host a request came in by, so they are
the same on every server and across rollovers, and two cities' sites never share one.
A feed is published as METHOD:PUBLISH, and RFC 5546 (3.2.1) asks every VEVENT of a
PUBLISH for its ORGANIZER: the organiser's name (Settings → Site settings) with the
site's e-mail address. A site with no e-mail address has no organiser to name: its
feeds then say no METHOD at all, as RFC 5545 allows a plain iCalendar object, rather
than claim an iTIP message that libical's iTIP check (and Outlook) would reject.

The feeds are written here rather than by the `icalendar` library's components, whose
serialisation (a Parameters object, a case-insensitive dict and a content line per
property, then a fold that loops over every character in Python) took 830 ms of CPU
for the 1,440 sessions of an edition at 10x Lviv. The library still writes the parts
that are once per feed (the calendar's head, the VTIMEZONE, the ORGANIZER with its
parameters); each VEVENT's lines are text escaped as the library escapes it
(`escape_text`) and folded in steps of 74 octets (`fold`), and the result is the same,
byte for byte, as the library's (tests/test_calendar_speed.py holds it).
"""

import datetime
import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, vCalAddress
from icalendar.parser import Contentline

from home.models import SiteSettings
from home.site_url import absolute_url, site_root_url

PRODID = "-//City Workshop//Maisternia mista//UK"

# RFC 5545 (3.1): a line SHOULD NOT be longer than 75 octets without its line break;
# a longer one goes on in lines that start with a space. As the icalendar library
# does, a line is cut before it reaches 75 octets (the first holds at most 74, a
# continuation line the space and 74), never inside a character's UTF-8 sequence.
LINE_OCTETS = 75
FOLD = b"\r\n "
# A byte inside a character's UTF-8 sequence (not its first) is 10xxxxxx.
UTF8_TOP_BITS, UTF8_CONTINUATION = 0b1100_0000, 0b1000_0000
# A line is not cut right after a backslash or a caret (the start of a TEXT escape or
# of an RFC 6868 parameter escape), which some clients cannot join again: the
# library's rule (its issue #1501), kept so that the output stays the same.
ESCAPE_STARTS = b"\\^"
UTC_FORMAT = "%Y%m%dT%H%M%SZ"
LOCAL_FORMAT = "%Y%m%dT%H%M%S"
END_CALENDAR = b"END:VCALENDAR\r\n"


def escape_text(text):
    """A TEXT value as RFC 5545 (3.3.11) escapes it, exactly as the icalendar library
    does (its order matters): backslashes, semicolons, commas, and every line break
    (CRLF, LF or a lone CR) as «\\n»."""
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """One content line (a str without line breaks) as folded UTF-8 bytes: cut every
    74 octets at most, back to the start of a character, in steps rather than one
    character at a time (the library's `_foldline` gives the same bytes)."""
    data = line.encode()
    size = len(data)
    if size < LINE_OCTETS:
        return data
    pieces = []
    start = 0
    while size - start >= LINE_OCTETS:
        end = start + LINE_OCTETS - 1
        while data[end] & UTF8_TOP_BITS == UTF8_CONTINUATION:
            end -= 1
        if data[end - 1] in ESCAPE_STARTS and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return FOLD.join(pieces)


def site_hostname(request):
    """The hostname the identifiers (iCalendar UIDs, frab GUIDs) are made from: that
    of the site's public address, whatever host the request came in by."""
    return urlsplit(site_root_url(request)).hostname


def organiser(request):
    """The ORGANIZER of the feed's events: the organiser (or the site's name) with the
    site's e-mail address; None when the site settings give no address."""
    settings_ = SiteSettings.for_request(request)
    if not settings_.email:
        return None
    address = vCalAddress(f"mailto:{settings_.email}")
    address.params["cn"] = settings_.organiser_name or _("City Workshop")
    return address


def session_uid(session, hostname):
    return f"session-{session.pk}@{hostname}"


def session_location(session, venue, edition):
    """Where, on one line: the venue, the spot, the postal address (street, city,
    postcode)."""
    if venue is None:
        return session.spot
    parts = [venue.name, session.spot, venue.postal_address(edition)]
    return ", ".join(part for part in parts if part)


def session_description(session):
    lines = [session.status_note.strip()] if session.status_note else []
    if session.description:
        lines.append(session.description.strip())
    if session.hosts:
        lines.append(_("Hosts: %(hosts)s") % {"hosts": session.hosts})
    return "\n\n".join(lines)


def utc_text(moment):
    return moment.astimezone(datetime.UTC).strftime(UTC_FORMAT)


@functools.lru_cache(maxsize=64)
def timezone_lines(tzid, first_date, last_date):
    """The VTIMEZONE of a time zone over the programme's own dates (not its whole
    history), as the library writes it; the same for every feed of those dates."""
    zone = Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)
    # icalendar says the dates it covers in a COMMENT of the VTIMEZONE, which RFC 5545
    # (3.6.5) does not allow there (only in its STANDARD and DAYLIGHT parts): libical
    # flags it.
    zone.pop("COMMENT", None)
    return zone.to_ical()


class SessionAddresses:
    """The public address of each session (`Session.get_url`, made absolute), for
    feeds and exports of many sessions: the day's address and its rule for a
    session's path (`DayPage.session_path`) are asked once per day, with a marker,
    rather than reversed and joined again for every session."""

    MARKER = 987_654_321_987_654_321

    def __init__(self, request):
        self.request = request
        self.days = {}  # day id -> (the address up to the session's id, after it)

    def __call__(self, session):
        day = session.page
        parts = self.days.get(day.pk)
        if parts is None:
            before, _marker, after = day.session_path(self.MARKER).partition(str(self.MARKER))
            day_url = absolute_url(day.get_url(self.request), self.request)
            parts = self.days[day.pk] = (day_url + before, after)
        return f"{parts[0]}{session.pk}{parts[1]}"


class FeedWriter:
    """The VEVENTs of one feed. What many sessions share (their day's address and
    publication, their venue's place, their track) is worked out once per feed."""

    def __init__(self, request, edition, organizer):
        self.request = request
        self.edition = edition
        self.hostname = site_hostname(request)
        self.organizer = (
            None
            if organizer is None
            else fold(str(Contentline.from_parts("ORGANIZER", organizer.params, organizer)))
        )
        self.address = SessionAddresses(request)
        self.days = {}  # page id -> its DTSTAMP and LAST-MODIFIED lines
        self.places = {}  # (venue id, spot) -> LOCATION and GEO lines
        self.categories = {}  # track id -> CATEGORIES line
        self.cancelled = _("Cancelled: %(title)s")

    def stamps(self, day):
        lines = self.days.get(day.pk)
        if lines is None:
            stamp = utc_text(day.last_published_at or timezone.now())
            lines = self.days[day.pk] = (
                f"DTSTAMP:{stamp}".encode(),
                f"LAST-MODIFIED:{stamp}".encode(),
            )
        return lines

    def place(self, session, venue):
        key = (venue.pk if venue else None, session.spot)
        lines = self.places.get(key)
        if lines is None:
            location = session_location(session, venue, self.edition)
            geo = location_lines = ()
            if location:
                location_lines = (fold(f"LOCATION:{escape_text(location)}"),)
            if venue and venue.has_location:
                geo = (f"GEO:{float(venue.latitude)};{float(venue.longitude)}".encode(),)
            lines = self.places[key] = (geo, location_lines)
        return lines

    def category(self, track):
        line = self.categories.get(track.pk)
        if line is None:
            line = self.categories[track.pk] = fold(f"CATEGORIES:{escape_text(track.title)}")
        return line

    def event(self, session):
        """One session's VEVENT as folded lines, its properties in the library's order
        (its canonical ones first, the others alphabetically)."""
        dtstamp, last_modified = self.stamps(session.page)
        starts_at, ends_at = session.starts_at, session.ends_at
        tzid = starts_at.tzinfo.key
        if session.is_cancelled:
            # Calendars that ignore STATUS still say it in the title.
            summary, status = self.cancelled % {"title": session.title}, b"STATUS:CANCELLED"
        else:
            summary, status = session.title, b"STATUS:CONFIRMED"
        # Counted in the sessions' query (`SessionQuerySet.with_changes`), else here.
        sequence = getattr(session, "sequence", None)
        if sequence is None:
            sequence = session.changes.count()
        lines = [
            b"BEGIN:VEVENT",
            fold(f"SUMMARY:{escape_text(summary)}"),
            f"DTSTART;TZID={tzid}:{starts_at.strftime(LOCAL_FORMAT)}".encode(),
            f"DTEND;TZID={tzid}:{ends_at.strftime(LOCAL_FORMAT)}".encode(),
            dtstamp,
            fold(f"UID:{escape_text(session_uid(session, self.hostname))}"),
            f"SEQUENCE:{sequence}".encode(),
        ]
        if session.track:
            lines.append(self.category(session.track))
        if description := session_description(session):
            lines.append(fold(f"DESCRIPTION:{escape_text(description)}"))
        venue = session.place(self.edition)
        geo, location = self.place(session, venue)
        lines += geo
        lines.append(last_modified)
        lines += location
        if self.organizer is not None:
            lines.append(self.organizer)
        lines.append(status)
        lines.append(fold(f"URL:{self.address(session)}"))
        lines.append(b"END:VEVENT")
        return lines


def with_shared_relations(sessions):
    """The sessions of a query as a list, each with its day, track and venue read once
    for all (a query each) and shared, rather than joined into every row: building a
    day page, a track page and a venue for each of 1,440 sessions was most of what
    was left of an edition feed's time."""
    sessions = list(sessions.select_related(None))
    model = sessions[0] if sessions else None
    if model is None:
        return sessions
    for name in ("page", "track", "venue"):
        related = model._meta.get_field(name).related_model
        ids = {getattr(session, f"{name}_id") for session in sessions} - {None}
        found = related.objects.in_bulk(ids) if ids else {}
        for session in sessions:
            setattr(session, name, found.get(getattr(session, f"{name}_id")))
    return sessions


def calendar_response(sessions, *, name, filename, request, edition):
    """An .ics response with one VEVENT per session of the edition: a query of them
    (read with `with_shared_relations`) or sessions with their day, track and venue
    fetched."""
    if isinstance(sessions, QuerySet):
        sessions = with_shared_relations(sessions)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    organizer = organiser(request)
    if organizer is not None:
        calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    head = calendar.to_ical()
    writer = FeedWriter(request, edition, organizer)
    lines = []
    dates = []
    zones = []
    for session in sessions:
        lines += writer.event(session)
        dates.append(session.page.date)
        zone = session.starts_at.tzinfo.key
        if zone not in zones:
            zones.append(zone)
    parts = [head[: -len(END_CALENDAR)]]
    if dates:
        first, last = min(dates), max(dates) + datetime.timedelta(days=1)
        parts += [timezone_lines(zone, first, last) for zone in zones]
        lines.append(b"")
        parts.append(b"\r\n".join(lines))
    parts.append(END_CALENDAR)
    response = HttpResponse(b"".join(parts), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slugify(filename) or "calendar"}.ics"'
    return response
