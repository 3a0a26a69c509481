"""schema.org data of the site's pages, for search engines and maps (written into the
pages as JSON-LD by events/templatetags/schema_org.py).

Every Event is complete for Google's Event rich result, wherever it is given: name,
start and end, the place with its postal address, the organiser, an image, a
description, its status (scheduled, rescheduled, cancelled: `Session.status`), that
it happens in person, and, for a free edition, that it is free (an Offer at 0 UAH).
A page inside an edition gives the edition's Event beside its own data in one
`@graph`, and its sessions point to it by `@id` (`superEvent`), so that the edition is
written once. The home page lists its editions, the programme its sessions (an
ItemList of Events), the documents page its documents (a CollectionPage of
DigitalDocuments), a form page is a WebPage about the edition it is for.

Built from what the pages already hold in their context (the edition's venues and
partners, the days with their sessions, the day's or the track's sessions); the
images of a page are read in one query, and each rendition once. Every address is
absolute, from the site's one public address (`home.site_url.absolute_url`). Times
are given with the offset of Europe/Kyiv: 2017-06-12T15:00:00+03:00.
"""

import datetime

from django.utils.text import capfirst
from wagtail.images import get_image_model

from events.calendar import session_description
from home.models import SiteSettings
from home.site_url import absolute_url
from home.templatetags.seo_tags import (  # the same images as og:image
    LOGO_IMAGE_SPEC,
    MIN_SHARE_WIDTH,
    SHARE_IMAGE_SPEC,
    description_of,
)

# A partner's logo as the page shows it: a rendition, since original images have no
# public address (deploy/nginx.conf serves /media/images/ only).
PARTNER_LOGO_SPEC = "max-240x120"

CONTEXT = "https://schema.org"
SCHEMA = "https://schema.org/"
SCHEDULED = SCHEMA + "EventScheduled"
RESCHEDULED = SCHEMA + "EventRescheduled"
CANCELLED = SCHEMA + "EventCancelled"
OFFLINE = SCHEMA + "OfflineEventAttendanceMode"
IN_STOCK = SCHEMA + "InStock"
DISCONTINUED = SCHEMA + "Discontinued"
# A session's status (`Session.Status`) as schema.org's EventStatusType.
EVENT_STATUS = {"planned": SCHEDULED, "changed": RESCHEDULED, "cancelled": CANCELLED}
LANGUAGE = "uk"
COUNTRY = "UA"
CURRENCY = "UAH"


def absolute(request, url):
    """The full address of a path on the site, None for none (the frab export's too)."""
    return absolute_url(url, request) if url else None


def session_url(session, request):
    return absolute(request, session.url)


