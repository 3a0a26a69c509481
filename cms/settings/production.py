"""Production: everything from the environment; refuses to start without SECRET_KEY.
`python manage.py check --deploy --fail-level WARNING` passes with a real-looking
environment (see docs/deploy.md); no security check is silenced."""

from .base import *  # noqa: F403
from .base import (
    CONTENT_SECURITY_POLICY,
    SECRET_KEY,
    STORAGES,
    env_bool,
    os,
    require_secret_key,
)

DEBUG = False
SECRET_KEY = require_secret_key(SECRET_KEY)

# Behind the TLS-terminating proxy or load balancer (the normal case) a request that
# came over HTTPS says so in X-Forwarded-Proto: served, not redirected. Turn it off
# (TRUST_X_FORWARDED_PROTO=off) only when nothing in front sets or strips the header.
if env_bool("TRUST_X_FORWARDED_PROTO", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# User media in S3-compatible object storage (pip install ".[s3]") when a bucket is
# named; on the file system (MEDIA_ROOT, shared between app servers) otherwise.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    s3 = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "querystring_auth": False,
        "file_overwrite": False,
    }
    STORAGES = {**STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3}}
    # Attachments of questionnaires: a private bucket of their own, signed links only.
    if os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME"):
        STORAGES["private"] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **s3,
                "bucket_name": os.environ["AWS_PRIVATE_STORAGE_BUCKET_NAME"],
                "custom_domain": None,
                "querystring_auth": True,
                "default_acl": "private",
            },
        }
    media_origin = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or os.environ.get("AWS_S3_ENDPOINT_URL")
    if media_origin:
        # Images and documents come from the object storage's (or CDN's) own origin.
        media_origin = media_origin if "://" in media_origin else f"https://{media_origin}"
        directives = CONTENT_SECURITY_POLICY["DIRECTIVES"]
        directives["img-src"] = [*directives["img-src"], media_origin]

# A CDN or caching proxy in front: Wagtail purges a page's addresses from it when the
# page is published (docs/deploy.md). Cloudflare, or any proxy that takes PURGE
# requests (Varnish, nginx with a purge module) at FRONTEND_CACHE_PURGE_URL.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_CLOUDFLARE_ZONEID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["FRONTEND_CACHE_CLOUDFLARE_ZONEID"],
        "BEARER_TOKEN": os.environ.get("FRONTEND_CACHE_CLOUDFLARE_TOKEN", ""),
    }
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
    }
if WAGTAILFRONTENDCACHE:
    INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.contrib.frontend_cache"]  # noqa: F405
