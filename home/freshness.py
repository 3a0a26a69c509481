"""Freshness: a page cache that survives publishing, and validators that cost one
cache read (issue 18).

What a change shows. Each page type says which addresses show it, in two methods
on the page models: Wagtail's `get_cached_paths()` (its own addresses: the page, its
feeds, its routes, a day's session pages) and `get_showing_pages()` (the other pages
whose answers show it: a day's programme, edition, tracks and the home page).
`urls_shown_by(pages)` puts them together with the site-wide listings (the APIs, the
sitemap, search) as absolute URLs. The local page cache and the CDN purge both take
that one set: `pages_changed(pages)`.

Versions. The default cache keeps a token per path (`freshness:path:<path>`) and one
for the whole site (`freshness:site`). The page cache's key includes both, so a purge
is one write per path and every query-string variant of the path (`?track=`, the
APIs' filters) misses with it; a site-wide change (the site settings, the urgent
notice, a page moved or deleted) is one write. A token is made when first read (with
`add`, so two readers agree) and lives until the next change. While the cache cannot
keep a value (Redis down), a request has no version: it is neither cached nor
answered from a validator, and a change that could not be written empties the cache
when it is back (ResilientRedisCache.clear_when_available).

Validators. A cacheable anonymous answer (200) leaves with an ETag (the hash of its
content, Django's ConditionalGetMiddleware) and a Last-Modified, and its record is
kept under its URL and language (`freshness:answer:…`): the versions it was made
with, its ETag, Last-Modified, the Kyiv date, the headers a 304 repeats, and, for an
answer kept a minute or less (a page showing «Зараз/Далі» during the event, one
bound by an urgent notice's end), the moment until which it holds. A conditional GET
whose versions, date and moment still match the record is answered 304 from the one
`get_many` that reads the versions: no database, no render. Anything else goes on
to the page cache and the view, and Django's ConditionalGetMiddleware answers as
before. Requests with credentials or with cookies other than the CSRF and language
ones never get a validator-based 304 and leave no record.
"""

import hashlib
import logging
import secrets
import socket
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.http import http_date, parse_http_date
from django.utils.translation import get_language
from django_tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch, purge_urls_from_cache
from wagtail.models import Page, ReferenceIndex

from cms.middleware import (
    AnonymousFetchFromCacheMiddleware,
    AnonymousUpdateCacheMiddleware,
    carries_credentials,
)
from home.site_url import absolute_url

logger = logging.getLogger(__name__)

SITE_KEY = "freshness:site"
PATH_KEY = "freshness:path:"
ANSWER_KEY = "freshness:answer:"
# Addresses that list or find every page: any publication changes them.
SITE_WIDE_PATHS = ("/sitemap.xml", "/search/", "/api/v2/pages/", "/api/v3/pages/")
MEDIA_API_PATHS = {
    "document": ("/api/v2/documents/", "/api/v3/documents/"),
    "image": ("/api/v2/images/", "/api/v3/images/"),
}
# A page showing «Зараз/Далі» is kept (page cache, CDN, its validator) this long at most.
NOW_SECONDS = 60
# Cookies that do not change what an anonymous reader is shown.
NEUTRAL_COOKIES = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
# The CDN purge, in the background worker (as home/notice.py's): seconds per request,
# addresses per request (Cloudflare takes 30), seconds after which it stops.
PURGE_TIMEOUT = 5
PURGE_CHUNK = 10
PURGE_SECONDS = 20
PURGE_PRIORITY = 50  # before any mail waiting in the same queue


def new_token():
    """A version: the time it was made (a Last-Modified) and a random part."""
    return f"{time.time():.3f}.{secrets.token_hex(4)}"


def token_time(token):
    return float(token.rsplit(".", 1)[0])


def path_key(path):
    return PATH_KEY + path


# What a change shows --------------------------------------------------------------


def page_urls(page, batch):
    """The absolute URLs of a page's own addresses (its `get_cached_paths()`), as
    Wagtail's frontend cache computes them, and of its two API details."""
    batch.add_page(page)
    return [absolute_url(f"/api/v2/pages/{page.pk}/"), absolute_url(f"/api/v3/pages/{page.pk}/")]