class StructuredData:
    """The schema.org data of one request's page. `site_name` names the organiser when
    the site settings name none."""

    def __init__(self, request, site_name):
        self.request = request
        self.site_name = site_name
        self.settings = SiteSettings.for_request(request)
        self.images = {}
        self.renditions = {}

    # Addresses and images

    def url(self, path):
        # A page previewed before its first save has no address yet.
        return absolute(self.request, path)

    def load_images(self, image_ids):
        """Reads the images a page shows (tracks', editions', the organiser's logo)
        in one query."""
        missing = {pk for pk in image_ids if pk and pk not in self.images}
        if missing:
            self.images.update(get_image_model().objects.in_bulk(missing))

    def rendition_url(self, image, spec):
        key = (image.pk, spec)
        if key not in self.renditions:
            self.renditions[key] = self.url(image.get_rendition(spec).url)
        return self.renditions[key]

    def image_of(self, edition, track=None):
        """The image of an event, as og:image picks it: its track's when that is a
        photo, not an icon, else the edition's main image, else the organiser's logo."""
        image = self.images.get(track.image_id) if track is not None else None
        if image is not None and image.width >= MIN_SHARE_WIDTH:
            return self.rendition_url(image, SHARE_IMAGE_SPEC)
        if (image := self.images.get(edition.hero_image_id)) is not None:
            return self.rendition_url(image, SHARE_IMAGE_SPEC)
        if (image := self.images.get(self.settings.organiser_logo_id)) is not None:
            return self.rendition_url(image, LOGO_IMAGE_SPEC)
        return None

    def prepare(self, editions, sessions=()):
        self.load_images(
            [
                self.settings.organiser_logo_id,
                *(edition.hero_image_id for edition in editions),
                *(session.track.image_id for session in sessions if session.track),
            ]
        )

    # Places and organisations

    def place(self, venue, edition):
        address = {"@type": "PostalAddress"}
        if venue.address:
            address["streetAddress"] = venue.address
        address["addressLocality"] = venue.city(edition)
        if venue.postal_code:
            address["postalCode"] = venue.postal_code
        if venue.region:
            address["addressRegion"] = venue.region
        address["addressCountry"] = COUNTRY
        data = {"@type": "Place", "name": venue.name, "address": address}
        if venue.has_location:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(venue.latitude),
                "longitude": float(venue.longitude),
            }
        return data

    def city(self, edition):
        """An edition without venues takes place in its city."""
        return {
            "@type": "Place",
            "name": edition.city,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": edition.city,
                "addressCountry": COUNTRY,
            },
        }

    def edition_location(self, edition, venues):
        """The main venue, all the venues when there are several, or the city alone."""
        if not venues:
            return self.city(edition)
        if len(venues) == 1:
            return self.place(venues[0], edition)
        return [self.place(venue, edition) for venue in venues]

    def organiser(self):
        """The site's organiser (Settings → Site settings)."""
        data = {
            "@type": "Organization",
            "name": self.settings.organiser_name or self.site_name,
            "url": self.settings.organiser_url or self.url("/"),
        }
        if (logo := self.images.get(self.settings.organiser_logo_id)) is not None:
            data["logo"] = self.rendition_url(logo, LOGO_IMAGE_SPEC)
        return data

    def partner(self, partner):
        data = {"@type": "Organization", "name": partner.name}
        if partner.url:
            data["url"] = partner.url
        if partner.logo:
            data["logo"] = self.rendition_url(partner.logo, PARTNER_LOGO_SPEC)
        return data

    def offer(self, url, edition, *, cancelled=False):
        data = {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": CURRENCY,
            "availability": DISCONTINUED if cancelled else IN_STOCK,
            "url": url,
        }
        if edition.published_on:
            data["validFrom"] = edition.published_on.isoformat()
        return data

    # Events

    def edition_id(self, edition):
        url = self.url(edition.get_url(self.request))
        return f"{url}#event" if url else None

    def edition_event(self, edition, venues, partners=()):
        """The edition as an Event with its dates, place, image and organisers.
        `venues` in their order (the main one first), `partners` with their logos."""
        url = self.url(edition.get_url(self.request))
        data = {
            "@type": "Event",
            "@id": self.edition_id(edition),
            "name": edition.title,
            "description": edition.lead,
            "url": url,
            "startDate": edition.start_date.isoformat(),
            "endDate": edition.end_date.isoformat(),
            "eventStatus": SCHEDULED,
            "eventAttendanceMode": OFFLINE,
            "location": self.edition_location(edition, venues),
            "inLanguage": LANGUAGE,
        }
        if image := self.image_of(edition):
            data["image"] = [image]
        organisers = [self.organiser()]
        names = {organisers[0]["name"]}
        for partner in partners:
            if partner.role == "organiser" and partner.name not in names:
                organisers.append(self.partner(partner))
        data["organizer"] = organisers
        if funders := [self.partner(p) for p in partners if p.role == "funder"]:
            data["funder"] = funders
        self.add_entry(data, url, edition)
        return data

    def add_entry(self, data, url, edition, *, cancelled=False):
        if edition.free_entry:
            data["isAccessibleForFree"] = True
            data["offers"] = self.offer(url, edition, cancelled=cancelled)

    def session_event(self, session, edition):
        """One session (with its day, track and venue fetched) as an Event, a part of
        the edition (`superEvent`). Its place is `Session.place`."""
        url = session_url(session, self.request)
        track = session.track
        data = {
            "@type": "Event",
            "@id": f"{url}#event",
            "name": session.title,
            "description": session_description(session)
            or f"{capfirst(session.kind_label)} · {edition.title}",
            "url": url,
            "startDate": session.starts_at.isoformat(),
            "endDate": session.ends_at.isoformat(),
            "eventStatus": EVENT_STATUS.get(session.status, SCHEDULED),
            "eventAttendanceMode": OFFLINE,
            "inLanguage": LANGUAGE,
        }
        # The start before the last move, counted in the sessions' query
        # (`SessionQuerySet.with_changes`), when there was one.
        moved_from = getattr(session, "moved_from", None)
        if data["eventStatus"] == RESCHEDULED and moved_from is not None:
            previous = datetime.datetime.combine(
                session.page.date, moved_from, session.starts_at.tzinfo
            )
            data["previousStartDate"] = previous.isoformat()
        venue = session.place(edition)
        data["location"] = self.place(venue, edition) if venue else self.city(edition)
        if image := self.image_of(edition, track):
            data["image"] = [image]
        data["organizer"] = self.organiser()
        if hosts := [name.strip() for name in session.hosts.split(",") if name.strip()]:
            data["performer"] = [{"@type": "Person", "name": name} for name in hosts]
        self.add_entry(data, url, edition, cancelled=session.is_cancelled)
        if track is not None:
            data["about"] = {"@type": "Thing", "name": track.title, "url": self.url(track.url)}
            data["keywords"] = track.title
        data["superEvent"] = {"@id": self.edition_id(edition)}
        return data

    def edition_node(self, edition):
        """The edition as the pages inside it give it: at its main venue."""
        venue = edition.main_venue
        return self.edition_event(edition, [venue] if venue else [])

    def graph(self, *nodes):
        return {"@context": CONTEXT, "@graph": list(nodes)}

    # Pages

    def edition_page(self, edition, *, venues, partners, days):
        """The edition page: the edition with its sessions as subEvents. `days` with
        their sessions, tracks and venues prefetched."""
        sessions = [session for day in days for session in day.sessions.all()]
        self.prepare([edition], sessions)
        data = {"@context": CONTEXT, **self.edition_event(edition, venues, partners)}
        if sub_events := [self.session_event(session, edition) for session in sessions]:
            data["subEvent"] = sub_events
        return data

    def sessions_page(self, sessions, *, edition):
        """A day's, a track's or one session's page: the sessions (with their day,
        track and venue fetched), then the edition they are part of."""
        sessions = list(sessions)
        self.prepare([edition], sessions)
        return self.graph(
            *(self.session_event(session, edition) for session in sessions),
            self.edition_node(edition),
        )

    def programme_page(self, page, *, edition, days):
        """The programme: its days, as shown (filtered), as a list of their pages. The
        sessions' Events are on the day pages (and the themes' and their own), not
        repeated here: at 1,440 sessions they were most of the page (issue 18)."""
        self.prepare([edition])
        url = self.url(page.get_url(self.request))
        programme = {
            "@type": "ItemList",
            "@id": f"{url}#programme",
            "name": page.title,
            "url": url,
            "numberOfItems": len(days),
            "itemListOrder": SCHEMA + "ItemListOrderAscending",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "url": self.url(day.get_url(self.request)),
                    "name": day.title,
                }
                for position, day in enumerate(days, start=1)
            ],
        }
        return self.graph(programme, self.edition_node(edition))

    def web_page(self, page, edition, kind="WebPage"):
        url = self.url(page.get_url(self.request))
        return {
            "@type": kind,
            "@id": url,
            "name": page.title,
            "url": url,
            "description": description_of(page),
            "inLanguage": LANGUAGE,
            "about": {"@id": self.edition_id(edition)},
        }

    def documents_page(self, page, *, edition, documents):
        """The documents page: a collection of the edition's documents."""
        self.prepare([edition])
        data = self.web_page(page, edition, "CollectionPage")
        data["mainEntity"] = {
            "@type": "ItemList",
            "numberOfItems": len(documents),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "item": {
                        "@type": "DigitalDocument",
                        "name": item.display_title,
                        "url": self.url(item.document.url),
                        "encodingFormat": item.document.content_type,
                        **({"description": item.description} if item.description else {}),
                    },
                }
                for position, item in enumerate(documents, start=1)
            ],
        }
        return self.graph(data, self.edition_node(edition))

    def form_page(self, page, *, edition):
        """A registration form or questionnaire: a page about the edition it is for."""
        self.prepare([edition])
        return self.graph(self.web_page(page, edition), self.edition_node(edition))

    def home_page(self, home, *, editions):
        """The site and its editions (`editions` with their venues prefetched)."""
        editions = list(editions)
        self.prepare(editions)
        url = self.url(home.get_url(self.request))
        site = {
            "@type": "WebSite",
            "@id": f"{url}#website",
            "name": self.site_name,
            "url": url,
            "inLanguage": LANGUAGE,
            "publisher": self.organiser(),
        }
        if home.search_description:
            site["description"] = home.search_description
        listing = {
            "@type": "ItemList",
            "@id": f"{url}#editions",
            "name": self.site_name,
            "numberOfItems": len(editions),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "item": self.edition_event(edition, list(edition.venues.all())),
                }
                for position, edition in enumerate(editions, start=1)
            ],
        }
        return self.graph(site, listing)
