"""schema.org data of the editions and their programme, for search engines and maps
(written into the pages as JSON-LD).

Plain functions that return dicts, built from what the pages already hold in their
context (the edition's venues and partners, the days with their sessions, the day's
or the track's sessions), so that they add no queries of their own. Times are given
with the offset of Europe/Kyiv: 2017-06-12T15:00:00+03:00.
"""

from events.calendar import session_description
from home.site_url import absolute_url
from home.templatetags.seo_tags import SHARE_IMAGE_SPEC  # the same image as og:image

# A partner's logo as the page shows it: a rendition, since original images have no
# public address (deploy/nginx.conf serves /media/images/ only).
PARTNER_LOGO_SPEC = "max-240x120"

CONTEXT = "https://schema.org"
SCHEDULED = "https://schema.org/EventScheduled"
OFFLINE = "https://schema.org/OfflineEventAttendanceMode"
LANGUAGE = "uk"
COUNTRY = "UA"


def absolute(request, url):
    return absolute_url(url, request) if url else None


def place(venue, city):
    data = {"@type": "Place", "name": venue.name}
    data["address"] = {
        "@type": "PostalAddress",
        **({"streetAddress": venue.address} if venue.address else {}),
        "addressLocality": city,
        "addressCountry": COUNTRY,
    }
    if venue.has_location:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    return data


def edition_location(edition, venues):
    """The main venue, all the venues when there are several, or the city alone."""
    if not venues:
        return {
            "@type": "Place",
            "name": edition.city,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": edition.city,
                "addressCountry": COUNTRY,
            },
        }
    if len(venues) == 1:
        return place(venues[0], edition.city)
    return [place(venue, edition.city) for venue in venues]


def organization(partner, request):
    data = {"@type": "Organization", "name": partner.name}
    if partner.url:
        data["url"] = partner.url
    if partner.logo:
        data["logo"] = absolute(request, partner.logo.get_rendition(PARTNER_LOGO_SPEC).url)
    return data


def edition_id(edition, request):
    # A page previewed before its first save has no address yet.
    url = absolute(request, edition.get_url(request))
    return f"{url}#event" if url else None


def edition_reference(edition, request):
    """The edition as the superEvent of a day's, a track's or a session's events."""
    return {
        "@type": "Event",
        "@id": edition_id(edition, request),
        "name": edition.title,
        "url": absolute(request, edition.get_url(request)),
        "startDate": edition.start_date.isoformat(),
        "endDate": edition.end_date.isoformat(),
    }


def session_url(session, request):
    return absolute(request, session.url)


def session_event(session, request, *, day, edition, track):
    """One session as an Event. Its day and track are given by the caller, who has
    them at hand; its place is `Session.place`."""
    data = {
        "@type": "Event",
        "name": session.title,
        "startDate": session.starts_at.isoformat(),
        "endDate": session.ends_at.isoformat(),
        "url": session_url(session, request),
        "eventStatus": SCHEDULED,
        "eventAttendanceMode": OFFLINE,
        "inLanguage": LANGUAGE,
    }
    if description := session_description(session):
        data["description"] = description
    if (venue := session.place(edition)) is not None:
        data["location"] = place(venue, edition.city)
    if track is not None:
        data["about"] = {
            "@type": "Thing",
            "name": track.title,
            "url": absolute(request, track.url),
        }
        data["keywords"] = track.title
    return data


def edition_summary(edition, request, *, venues):
    """The edition as an Event with its dates and place, as the home page lists it."""
    return {
        "@type": "Event",
        "@id": edition_id(edition, request),
        "name": edition.title,
        "description": edition.lead,
        "startDate": edition.start_date.isoformat(),
        "endDate": edition.end_date.isoformat(),
        "eventStatus": SCHEDULED,
        "eventAttendanceMode": OFFLINE,
        "location": edition_location(edition, venues),
        "inLanguage": LANGUAGE,
        "url": absolute(request, edition.get_url(request)),
    }


def edition_event(edition, request, *, venues, partners, days):
    """The edition as an Event with its image, organisers, funders and its sessions
    as subEvents. `venues` in their order (the main one first), `partners` with their
    logos, `days` with their sessions, tracks and venues prefetched."""
    data = {"@context": CONTEXT, **edition_summary(edition, request, venues=venues)}
    if edition.hero_image:
        rendition = edition.hero_image.get_rendition(SHARE_IMAGE_SPEC)
        data["image"] = absolute(request, rendition.url)
    for key, role in (("organizer", "organiser"), ("funder", "funder")):
        if organisations := [organization(p, request) for p in partners if p.role == role]:
            data[key] = organisations
    sub_events = [
        session_event(
            session,
            request,
            day=day,
            edition=edition,
            track=session.track,
        )
        for day in days
        for session in day.sessions.all()
    ]
    if sub_events:
        data["subEvent"] = sub_events
    return data


def part_events(sessions, request, *, edition):
    """The sessions of a day or of a track (with their day, track and venue fetched)
    as a list of Events, each a part of the edition."""
    reference = edition_reference(edition, request)
    return [
        {
            "@context": CONTEXT,
            **session_event(
                session,
                request,
                day=session.page,
                edition=edition,
                track=session.track,
            ),
            "superEvent": reference,
        }
        for session in sessions
    ]


def session_page_event(session, request, *, day, edition):
    """One session (with its track and venue fetched) as an Event of the edition."""
    return {
        "@context": CONTEXT,
        **session_event(
            session,
            request,
            day=day,
            edition=edition,
            track=session.track,
        ),
        "superEvent": edition_reference(edition, request),
    }


def home_series(home, request, *, name, editions):
    """The City Workshop as an EventSeries of its editions (`editions` with their
    venues prefetched)."""
    data = {
        "@context": CONTEXT,
        "@type": "EventSeries",
        "name": name,
        "url": absolute(request, home.get_url(request)),
        "inLanguage": LANGUAGE,
    }
    if home.search_description:
        data["description"] = home.search_description
    sub_events = [
        edition_summary(edition, request, venues=list(edition.venues.all())) for edition in editions
    ]
    if sub_events:
        data["subEvent"] = sub_events
    return data
