"""A fixed-window limit on POSTs per client address, kept in Django's cache (Redis or
local memory): no third-party service, no extra dependency.

When the cache cannot count (Redis down), the limit fails open: a person's registration
matters more than a bot's extra posts, which the form's other defences (the hidden
field, the minimum fill time, one registration per e-mail) still meet. It says so in
the log, once per minute rather than once per post."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

REPORT_EVERY_SECONDS = 60


class FailOpenReport:
    """One log line per minute while posts go uncounted, with how many did."""

    def __init__(self):
        self.lock = threading.Lock()
        self.uncounted = 0
        self.reported_at = None

    def uncounted_post(self, reason):
        with self.lock:
            self.uncounted += 1
            now = time.monotonic()
            if self.reported_at is not None and now - self.reported_at < REPORT_EVERY_SECONDS:
                return
            count, self.uncounted, self.reported_at = self.uncounted, 0, now
        logger.warning(
            "Form posts are not rate-limited while the cache is unavailable (%s): %d let "
            "through uncounted since the last report.",
            reason,
            count,
        )


fail_open = FailOpenReport()


def client_address(request):
    """The visitor's address. Behind TRUSTED_PROXY_COUNT proxies (nginx, a load
    balancer), each appends the address it saw to X-Forwarded-For: the visitor's is
    the one the outermost trusted proxy added, counted from the right, since anything
    to its left may be made up by the visitor."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def too_many_posts(request, scope):
    limit, window = settings.FORM_POST_RATE_LIMIT
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_address(request)}:{bucket}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception as error:  # a backend that raises: never lose a post
        fail_open.uncounted_post(type(error).__name__)
        return False
    if not getattr(cache, "available", True):
        # cms.cache.ResilientRedisCache answered without Redis: nothing was counted.
        fail_open.uncounted_post("Redis does not answer")
        return False
    return count > limit
