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
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from home.models import SiteSettings
from home.site_url import absolute_url, site_root_url

PRODID = "-//City Workshop//Maisternia mista//UK"


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


def session_event(session, request, hostname, edition, organizer=None):
    modified = session.page.last_published_at or timezone.now()
    event = Event()
    event.add("uid", session_uid(session, hostname))
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    # Counted in the sessions' query (`SessionQuerySet.with_changes`), else here.
    sequence = getattr(session, "sequence", None)
    event.add("sequence", session.changes.count() if sequence is None else sequence)
    if session.is_cancelled:
        event.add("status", "CANCELLED")
        # Calendars that ignore STATUS still say it in the title.
        event.add("summary", _("Cancelled: %(title)s") % {"title": session.title})
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
    return event


def calendar_response(sessions, *, name, filename, request, edition):
    """An .ics response with one VEVENT per session of the edition (sessions come with
    their day, track and venue fetched)."""
    hostname = site_hostname(request)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    organizer = organiser(request)
    if organizer is not None:
        calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    dates = []
    for session in sessions:
        calendar.add_component(session_event(session, request, hostname, edition, organizer))
        dates.append(session.page.date)
    if dates:
        # Only the time zone rules of the programme's own dates, not its whole history.
        calendar.add_missing_timezones(
            first_date=min(dates), last_date=max(dates) + datetime.timedelta(days=1)
        )
        # icalendar says the dates it covers in a COMMENT of the VTIMEZONE, which
        # RFC 5545 (3.6.5) does not allow there (only in its STANDARD and DAYLIGHT
        # parts): libical flags it.
        for timezone_ in calendar.walk("VTIMEZONE"):
            timezone_.pop("COMMENT", None)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slugify(filename) or "calendar"}.ics"'
    return response