def showing_pages(page):
    """The other pages that show `page`: its own `get_showing_pages()`, else (a page
    type that does not say) its parent, whose page lists its parts."""
    if hasattr(page, "get_showing_pages"):
        return list(page.get_showing_pages())
    parent = page.get_parent()
    return [parent.specific] if parent is not None and parent.depth > 1 else []


def urls_shown_by(pages):
    """Every absolute URL whose answer shows one of `pages`: their own addresses, those
    of the pages that show them, the API's details of both and the site-wide
    listings. The one definition the page cache and the CDN purge share."""
    batch = PurgeBatch()
    urls = absolute_paths(SITE_WIDE_PATHS)
    seen = set()
    for page in pages:
        for shown in [page, *showing_pages(page)]:
            if shown.pk in seen:
                continue
            seen.add(shown.pk)
            urls.update(page_urls(shown.specific_deferred, batch))
    urls.update(batch.urls)
    return urls


def pages_referring_to(instance):
    """The pages that show a document or an image (Wagtail's reference index: a
    documents page's rows, an edition's links, a hero image, a partner's logo)."""
    references = ReferenceIndex.get_references_to(instance)
    ids = {
        int(reference.object_id)
        for reference in references.select_related("base_content_type")
        if reference.base_content_type.model_class() is Page
    }
    return list(Page.objects.filter(pk__in=ids).specific())


# Versions ---------------------------------------------------------------------------


def write_versions(paths=(), site=False):
    """New tokens for `paths` (and the whole site): one write. A write that the cache
    could not take (Redis down) leaves it to be emptied when it is back."""
    tokens = {path_key(path): new_token() for path in paths}
    if site:
        tokens[SITE_KEY] = new_token()
    if not tokens:
        return
    failed = cache.set_many(tokens, timeout=None)
    if failed and hasattr(cache, "clear_when_available"):
        cache.clear_when_available()


def local_paths(urls):
    return {urlsplit(url).path for url in urls}


def absolute_paths(paths):
    return {absolute_url(path) for path in paths}


def pages_changed(pages, also=()):
    """After a publication, an unpublication or a document's or image's change: the
    addresses the pages show (and `also`, absolute URLs) get new versions now (the
    editor's next read) and again once the transaction is committed (a reader's render
    in between may have stored the old answer under the new version), and the CDN
    purges them then. Returns the URLs."""
    urls = urls_shown_by(pages) | set(also)
    paths = local_paths(urls)
    write_versions(paths)
    transaction.on_commit(lambda: (write_versions(paths), queue_purge(sorted(urls))))
    return urls


def everything_changed():
    """A change every page shows (the site settings: the footer, the contacts; a page
    moved or deleted; the urgent notice): one new site version, every live page purged
    from the CDN."""
    write_versions(site=True)
    transaction.on_commit(lambda: (write_versions(site=True), queue_purge(None)))


def queue_purge(urls):
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):  # a CDN or caching proxy
        purge_front_end_cache.using(priority=PURGE_PRIORITY).enqueue(urls)


@contextmanager
def socket_timeout(seconds):
    """New sockets give up after `seconds` (the worker runs one task at a time)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def every_live_url():
    """The API's notice and every live page's addresses (the site's top first)."""
    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().public().specific(defer=True))
    site_wide = [absolute_url(path) for path in (*SITE_WIDE_PATHS, "/api/v2/notice/")]
    return [*site_wide, *sorted(batch.urls, key=lambda url: (url.count("/"), url))]


