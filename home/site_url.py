"""The site's one public address. The environment variable SITE_URL (settings.SITE_URL)
is written into the default Site record by every `migrate` (and by `sync_site_url`
when only the address changed); every absolute address the site gives out, whether
a page, the sitemap, a feed, the JSON-LD, Open Graph, the API's `html_url` and
`detail_url`, an e-mail or a password reset, starts with that record's `root_url`, whatever
host a request came in by. The iCalendar UIDs and the frab GUIDs are made from its
hostname, so that two cities' sites never give the same identifier."""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from wagtail.models import Site

SCHEME_PORTS = {"http": 80, "https": 443}


def parse_site_url(url):
    """(hostname, port) of an address as the Site record holds them. Wagtail's
    `Site.root_url` spells https only for port 443 and http for any other: an https
    address on another port could not be given back, and is refused."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEME_PORTS or not parts.hostname:
        raise ImproperlyConfigured(f"SITE_URL must be http://host or https://host, not {url!r}")
    port = parts.port or SCHEME_PORTS[parts.scheme]
    if parts.scheme == "https" and port != 443:
        raise ImproperlyConfigured(f"SITE_URL: an https address must be on port 443: {url!r}")
    if parts.path.strip("/"):
        raise ImproperlyConfigured(f"SITE_URL is the site's root, without a path: {url!r}")
    return parts.hostname, port


def sync_site(using=DEFAULT_DB_ALIAS):
    """Writes SITE_URL into the default Site record; True when it changed."""
    hostname, port = parse_site_url(settings.SITE_URL)
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    # save() empties Wagtail's cache of the sites' root paths (its post_save signal).
    site.save(using=using, update_fields=["hostname", "port"])
    return True


def site_root_url(request=None):
    """The scheme and host every absolute address starts with: the root_url of the
    request's Site (Wagtail keeps it on the request, so no query after the first), else
    of the default Site, else SITE_URL before the first migration."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else settings.SITE_URL.rstrip("/")


def absolute_url(path, request=None):
    """The full address of a path on the site (an address that is already absolute,
    a rendition on the object storage, say, is given back as it is)."""
    return urljoin(site_root_url(request) + "/", path)
