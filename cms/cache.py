"""The site's caches, and a Redis cache that fails soft.

`site_caches()` is the one definition of the caches the running site uses (the
settings use it, and `restore_site` reads it to empty a running site's Redis whatever
settings the command itself runs with).

`ResilientRedisCache` is Django's own Redis backend with two additions, because a
cache is an accelerator and never a reason to fail a request:

- a Redis error (refused, timed out, out of memory, read-only) is a miss for reads and
  a no-op for writes, logged once per interval rather than once per request;
- a circuit breaker: after a failure, this process leaves that Redis alone for
  `retry_after` seconds, then one request tries it again. A Redis that accepts
  connections and never answers costs one short socket timeout per interval, not one
  per cache call.

django-redis was considered: its IGNORE_EXCEPTIONS turns errors into misses, but it has
no breaker (a stalled Redis costs the socket timeout on every call, several per page),
it logs each ignored error, and it would replace Django's built-in backend with a
second client library for no other gain.
"""

import logging
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Redis on the same network answers in well under a millisecond; past these a request
# goes on without it. redis-py's own default is to wait forever.
CONNECT_TIMEOUT_SECONDS = 0.25
SOCKET_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 10

clock = time.monotonic  # the breaker's clock (tests move it)


def site_caches(environ):
    """The CACHES of the running site, from its environment: Redis when REDIS_URL is
    set ("default": rate limits, Wagtail's caches; "pages": whole public pages, in a
    database of its own that publishing empties: REDIS_PAGE_CACHE_URL, default the
    next database number after REDIS_URL's), local memory otherwise."""
    url = environ.get("REDIS_URL")
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "pages",
            },
        }
    options = {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "retry_after": float(environ.get("REDIS_RETRY_SECONDS") or RETRY_AFTER_SECONDS),
    }
    return {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": environ.get("CACHE_KEY_PREFIX", "cityworkshop"),
            "OPTIONS": options,
        },
        "pages": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": environ.get("REDIS_PAGE_CACHE_URL") or next_redis_database(url),
            "OPTIONS": options,
        },
    }


def without_password(url):
    """redis://:secret@host:6379/0 → redis://host:6379/0, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def next_redis_database(url):
    """redis://host:6379/0 → redis://host:6379/1: a database of its own, which can be
    emptied without touching the other one."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1}"))


class CircuitBreaker:
    """Whether a Redis may be tried now, shared by every thread of the process (Django
    makes a cache object per thread, so the breaker cannot live on it)."""

    def __init__(self, name, retry_after):
        self.name = name
        self.retry_after = retry_after
        self.clear_pending = False  # a clear() that could not reach Redis
        self._lock = threading.Lock()
        self._retry_at = None  # None: closed, Redis in use
        self._logged_at = None  # when the last failure was logged

    @property
    def is_open(self):
        retry_at = self._retry_at
        return retry_at is not None and clock() < retry_at

    def allows(self):
        """True when the call may go to Redis: always while closed; once the interval
        is over, for the first caller only (the others skip Redis while it tries)."""
        if self._retry_at is None:
            return True
        with self._lock:
            now = clock()
            if self._retry_at is None:
                return True
            if now < self._retry_at:
                return False
            self._retry_at = now + self.retry_after
            return True

    def failed(self, error):
        with self._lock:
            now = clock()
            self._retry_at = now + self.retry_after
            if self._logged_at is not None and now - self._logged_at < self.retry_after:
                return  # another thread's call failed with it: said already
            self._logged_at = now
        logger.warning(
            "Cache %s is unavailable (%s: %s); the site works without it and tries again in %g s.",
            self.name,
            type(error).__name__,
            error,
            self.retry_after,
        )

    def succeeded(self):
        if self._retry_at is None:
            return
        with self._lock:
            was_open, self._retry_at, self._logged_at = self._retry_at is not None, None, None
        if was_open:
            logger.warning("Cache %s is available again.", self.name)


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location, retry_after):
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = CircuitBreaker(without_password(location), retry_after)
        return _breakers[location]


UNAVAILABLE = object()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, degrading to no cache while Redis fails (see the module's
    docstring). OPTIONS take `retry_after` (seconds) besides redis-py's own options."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("retry_after", RETRY_AFTER_SECONDS))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self._breaker = breaker_for(location, retry_after)

    @property
    def available(self):
        """False while the breaker keeps this process away from Redis."""
        return not self._breaker.is_open

    def _guarded(self, operation, fallback, *args):
        breaker = self._breaker
        if not breaker.allows():
            return fallback
        try:
            if breaker.clear_pending:
                # Redis is back after a clear() that could not reach it (a publish
                # while it was down): what it still holds is stale.
                super().clear()
                breaker.clear_pending = False
            result = operation(*args)
        except RedisError as error:
            breaker.failed(error)
            return fallback
        breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._guarded(super().incr, UNAVAILABLE, key, delta, version)
        if result is UNAVAILABLE:
            # Django's way of saying «no such value»: callers then set() one (a no-op).
            raise ValueError(f"Key {key!r} not found: the cache is unavailable.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guarded(super().delete_many, None, keys, version)

    def clear_when_available(self):
        """What this cache holds is stale from now on, and it cannot be told so now
        (home/freshness.py could not write a version while Redis was away): it is
        emptied when it is back."""
        self._breaker.clear_pending = True

    def clear(self):
        cleared = self._guarded(super().clear, UNAVAILABLE)
        if cleared is UNAVAILABLE:
            self._breaker.clear_pending = True
            return False
        return cleared


def keeps_values(cache):
    """Whether the cache keeps a value now (a dummy cache keeps none by design: it has
    nothing to fail). The health check's probe."""
    if isinstance(cache, DummyCache):
        return True
    probe = f"healthz:{threading.get_ident()}:{time.time_ns()}"
    try:
        cache.set(probe, 1, timeout=5)
        kept = cache.get(probe) == 1
        cache.delete(probe)
    except Exception:  # any backend's failure means "not kept"
        return False
    return kept
