"""Settings shared by every environment. Safe by default: DEBUG is off, secrets and
hosts come from the environment, the database defaults to an SQLite file."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cms.cache import site_caches
from cms.csp import embed_origins, inline_style_hashes

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "events",
    "documents",
    "wagtail.contrib.forms",
    # The mail queue: outgoing mail is a task row in the database (the "mail" backend
    # of TASKS), written in the submission's transaction and sent by `db_worker`.
    "django_tasks_db",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    # Wagtail's sitemap of the live pages, written with Django's sitemap templates.
    "wagtail.contrib.sitemaps",
    # The content API: v2 (Django REST framework) and v3 (django-ninja, OpenAPI).
    "wagtail.api.v2",
    "wagtail.api.v3",
    # django-ninja as an app: API v3's interactive docs (/api/v3/docs/) load Swagger UI
    # from the site's own static files, which django-ninja ships, instead of a CDN
    # that the Content Security Policy refuses.
    "ninja",
    "rest_framework",
    "corsheaders",
    "csp",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    # Failed logins per account and per address, and the lockout (see AXES_ below).
    "axes",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "cms.middleware.health_check",
    # A body larger than any upload is refused (413) before anything reads it.
    "cms.middleware.request_body_limit",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy (PERMISSIONS_POLICY) and Cross-Origin-Resource-Policy on every
    # answer, the cached pages' included (Django's SecurityMiddleware sends neither).
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "cms.middleware.cross_origin_resource_policy",
    # CDNs keep a page as long as the page cache does, browsers revalidate it
    # (home/notice.py: a new urgent notice reaches every reader).
    "home.notice.shared_cache_lifetime",
    # Whole pages for anonymous readers (the "pages" cache): stored on the way out...
    "home.freshness.UpdateCacheMiddleware",
    # ...for no longer than an urgent notice with an end has left (home/notice.py).
    "home.notice.bound_cache_lifetime",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET, and 304 Not Modified when the client already has it.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.middleware.cache_headers",
    "cms.middleware.api_query_bounds",
    "cms.middleware.not_cached_paths",
    # Turns a login refused by the axes backend into the lockout page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
    # ...and answered from it on the way in (never to a session or a token).
    "home.freshness.FetchFromCacheMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
# Django's database sessions, but a session cookie Django could not have issued (a NUL
# in it was a 500 on PostgreSQL) counts as no session.
SESSION_ENGINE = "cms.sessions"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.urgent_notice",
            ],
        },
    },
]

# DATABASE_URL: sqlite:///path (default: db.sqlite3 in the project folder) or
# postgres://user@host:port/name (PostgreSQL through psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many people registering at once: readers do not block the writer (WAL), a
    # writer takes the lock when its transaction begins rather than half-way, and
    # waits for it instead of failing with «database is locked».
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Caches shared by every app server when Redis is there, local memory on a single
# machine otherwise: "default" (rate limits, settings) and "pages" (whole public pages
# for anonymous readers), which publishing empties; in Redis it has a database of its
# own (REDIS_PAGE_CACHE_URL, default: the next database number after REDIS_URL's).
# Redis is reached through cms.cache.ResilientRedisCache: short timeouts, and while
# Redis fails the site works without a cache (a breaker, one log line per
# REDIS_RETRY_SECONDS) instead of answering 500. `restore_site` reads the same
# definition to empty a running site's caches.
CACHES = site_caches(os.environ)
# Django's cache middleware keeps anonymous readers' pages this long (and says so to
# browsers and CDNs in Cache-Control); home/signals.py empties it when an editor publishes.
CACHE_MIDDLEWARE_ALIAS = "pages"
CACHE_MIDDLEWARE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
CACHE_MIDDLEWARE_KEY_PREFIX = "pages"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Ukrainian first, everywhere: the public site, the admin, the dates.
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", "Українська")]
TIME_ZONE = "Europe/Kyiv"
# Ukraine keeps one time, the programme's: an editor's account offers no list of the
# world's time zones (by their IANA names) to get it wrong with.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
USE_I18N = True
USE_TZ = True
# The project catalogue first; locale_admin supplies what Wagtail 8.0 leaves untranslated.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_admin"]
FORMAT_MODULE_PATH = ["cms.formats"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("uk", "Українська"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves nothing under MEDIA_URL: nginx or the object storage does. Production's
# SERVE_MEDIA=on, for `make serve` with no nginx, serves the images' renditions (never
# the originals, the documents' files or PRIVATE_MEDIA_ROOT); see cms/urls.py.
SERVE_MEDIA = False
# Files people send with a form (questionnaire attachments): outside MEDIA_ROOT, so no
# web server serves them; the staff download them through the admin.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": {
        "BACKEND": "events.attachments.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# The page editor of a day with many sessions posts many fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = _("City Workshop")
# ASCII addresses survive sharing; the admin transliterates Ukrainian titles into slugs.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_USER_LOGIN_FORM = "home.admin_forms.LoginForm"
# The site's one public address (home/site_url.py): every `migrate` writes it into the
# default Site record, which every absolute address the site gives out starts with.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # PostgreSQL has no Ukrainian stemmer; "simple" matches whole words.
        "SEARCH_CONFIG": "simple",
    }
}
# Content Security Policy (django-csp). The public site: its own files only, styles
# from its stylesheet and one nonce'd style element (the themes' colours), no inline
# script, no third-party origin. The admin (ADMIN_CONTENT_SECURITY_POLICY, chosen by
# cms.middleware by path) also allows the inline scripts and styles Wagtail uses.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The error pages (500, and 503 while the database is away) render without a
        # request, so without a nonce: their own <style> is allowed by its hash.
        "style-src": [
            SELF,
            NONCE,
            *inline_style_hashes(BASE_DIR / "templates" / "500.html"),
            *inline_style_hashes(BASE_DIR / "templates" / "503.html"),
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # No other page may frame ours, as X-Frame-Options: DENY says; the admin's
        # preview (framed by the page editor, X-Frame-Options: SAMEORIGIN) gets 'self':
        # cms.middleware.ContentSecurityPolicyMiddleware makes both headers agree.
        "frame-ancestors": [NONE],
    }
}
ADMIN_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [SELF, "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "worker-src": [SELF, "blob:"],
}
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
# The sites that may show the programme in a frame (…/programme/embed/, the «Вбудувати»
# code on the programme page): their origins, comma-separated, e.g.
# "https://zt-rada.gov.ua,https://partner.example.org". That route's frame-ancestors
# is 'self' and these; every other page refuses any frame (cms/csp.py). A value that
# is not an origin stops the site from starting.
EMBED_ALLOWED_ORIGINS = embed_origins(env_list("EMBED_ALLOWED_ORIGINS"))
# The admin asks no other site for anything, as its policy says: no Gravatar (a hash of
# the editor's e-mail address sent to gravatar.com; Wagtail's default avatar instead)
# and no update check from every editor's browser to releases.wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Browser features the site never uses, off for it and for anything it frames
# (django-permissions-policy; it refuses a misspelt name). Only names Chromium knows:
# an unknown one is an error in the browser's console.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Cross-Origin-Resource-Policy: other sites cannot embed what Django answers (pages,
# feeds, API, documents) as their own subresource. A CORS read of the API from an
# allowed origin is not affected: browsers check CORP only on no-cors requests. Media
# served by nginx or the object storage carry no CORP, so apps can show the images.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# The content API: rich text as display HTML (internal links resolved), bounded pages.
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_LIMIT_MAX = 50
WAGTAILAPI_BASE_URL = SITE_URL
# How long browsers and CDNs may keep an anonymous API response.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "300"))
# Other sites' scripts may read the API (never write) from these origins only.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "odt",
    "ods",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "rtf",
    "txt",
    "csv",
    "zip",
    "jpg",
    "jpeg",
    "png",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# The largest request body: the largest upload (a document) and the form around it.
# cms.middleware.request_body_limit refuses a longer one (413) before reading it, and
# deploy/nginx.conf's client_max_body_size is the same (tests/test_nginx.py checks).
REQUEST_MAX_BODY_SIZE = WAGTAILDOCS_MAX_UPLOAD_SIZE + 1024 * 1024
# Documents are always served by Wagtail's view, which checks the collection's view
# restrictions first (never a redirect to the file's own address, which anyone could
# reuse); production hands the sending to nginx (SENDFILE_BACKEND, production.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Every document is a download (Content-Disposition: attachment), never shown inline,
# with its type by extension, `nosniff` and Wagtail's "default-src 'none'" policy.
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
# Width × height × frames: a 60-megapixel photo passes; a 20,000 × 20,000 PNG or an
# animated GIF of hundreds of large frames is refused before it is decoded.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 60_000_000
WAGTAILIMAGES_IMAGE_FORM_BASE = "home.admin_forms.ImageForm"
# Bitmap formats only: an SVG can carry scripts.
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
# Our rich text never needs headings above h3: the page title is h1, sections are h2.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]
        },
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds the mail worker waits on each step of an SMTP conversation before it gives
# up and schedules the next attempt (mail is never sent while a visitor waits).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@example.org")
# Tasks (django-tasks, Django 6's Tasks API). "default" is what Wagtail ships and uses
# for its search index and references: run at once, in the request. "mail" keeps each
# outgoing mail as a row in the database, written in the same transaction as the
# submission, and `manage.py db_worker --backend mail` sends it with retries
# (events/mail.py); the dev settings send at once instead, so `make run` needs no worker.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "mail": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Queued, sent and failed mails (they carry addresses) are deleted by purge_submissions
# this many days after they were queued; a deleted submission takes its mails along.
MAIL_QUEUE_RETENTION_DAYS = int(os.environ.get("MAIL_QUEUE_RETENTION_DAYS", "30"))

# Errors are e-mailed to these addresses (comma-separated) when set.
ADMINS = [(address, address) for address in env_list("ADMINS")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# One JSON object per line on stdout (LOG_FORMAT=text for people reading a terminal);
# messages never carry personal data: forms log ids and page titles, not addresses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cms.logging.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": os.environ.get("LOG_FORMAT", "json"),
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs search indexing and reference updates as tasks; one line each.
        "django_tasks": {"level": "WARNING"},
    },
}


def require_secret_key(key):
    if not key:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable.")
    return key


# Public forms: a person needs at least this long to fill one in; faster is a bot.
FORM_MIN_FILL_SECONDS = int(os.environ.get("FORM_MIN_FILL_SECONDS", "3"))
# POSTs to public forms per client address: (how many, per seconds).
FORM_POST_RATE_LIMIT = (int(os.environ.get("FORM_POST_RATE_LIMIT", "10")), 3600)
# How many proxies in front add to X-Forwarded-For (nginx: 1; a load balancer and
# nginx: 2); 0 trusts only the connection's own address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Logins (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account, or
# from one client address (the same address as the forms' rate limit), both are locked
# out for LOGIN_COOLOFF_MINUTES, the right password included; a moderator unlocks
# sooner (Settings → «Заблоковані входи», home/admin_views.py). The period is counted
# from the last counted failure: tries during a lockout do not extend it, so the time
# the page promises holds. A successful login clears the account's failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "events.ratelimit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "home/admin/login_locked_out.html"
# No table of every successful login (addresses and names kept for ever); failed
# attempts are kept only for the cool-off period, for the lockout itself.
AXES_DISABLE_ACCESS_LOG = True
# Personal data in form submissions are kept this many days after an edition ends;
# `manage.py purge_submissions` deletes what is older (run it daily from cron).
SUBMISSION_RETENTION_DAYS = int(os.environ.get("SUBMISSION_RETENTION_DAYS", "365"))
