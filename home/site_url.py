"""The site's one public address. The environment variable SITE_URL (settings.SITE_URL)
is written into the default Site record by every `migrate` (and by `sync_site_url`
when only the address changed); every absolute address the site gives out, whether
a page, the sitemap, a feed, the JSON-LD, Open Graph, the API's `html_url` and
`detail_url`, an e-mail or a password reset, starts with that record's `root_url`, whatever
host a request came in by. The iCalendar UIDs and the frab GUIDs are made from its
hostname, so that two cities' sites never give the same identifier."""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.http.request import validate_host
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
    of the one Site (from Wagtail's cached list of the sites' root paths: no query once
    cached) or the default one, else SITE_URL before the first migration."""
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        return site.root_url
    root_paths = Site.get_site_root_paths()
    if len(root_paths) == 1:
        return root_paths[0].root_url
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else settings.SITE_URL


def absolute_url(path, request=None):
    """The full address of a path on the site (an address that is already absolute,
    a rendition on the object storage, say, is given back as it is)."""
    return urljoin(site_root_url(request) + "/", path)


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """`check --deploy`: the public address is a valid https address of one of the
    site's hosts; a forgotten SITE_URL would put 127.0.0.1:8000 into every link."""
    try:
        hostname, port = parse_site_url(settings.SITE_URL)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="home.E001")]
    found = []
    if port != 443:
        found.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL}: the public address should be https.",
                hint="Set SITE_URL to the address visitors reach, e.g. https://maisternia.example.org.",
                id="home.W001",
            )
        )
    if not validate_host(hostname, settings.ALLOWED_HOSTS):
        found.append(
            checks.Warning(
                f"SITE_URL's host {hostname} is not in ALLOWED_HOSTS.",
                id="home.W002",
            )
        )
    return found
