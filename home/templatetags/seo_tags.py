"""What a page tells search engines and social networks about itself: its title,
description, canonical address and share image (`page_meta`), for any page of the
site. Site-wide, so it reads the pages by what they have, not by their types (which are
defined above it); the schema.org data of the editions is events' `schema_org` tag."""

import re
from dataclasses import dataclass
from html import unescape

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from home.dates import format_day
from home.models import HomePage, SiteSettings
from home.site_url import absolute_url

register = template.Library()

# The 1.91:1 image that Facebook, Telegram and search engines show for a shared link.
SHARE_IMAGE_SPEC = "fill-1200x630"
# A logo is shown whole, not cropped to the 1.91:1 frame.
LOGO_IMAGE_SPEC = "max-1200x630"
# Below this width, networks show a small thumbnail, and a track's icon cropped to the
# frame loses its edges: the edition's image is shared instead.
MIN_SHARE_WIDTH = 600
DESCRIPTION_LENGTH = 200
BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|blockquote)>|<br\s*/?>)", re.IGNORECASE)


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
    """The page's title, the one rule of both <title> and og:title: what the page is,
    then what it belongs to (a session's day and edition, a part's edition), else the
    site's name; the home page is the site's name, or its own SEO title."""
    if page is None or isinstance(page, HomePage):
        return getattr(page, "seo_title", "") or site_name
    if session is not None:
        return f"{session.title} · {format_day(page.date)} · {edition.title}"
    title = page.seo_title or page.title
    if edition is not None and edition.pk != page.pk:
        return f"{title} · {edition.title}"
    return f"{title} · {site_name}"


def url_of(request, page, session):
    """The canonical address: the page's (or the session's) without any query string."""
    if page is None:
        return absolute_url(request.path, request)
    return absolute_url((session or page).get_url(request), request)


def share_image_of(request, page, edition):
    """The page's own image when it is a photo, not an icon (a track's), else the
    edition's main image, else the organiser's logo."""
    image, spec = getattr(page, "image", None), SHARE_IMAGE_SPEC
    if image is None or image.width < MIN_SHARE_WIDTH:
        image = edition.hero_image if edition is not None else None
    if image is None:
        image, spec = SiteSettings.for_request(request).organiser_logo, LOGO_IMAGE_SPEC
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return ShareImage(
        url=absolute_url(rendition.url, request),
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
    session = context.get("session")  # a session's page, under its day
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
