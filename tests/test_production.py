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

from cms.logging import JsonFormatter
from cms.security import inline_style_hashes

from .helpers import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "a-real-looking-secret-key-Jx8pQ2vN7rT4wY1zK6mB3cF9hL5dS0gA",
    "ALLOWED_HOSTS": "maisternia.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://maisternia.example.org",
    "SECURE_HSTS_SECONDS": "31536000",
}


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


def test_without_hsts_the_deployment_checks_say_so():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def settings_module(module, expressions, **env):
    """Values of a settings module as the environment makes them, without starting
    Django (so without the optional packages they name)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REDIS_"))}
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
        "django.core.cache.backends.redis.RedisCache",
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
def test_the_health_endpoint_answers_over_http_to_any_host_quickly(client, db):
    client.get("/healthz", headers={"host": "10.0.0.7"})  # a first connection
    started = time.perf_counter()
    response = client.get("/healthz", headers={"host": "10.0.0.7"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert elapsed < 0.1


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
    assert "max-age=300" in first["Cache-Control"]
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
