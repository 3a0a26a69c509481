"""A fixed-window limit on POSTs per client address, kept in Django's cache (Redis or
local memory): no third-party service, no extra dependency."""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    # Behind a reverse proxy, the proxy must pass the visitor's address as REMOTE_ADDR
    # (gunicorn --forwarded-allow-ips, or the proxy's own module).
    return request.META.get("REMOTE_ADDR", "")


def too_many_posts(request, scope):
    limit, window = settings.FORM_POST_RATE_LIMIT
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_address(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
