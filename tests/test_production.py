"""The production configuration: Django's deployment checks, the security headers and
the Content Security Policy, the proxy, the health endpoint, the logs."""

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.test import override_settings

from cms.csp import inline_style_hashes
from cms.logging import JsonFormatter
from documents.models import DocumentsPage
from events.factories import ImageFactory
from events.models import TrackPage

from .helpers import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "a-real-looking-secret-key-Jx8pQ2vN7rT4wY1zK6mB3cF9hL5dS0gA",
    "ALLOWED_HOSTS": "maisternia.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://maisternia.example.org",
    "SITE_URL": "https://maisternia.example.org",
}
# What production needs and no more: the secret, the hosts and the public address.
MINIMAL_ENV = {name: PRODUCTION_ENV[name] for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL")}


def manage(*arguments, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env={**clean, **PRODUCTION_ENV, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_the_deployment_checks_pass_with_a_real_looking_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_the_deployment_checks_pass_with_only_a_secret_key_the_hosts_and_the_address():
    system = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**system, **MINIMAL_ENV, "DJANGO_SETTINGS_MODULE": "cms.settings.production"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_the_deployment_checks_refuse_a_forgotten_or_wrong_public_address():
    system = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env = {**system, **MINIMAL_ENV, "DJANGO_SETTINGS_MODULE": "cms.settings.production"}
    del env["SITE_URL"]
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    forgotten = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert forgotten.returncode == 1
    assert "home.W001" in forgotten.stderr and "home.W002" in forgotten.stderr
    other = manage("check", "--deploy", SITE_URL="https://elsewhere.example.org")
    assert "home.W002" in other.stderr and "home.W001" not in other.stderr
    wrong = manage("check", "--deploy", SITE_URL="https://maisternia.example.org:8443")
    assert wrong.returncode == 1 and "home.E001" in wrong.stderr


def test_without_hsts_the_deployment_checks_say_so():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def settings_module(module, expressions, **env):
    """Values of a settings module as the environment makes them, without starting
    Django (so without the optional packages they name)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "REDIS_", "SECURE_", "SERVE_MEDIA"))
    }
    code = f"import {module} as settings; " + "; ".join(f"print({e})" for e in expressions)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **PRODUCTION_ENV, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split("\n")


def test_hsts_is_on_for_a_year_by_default_and_can_be_lowered_for_a_first_deploy():
    expressions = [
        "settings.SECURE_HSTS_SECONDS",
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "settings.SECURE_HSTS_PRELOAD",
    ]
    assert settings_module("cms.settings.production", expressions) == ["31536000", "True", "True"]
    lowered = settings_module("cms.settings.production", expressions, SECURE_HSTS_SECONDS="3600")
    assert lowered[0] == "3600"


def test_cookies_are_https_only_unless_make_serve_turns_that_off():
    expressions = ["settings.SESSION_COOKIE_SECURE", "settings.CSRF_COOKIE_SECURE"]
    assert settings_module("cms.settings.production", expressions) == ["True", "True"]
    plain_http = settings_module("cms.settings.production", expressions, SECURE_COOKIES="off")
    assert plain_http == ["False", "False"]
    # Never silently: the deployment checks refuse it.
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_COOKIES="off")
    assert result.returncode != 0
    assert "security.W012" in result.stderr and "security.W016" in result.stderr


def test_redis_is_the_cache_when_redis_url_is_set():
    expressions = [
        "settings.CACHES['default']['BACKEND']",
        "settings.CACHES['pages']['LOCATION']",
        "settings.SECURE_PROXY_SSL_HEADER",
    ]
    assert settings_module("cms.settings.production", expressions)[0] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert settings_module(
        "cms.settings.production", expressions, REDIS_URL="redis://127.0.0.1:6379/0"
    ) == [
        "cms.cache.ResilientRedisCache",  # Django's RedisCache, which survives Redis going away
        "redis://127.0.0.1:6379/1",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]


def test_media_go_to_object_storage_when_a_bucket_is_named():
    expressions = [
        "settings.STORAGES['default']['BACKEND']",
        "settings.STORAGES['private']['BACKEND']",
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']",
    ]
    assert settings_module("cms.settings.production", expressions)[:2] == [
        "django.core.files.storage.FileSystemStorage",
        "events.attachments.PrivateFileSystemStorage",
    ]
    s3 = settings_module(
        "cms.settings.production",
        expressions,
        AWS_STORAGE_BUCKET_NAME="maisternia-media",
        AWS_PRIVATE_STORAGE_BUCKET_NAME="maisternia-private",
        AWS_S3_CUSTOM_DOMAIN="media.maisternia.example.org",
    )
    assert s3[:2] == ["storages.backends.s3.S3Storage", "storages.backends.s3.S3Storage"]
    assert "https://media.maisternia.example.org" in s3[2]


def test_public_pages_carry_the_security_headers_and_a_strict_policy(client, edition):
    response = client.get(edition.url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "https:" not in policy and "http:" not in policy  # no third-party origin
    html = response.content.decode()
    # The themes' colours: one style element with this response's nonce, no style
    # attributes anywhere.
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    assert ".track-" in html and "--track-colour:#1b5e20" in html
    assert " style=" not in html


def framing(response):
    """X-Frame-Options, and the Content Security Policy's frame-ancestors."""
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    ancestors = [d for d in directives if d.startswith("frame-ancestors ")]
    assert len(ancestors) == 1, directives
    return response["X-Frame-Options"], ancestors[0].removeprefix("frame-ancestors ")


def test_no_other_site_can_frame_the_public_pages_and_both_headers_say_so(client, edition):
    documents = edition.get_children().type(DocumentsPage).get().specific
    document = documents.document_items.first().document
    for path in ("/", edition.url, "/search/?q=велопробіг", "/no-such-page/", document.url):
        assert framing(client.get(path)) == ("DENY", "'none'"), path


def test_the_admin_cannot_be_framed_but_frames_its_own_preview(admin_client, edition):
    assert framing(admin_client.get("/admin/")) == ("DENY", "'none'")
    track = edition.get_children().type(TrackPage).first()
    assert framing(admin_client.get(f"/admin/pages/{track.pk}/edit/")) == ("DENY", "'none'")
    # The page editor's preview panel: the edited page, framed by the editor.
    preview = f"/admin/pages/{track.pk}/edit/preview/"
    saved = admin_client.post(preview, {"title": "Громадський простір 2.0", "slug": track.slug})
    assert saved.json()["is_valid"]
    response = admin_client.get(preview + "?in_preview_panel=true")
    assert "Громадський простір 2.0" in response.content.decode()
    assert framing(response) == ("SAMEORIGIN", "'self'")


@pytest.mark.parametrize("path", ["/", "/2017/", "/2017/calendar.ics", "/robots.txt", "/admin/"])
def test_every_answer_turns_off_the_browser_features_the_site_does_not_use(
    admin_client, client, edition, path
):
    reader = admin_client if path == "/admin/" else client
    response = reader.get(path)
    assert response.status_code == 200
    policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert policy[feature] == "()"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_an_allowed_origin_reads_the_api_that_no_site_can_embed(client, edition):
    response = client.get("/api/v2/pages/", headers={"origin": "https://app.example.org"})
    assert response["Access-Control-Allow-Origin"] == "https://app.example.org"
    # Browsers check Cross-Origin-Resource-Policy on no-cors requests only (an <img> or
    # <script> of another site), never on a CORS read: same-origin does not stand in
    # the allowed app's way.
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_without_serve_media_django_serves_no_media(client, edition):
    # Production's default: nginx or the object storage serves /media/, Django nothing.
    image = ImageFactory()
    rendition = image.get_rendition("max-200x200")
    assert client.get(rendition.url).status_code == 404
    assert client.get(image.file.url).status_code == 404


def test_the_admin_asks_no_other_site_for_avatars_or_updates(admin_client, edition):
    # A Gravatar would send a hash of the editor's e-mail address to gravatar.com, and
    # the update check asks releases.wagtail.org from every editor's browser; the
    # policy blocks both, as errors in the console, but nothing should ask.
    for path in ("/admin/", f"/admin/pages/{edition.pk}/edit/", "/admin/account/"):
        html = admin_client.get(path).content.decode()
        assert "gravatar.com" not in html, path
        assert "w-upgrade" not in html, path


def test_the_admin_has_the_relaxed_policy_it_needs(admin_client, edition):
    policy = admin_client.get(f"/admin/pages/{edition.pk}/edit/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy


def test_the_500_page_s_own_style_is_allowed_by_its_hash(client, home_page):
    hashes = inline_style_hashes(ROOT / "templates" / "500.html")
    assert len(hashes) == 1
    policy = client.get("/")["Content-Security-Policy"]
    assert hashes[0] in policy


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_behind_the_tls_proxy_https_requests_are_served_not_redirected(client, edition):
    assert client.get(edition.url).status_code == 301
    response = client.get(edition.url, headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, ALLOWED_HOSTS=["example.org"]
)
def test_the_health_endpoint_answers_over_http_to_any_host_quickly(client, db, record_figure):
    client.get("/healthz", headers={"host": "10.0.0.7"})  # a first connection
    started = time.perf_counter()
    response = client.get("/healthz", headers={"host": "10.0.0.7"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    # How quickly depends on how busy the machine is: a figure, not a check.
    record_figure("healthz", seconds=round(elapsed, 4))


def test_the_health_endpoint_says_unavailable_when_the_database_is_not(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OSError("database is down")

    monkeypatch.setattr("cms.middleware.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # and nothing more


def test_log_lines_are_json_with_the_path_but_not_the_query(rf):
    request = rf.get("/2017/registration/?email=olena@example.org")
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found", (), None)
    record.request = request
    record.status_code = 404
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING" and entry["message"] == "Not Found"
    assert entry["path"] == "/2017/registration/" and entry["status"] == 404
    assert "olena@example.org" not in json.dumps(entry)


@pytest.mark.parametrize("path", ["/", "/2017/", "/api/v2/pages/"])
def test_no_page_sets_a_cookie_for_an_anonymous_reader(client, edition, path):
    # Cookies would make public pages uncacheable by a CDN.
    assert not client.get(path).cookies


PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
}


@override_settings(CACHES=PAGE_CACHE)
def test_pages_are_cached_for_readers_and_emptied_when_an_editor_publishes(
    client, edition, django_assert_num_queries
):
    from django.core.cache import caches

    caches["pages"].clear()
    first = client.get(edition.url)
    assert "s-maxage=300" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get(edition.url)
    assert again.content == first.content
    edition.lead = "Новий анонс на сьогодні."
    edition.save_revision().publish()
    assert "Новий анонс на сьогодні." in client.get(edition.url).content.decode()


@override_settings(CACHES=PAGE_CACHE)
def test_the_admin_and_the_forms_are_never_kept(admin_client, client, edition):
    edit = admin_client.get(f"/admin/pages/{edition.pk}/edit/")
    assert "no-cache" in edit["Cache-Control"] or "private" in edit["Cache-Control"]
    form = client.get(edition.registration_page.url)
    assert "no-cache" in form["Cache-Control"]
