"""What a page tells search engines and social networks about itself: its description,
canonical address and share image (`page_meta`), and its schema.org data as JSON-LD
(`structured_data`)."""

import json
import re
from dataclasses import dataclass
from html import unescape

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from events import structured_data
from events.models import DayPage, EditionPage, TrackPage
from home.models import HomePage, SiteSettings

register = template.Library()

# A logo is shown whole, not cropped to the 1.91:1 frame.
LOGO_IMAGE_SPEC = "max-1200x630"
# Below this width, networks show a small thumbnail, and a track's icon cropped to the
# frame loses its edges: the edition's image is shared instead.
MIN_SHARE_WIDTH = 600
DESCRIPTION_LENGTH = 200
BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|blockquote)>|<br\s*/?>)", re.IGNORECASE)
# As Django's json_script: nothing in the data can close the script element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    url: str
    image: ShareImage | None


def plain_text(text, length, html=False):
    """Text on one line, cut to `length`. Rich text loses its tags and entities, and
    its paragraphs and list items stay apart by a space."""
    if html:
        text = unescape(strip_tags(BLOCK_END.sub(r"\1 ", text)))
    return Truncator(" ".join(text.split())).chars(length)


def description_of(page, session=None):
    """The meta description: the session's own text, or the page's search description,
    lead, short description or introduction, or a sentence about the City Workshop."""
    if session is not None:
        return plain_text(session.description, DESCRIPTION_LENGTH) or page.title
    if page is not None:
        intro = getattr(page, "intro", "") or ""
        for text in (
            page.search_description,
            getattr(page, "lead", ""),
            getattr(page, "short_description", ""),
            plain_text(intro, DESCRIPTION_LENGTH, html=True),
        ):
            if text:
                return text
    return _(
        "The City Workshop: a yearly festival where residents, activists and the city "
        "talk about their city and change it together."
    )


def title_of(page, session, edition, site_name):
    """The title of a shared link: what the page is, and of which edition."""
    if page is None or isinstance(page, HomePage):
        return getattr(page, "seo_title", "") or site_name
    title = session.title if session is not None else page.seo_title or page.title
    if edition is not None and (session is not None or edition.pk != page.pk):
        return f"{title} · {edition.title}"
    return title


def url_of(request, page, session):
    """The canonical address: the page's (or the session's) without any query string."""
    if page is None:
        return request.build_absolute_uri(request.path)
    if session is not None:
        return structured_data.session_url(session, request)
    return request.build_absolute_uri(page.get_url(request))


def share_image_of(request, page, edition):
    """The track's image (a photo, not an icon), else the edition's main image, else
    the organiser's logo."""
    image, spec = None, structured_data.SHARE_IMAGE_SPEC
    if isinstance(page, TrackPage) and page.image and page.image.width >= MIN_SHARE_WIDTH:
        image = page.image
    elif edition is not None and edition.hero_image:
        image = edition.hero_image
    else:
        image, spec = SiteSettings.for_request(request).organiser_logo, LOGO_IMAGE_SPEC
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return ShareImage(
        url=request.build_absolute_uri(rendition.url),
        width=rendition.width,
        height=rendition.height,
        alt=image.default_alt_text,
    )


@register.simple_tag(takes_context=True)
def page_meta(context, site_name):
    """Title, description, canonical address and share image of the page being shown
    (a Wagtail page, a session's page, or a view such as search)."""
    request = context["request"]
    page = context.get("page")
    session = context.get("session") if isinstance(page, DayPage) else None
    if isinstance(page, HomePage):
        edition = context.get("current_edition")
    else:
        edition = context.get("edition")
    return PageMeta(
        title=title_of(page, session, edition, site_name),
        description=description_of(page, session),
        url=url_of(request, page, session),
        image=share_image_of(request, page, edition),
    )


def json_ld(data):
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def main_venue_if_needed(edition, sessions):
    """Sessions without a venue take place at the main venue: fetched only for them."""
    if any(session.venue_id is None for session in sessions):
        return edition.venues.first()
    return None


def data_for(context, site_name):
    request = context["request"]
    page = context.get("page")
    edition = context.get("edition")
    if isinstance(page, EditionPage):
        partners = [p for _label, group in context.get("partner_groups", []) for p in group]
        return structured_data.edition_event(
            page,
            request,
            venues=context.get("venues", []),
            partners=partners,
            days=context.get("days", []),
        )
    if isinstance(page, DayPage) and context.get("session") is not None:
        session = context["session"]
        return structured_data.session_page_event(
            session,
            request,
            day=page,
            edition=edition,
            main_venue=main_venue_if_needed(edition, [session]),
        )
    if isinstance(page, DayPage | TrackPage):
        sessions = context.get("sessions", [])
        return structured_data.part_events(
            sessions,
            request,
            edition=edition,
            main_venue=main_venue_if_needed(edition, sessions),
        )
    if isinstance(page, HomePage):
        return structured_data.home_series(
            page, request, name=site_name, editions=context.get("editions", [])
        )
    return None


@register.simple_tag(takes_context=True, name="structured_data")
def structured_data_script(context, site_name):
    """The page's schema.org data in a <script type="application/ld+json">: the
    edition as an Event with its sessions, a day's, a track's or one session's
    Events, or on the home page the series of editions."""
    data = data_for(context, site_name)
    if not data:
        return ""
    return json_ld(data)
