"""The urgent notice: who may post it, the one cached read of it, and how every copy
of a public page shows it within seconds.

- `current_notice(request)` is what pages, the venue screen and the API show: the
  model's rule (`UrgentNotice.current()`), kept `NOTICE_CACHE_SECONDS` in the default
  cache (one query when that is cold, none when warm, none again in the same request)
  and checked against the clock on every read, so an ended notice is never shown.
- Posting or withdrawing sets the notice's cache and changes every page
  (`home.freshness.everything_changed`: a new version of the whole site, so every
  cached page and every validator goes) and, when a CDN is configured, queues
  `home.freshness.purge_front_end_cache`: the background worker (the mail worker,
  docs/deploy.md) asks the CDN to purge every live page and the API's notice, so the
  moderator never waits on the CDN, and a CDN that stalls holds the worker
  `PURGE_SECONDS` or so. A page made while a post came in is not kept
  (`bound_cache_lifetime` compares the notice it shows with the cached one).
- An expiry purges nothing: while the notice has an end, `bound_cache_lifetime` lowers
  the max-age of anonymous answers (which is also what the page cache keeps them for,
  and what a CDN keeps them for) to the seconds left until the end.
- A cache that fails (Redis down) is a miss: the notice is read from the database.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import get_max_age, patch_cache_control
from django.utils.http import parse_http_date_safe

from cms.middleware import carries_credentials
from home.freshness import everything_changed
from home.models import SiteSettings, UrgentNotice

POST_PERMISSION = "home.post_urgentnotice"
EDITORS = "Редактори"  # the group of home/migrations/0003_ukrainian_roles.py
CACHE_KEY = "urgent-notice"
NOTICE_CACHE_SECONDS = 30
# The API's notice is kept by browsers and CDNs this long at most.
NOTICE_API_SECONDS = 10
NONE = "none"  # the cached «no notice» (None is the cache's «not there»)
REQUEST_ATTRIBUTE = "_urgent_notice"
# Browsers keep a page this long at most (then revalidate it with its ETag, a 304 from
# the page cache), so that a reader who comes back to a page gets a new notice too.
BROWSER_SECONDS = 0


def can_post_notice(user, request):
    """Moderators (the permission) and superusers; editors too when the settings of
    the request's site say so."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_perm(POST_PERMISSION):
        return True
    allowed = SiteSettings.for_request(request).editors_post_notices
    return allowed and user.groups.filter(name=EDITORS).exists()


def current_notice(request=None):
    """The notice shown now, or None (see the module's docstring)."""
    if request is not None and hasattr(request, REQUEST_ATTRIBUTE):
        notice = getattr(request, REQUEST_ATTRIBUTE)
    else:
        notice = cache.get(CACHE_KEY)
        if notice is None:
            notice = UrgentNotice.current() or NONE
            # add, not set: a post committed since the query has set the new notice,
            # which an older reading must not overwrite.
            cache.add(CACHE_KEY, notice, NOTICE_CACHE_SECONDS)
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, notice)
    if notice == NONE or not notice.is_in_force():
        return None
    return notice


def seconds_left(notice, now=None):
    """Whole seconds until the notice ends (None: it has no end)."""
    if notice is None or notice.ends_at is None:
        return None
    remaining = (notice.ends_at - (now or timezone.now())).total_seconds()
    return max(0, int(remaining))


def notices_changed():
    """After a post or a withdrawal is committed: the new notice is cached (set, which
    wins over a reader's add) and every copy of a page goes."""
    cache.set(CACHE_KEY, UrgentNotice.current() or NONE, NOTICE_CACHE_SECONDS)
    everything_changed()


@transaction.atomic
def post_notice(user, **fields):
    """Shows a new notice in place of the one in force (which is withdrawn by the
    same person: there is one notice at a time)."""
    now = timezone.now()
    UrgentNotice.in_force(now).update(withdrawn_at=now, withdrawn_by=user)
    notice = UrgentNotice.objects.create(posted_by=user, posted_at=now, **fields)
    transaction.on_commit(notices_changed)
    return notice


@transaction.atomic
def withdraw_notice(user):
    """Takes the notice in force down; how many were withdrawn (0 or 1)."""
    now = timezone.now()
    withdrawn = UrgentNotice.in_force(now).update(withdrawn_at=now, withdrawn_by=user)
    transaction.on_commit(notices_changed)
    return withdrawn


def bound_cache_lifetime(get_response):
    """Anonymous answers that show the notice (they read it: `current_notice(request)`)
    are kept (by the page cache, browsers, a CDN) no longer than the notice in force
    has left, so that its end shows without a purge. Other answers are left alone, and
    cost no query. It sits just inside the page cache's UpdateCacheMiddleware, which
    keeps an answer for its max-age (cms/settings/base.py)."""

    def middleware(request):
        response = get_response(request)
        if (
            hasattr(request, REQUEST_ATTRIBUTE)  # the answer shows the notice (or none)
            and request.method in ("GET", "HEAD")
            and not carries_credentials(request)
            and not any(
                word in response.get("Cache-Control", "")
                for word in ("private", "no-cache", "no-store")
            )
        ):
            shown = getattr(request, REQUEST_ATTRIBUTE)
            cached = cache.get(CACHE_KEY)
            if cached is not None and cached != shown:
                # A post or withdrawal came while the page was made: not to be kept.
                patch_cache_control(response, max_age=0)
            else:
                left = seconds_left(current_notice(request))
                if left is not None:
                    patch_cache_control(response, max_age=left)
        return response

    return middleware


def shared_cache_lifetime(get_response):
    """Pages (HTML, which all show the notice) are kept by a CDN (`s-maxage`) as long
    as the page cache keeps its copy, no longer: the seconds until its `Expires`,
    which UpdateCacheMiddleware wrote when it stored the page (a copy it serves later
    has less left). Browsers keep them BROWSER_SECONDS. It sits just outside the page
    cache's UpdateCacheMiddleware, so it sees the answers the page cache gives too."""

    def middleware(request):
        response = get_response(request)
        max_age = get_max_age(response)
        if (
            max_age
            and request.method in ("GET", "HEAD")
            and response.get("Content-Type", "").startswith("text/html")
            and not carries_credentials(request)
            and not any(
                word in response.get("Cache-Control", "")
                for word in ("private", "no-cache", "no-store")
            )
        ):
            shared = max_age
            expires = parse_http_date_safe(response.get("Expires", ""))
            if expires is not None:
                shared = min(max_age, max(0, expires - int(time.time())))
            patch_cache_control(response, max_age=min(BROWSER_SECONDS, shared), s_maxage=shared)
        return response

    return middleware


def notice_as_data(notice):
    if notice is None:
        return None
    return {
        "text": notice.text,
        "level": notice.level,
        "level_label": str(notice.get_level_display()),
        "link": {"url": notice.link_url, "text": notice.link_text} if notice.link_url else None,
        "posted_at": notice.posted_at.isoformat(),
        "ends_at": notice.ends_at.isoformat() if notice.ends_at else None,
    }


def notice_api(request):
    """`/api/v2/notice/`: {"notice": null} or the notice in force (docs/api.md)."""
    notice = current_notice(request)
    response = JsonResponse({"notice": notice_as_data(notice)})
    left = seconds_left(notice)
    max_age = NOTICE_API_SECONDS if left is None else min(NOTICE_API_SECONDS, left)
    patch_cache_control(response, public=True, max_age=max_age)
    response["Vary"] = "Authorization"
    return response