@task(backend="mail")
def purge_front_end_cache(urls=None):
    """The CDN or caching proxy (Wagtail's frontend_cache backends,
    cms/settings/production.py) forgets `urls` (None: every live page), a few at a
    time. The proxy drops every query-string variant of a purged URL with it
    (docs/deploy.md). A CDN so slow that PURGE_SECONDS go by is left alone for the
    rest, which are then at most PAGE_CACHE_SECONDS behind. Returns how many
    addresses were sent, of how many."""
    urls = every_live_url() if urls is None else list(urls)
    deadline = time.monotonic() + PURGE_SECONDS
    with socket_timeout(PURGE_TIMEOUT):
        for start in range(0, len(urls), PURGE_CHUNK):
            if time.monotonic() > deadline:
                logger.warning(
                    "CDN purge stopped after %d of %d addresses: the CDN is too slow; the "
                    "others show the change within the page cache's lifetime",
                    start,
                    len(urls),
                )
                return {"purged": start, "of": len(urls)}
            purge_urls_from_cache(urls[start : start + PURGE_CHUNK])
    return {"purged": len(urls), "of": len(urls)}


# Validators -------------------------------------------------------------------------


def is_neutral(request):
    """An anonymous GET or HEAD whose cookies do not change the answer."""
    return (
        request.method in ("GET", "HEAD")
        and not carries_credentials(request)
        and set(request.COOKIES) <= NEUTRAL_COOKIES
    )


def answer_key(request):
    address = f"{request.build_absolute_uri()} {get_language()}"
    return ANSWER_KEY + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


class Versions:
    """The versions a request is answered under, and the record of its last answer."""

    def __init__(self, site, path, answer):
        self.site = site
        self.path = path
        self.answer = answer

    @property
    def key_prefix(self):
        return f"{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.{self.site}.{self.path}"

    def current_answer(self, now=None):
        """The recorded answer, if it still holds: made under these versions, today,
        and (a minute's answer) not past its moment."""
        answer = self.answer
        now = now or time.time()
        if (
            not answer
            or answer["site"] != self.site
            or answer["path"] != self.path
            or answer["day"] != timezone.localdate().isoformat()
            or (answer["until"] is not None and now >= answer["until"])
        ):
            return None
        return answer


def read_versions(request):
    """The request's versions and its record: one `get_many`. Missing tokens are made
    (`add`: the first writer wins); None when the cache keeps nothing now."""
    keys = [SITE_KEY, path_key(request.path), answer_key(request)]
    found = cache.get_many(keys)
    for key in keys[:2]:
        if key not in found:
            cache.add(key, new_token(), timeout=None)
            found[key] = cache.get(key)
            if found[key] is None:
                return None
    return Versions(found[keys[0]], found[keys[1]], found.get(keys[2]))


def not_modified(request, answer, now=None):
    """A 304 for a conditional request that the recorded answer satisfies, else None."""
    if not (request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since")):
        return None
    response = get_conditional_response(
        request, etag=answer["etag"], last_modified=int(answer["last_modified"])
    )
    if response is None or response.status_code != 304:
        return None
    response["ETag"] = answer["etag"]
    response["Last-Modified"] = http_date(answer["last_modified"])
    for header, value in answer["headers"].items():
        response[header] = value
    # No Content-Security-Policy: a browser updates its stored copy's headers with the
    # 304's, and a policy made now would lack the nonce of the copy's inline style
    # (the themes' colours), which the browser would then refuse. Without one, the
    # copy keeps the policy it came with.
    response._csp_exempt = response._csp_exempt_ro = True
    if answer["until"] is not None:
        left = max(0, int(answer["until"] - (now or time.time())))
        patch_cache_control(response, max_age=min(left, get_max_age(response) or left))
    return response


def seconds_until_tomorrow():
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(1, int((midnight - now).total_seconds()))


def shows_now_and_next(response):
    """Whether a rendered page shows «Зараз/Далі» today: its page type says
    (`shows_now_and_next(today, context)`); other answers do not."""
    context = getattr(response, "context_data", None) or {}
    page = context.get("page")
    check = getattr(page, "shows_now_and_next", None)
    return bool(check and check(timezone.localdate(), context))


def keepable(response):
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code in (200, 304)
        and not response.streaming
        and not response.cookies
        and response.has_header("ETag")
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        and "*" not in response.get("Vary", "")
    )


