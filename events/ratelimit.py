"""A fixed-window limit on POSTs per client address, kept in Django's cache (Redis or
local memory): no third-party service, no extra dependency."""

import time

from django.conf import settings
from django.core.cache import cache


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
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
