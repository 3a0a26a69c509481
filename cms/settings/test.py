"""Fast, isolated settings for the test suite."""

import tempfile

from .base import *  # noqa: F403
from .base import STORAGES, os

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Mail is sent at once, so that a test reads django.core.mail.outbox right after the
# POST; tests/test_mail_queue.py switches "mail" to the database backend and runs the
# worker, as production does.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "mail": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Pages are not kept between requests, except in the page cache's own tests.
    "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="cityworkshop-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="cityworkshop-test-private-")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {**STORAGES["private"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
}
# Django's test client asks for http://testserver/: the test database's Site is that.
SITE_URL = os.environ.get("SITE_URL", "http://testserver").rstrip("/")
WAGTAILADMIN_BASE_URL = WAGTAILAPI_BASE_URL = SITE_URL
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests
FORM_MIN_FILL_SECONDS = 0  # tests post at once; the rule has its own tests
# Django's test client logs in without a request (client.login), which the axes backend
# refuses by design; tests/test_login_lockout.py turns the lockout on and tests it.
AXES_ENABLED = False