def remember(request, response, versions):
    """Records a rendered answer's validators (see the module's docstring) and gives
    it its Last-Modified. A page showing «Зараз/Далі» is kept a minute at most."""
    if not keepable(response):
        return
    if response.status_code == 200 and shows_now_and_next(response):
        max_age = get_max_age(response)
        patch_cache_control(response, max_age=min(NOW_SECONDS, max_age or NOW_SECONDS))
    max_age = get_max_age(response)
    if max_age == 0:
        return
    now = time.time()
    until = now + max_age if max_age is not None and max_age <= NOW_SECONDS else None
    day = timezone.localdate().isoformat()
    if until is None:
        # An answer that holds all day is named by what it is made of (its URL and
        # language, the versions, the date), not by its bytes: a feed with a DTSTAMP
        # differs at each render, and every client would get a new ETag.
        made_of = f"{answer_key(request)} {versions.site} {versions.path} {day}"
        response["ETag"] = f'"{hashlib.md5(made_of.encode(), usedforsecurity=False).hexdigest()}"'
    etag = response["ETag"]
    previous = versions.answer
    if previous and previous["etag"] == etag and previous["day"] == day:
        last_modified = previous["last_modified"]
    elif until is not None:
        last_modified = now
    else:
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        changed = max(token_time(versions.site), token_time(versions.path))
        last_modified = min(now, max(changed, midnight.timestamp()))
    response["Last-Modified"] = http_date(last_modified)
    headers = {name: response[name] for name in ("Cache-Control", "Vary") if name in response}
    record = {
        "site": versions.site,
        "path": versions.path,
        "etag": etag,
        "last_modified": last_modified,
        "day": day,
        "until": until,
        "headers": headers,
    }
    timeout = seconds_until_tomorrow() if until is None else max(1, int(until - now) + 1)
    cache.set(answer_key(request), record, timeout)


_key_prefix = ContextVar("page_cache_key_prefix", default=None)


class VersionedKeyPrefix:
    """Django's cache middlewares read `self.key_prefix` when they compute a key; the
    middleware objects are shared by every request (and thread), so the request's
    prefix, with its versions, is read from a context variable set around the call."""

    def __get__(self, instance, owner=None):
        return _key_prefix.get() or settings.CACHE_MIDDLEWARE_KEY_PREFIX

    def __set__(self, instance, value):
        pass  # Django's __init__ sets the settings' prefix, which is the default above


@contextmanager
def key_prefix_of(versions):
    token = _key_prefix.set(versions.key_prefix)
    try:
        yield
    finally:
        _key_prefix.reset(token)


REQUEST_ATTRIBUTE = "_freshness_versions"


class FetchFromCacheMiddleware(AnonymousFetchFromCacheMiddleware):
    """The page cache on the way in: the request's versions in the key, and a 304
    from the recorded answer when it still holds (see the module's docstring)."""

    key_prefix = VersionedKeyPrefix()

    def process_request(self, request):
        if not is_neutral(request):
            return super().process_request(request)
        versions = read_versions(request)
        if versions is None:  # the cache keeps nothing now: no caching, no validator
            request._cache_update_cache = False
            return None
        setattr(request, REQUEST_ATTRIBUTE, versions)
        answer = versions.current_answer()
        if answer is not None and (response := not_modified(request, answer)) is not None:
            request._cache_update_cache = False
            return response
        with key_prefix_of(versions):
            return super().process_request(request)


class UpdateCacheMiddleware(AnonymousUpdateCacheMiddleware):
    """The page cache on the way out: a rendered answer is recorded with its
    validators, then kept under the versions it was made with (read before it was
    made, so that a change during the render leaves that copy behind)."""

    key_prefix = VersionedKeyPrefix()

    def process_response(self, request, response):
        versions = getattr(request, REQUEST_ATTRIBUTE, None)
        if versions is None or not self._should_update_cache(request, response):
            return super().process_response(request, response)
        remember(request, response, versions)
        with key_prefix_of(versions):
            response = super().process_response(request, response)
        if response.status_code == 200 and response.has_header("Last-Modified"):
            # If-Modified-Since alone: Django's ConditionalGetMiddleware ran before the
            # Last-Modified was known.
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date(response["Last-Modified"]),
                response=response,
            )
        return response
