"""Production: everything from the environment; refuses to start without SECRET_KEY.
`python manage.py check --deploy --fail-level WARNING` passes with a real-looking
environment (see docs/deploy.md); no security check is silenced."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import (
    CONTENT_SECURITY_POLICY,
    MEDIA_ROOT,
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
# The session and CSRF cookies travel over HTTPS only. `make serve` alone turns this
# off (SECURE_COOKIES=off): on a developer's plain http://127.0.0.1 a browser would
# never send them back, and every form and the admin login would answer 403.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# HSTS for a year by default, so that `check --deploy` is clean with nothing but
# SECRET_KEY and ALLOWED_HOSTS set. Browsers keep it that long: on a first deploy, while
# HTTPS is still being checked, start with SECURE_HSTS_SECONDS=3600 (docs/deploy.md).
# It is sent only on HTTPS answers, so plain-HTTP `make serve` never sets it.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# `make serve` only (nothing in front on a developer's machine): gunicorn serves the
# images' renditions itself (cms/urls.py); never the originals or PRIVATE_MEDIA_ROOT.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)

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

# Documents on disk behind nginx (deploy/nginx.conf): Wagtail's view checks the
# collection's view restrictions, then answers with an X-Accel-Redirect to nginx's
# internal location, and nginx sends the file (nothing under /media/documents/ is
# served). With nothing in front that understands the header, X_ACCEL_REDIRECT=off
# (SERVE_MEDIA=on, as `make serve` sets, implies it) and the view streams the file
# itself; it also does when the documents are in object storage (no local path).
if env_bool("X_ACCEL_REDIRECT", not SERVE_MEDIA):
    SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    SENDFILE_ROOT = str(Path(MEDIA_ROOT) / "documents")
    SENDFILE_URL = "/internal-documents"

# A CDN or caching proxy in front: the addresses a change shows are purged from it in
# the background (home/freshness.py, docs/deploy.md), through Wagtail's frontend cache
# backends; its app is not installed, since its own handlers would purge the page
# alone, in the editor's request. Cloudflare, or any proxy that takes PURGE
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
