"""Redis going away: the site works without its cache.

A Redis that is stopped, a port where nothing listens, and a port that accepts
connections and never answers (a stalled Redis): pages, the APIs, the feeds, the
sitemap, the admin's login and a registration all answer as usual, `/healthz` says the
cache is degraded (200, so a load balancer keeps the server), the forms' rate limit
lets posts through with a log line, and a stalled Redis costs one short timeout per
interval, not one per request. When Redis comes back, the site uses it again.

The caches are the production ones (`cms.cache.site_caches`, what the settings build
from REDIS_URL), pointed at a redis-server this file starts on a free port. Outside CI a
missing redis-server skips; in CI it fails.
"""

import contextlib
import io
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
import requests
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

import cms.cache
from cms.cache import site_caches
from events.models import RegistrationSubmission
from events.ratelimit import FailOpenReport

from .helpers import ROOT, database_of_its_own, free_port, registration, wait_for

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def require_redis_server():
    if os.path.exists(REDIS_SERVER):
        return
    if os.environ.get("CI"):
        pytest.fail("redis-server must be installed in CI (apt-get install redis-server)")
    pytest.skip("redis-server is not installed")


class RedisServer:
    """A redis-server of the test's own, on a free port, nothing kept on disk; it can
    be killed and started again on the same port."""

    def __init__(self, workdir, persistent=False):
        self.port = free_port()
        self.workdir = workdir
        self.persistent = persistent  # every write in an append-only file, kept over a kill
        self.process = None

    def url(self, database=0):
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always"]
            + ["--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise TimeoutError(f"redis-server did not start on port {self.port}")

    def kill(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self, database):
        return redis.Redis(port=self.port, db=database, socket_timeout=1)


@pytest.fixture
def redis_server(tmp_path):
    require_redis_server()
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


class BlackHole:
    """A port that accepts connections and never answers: what a stalled or
    overloaded Redis looks like from the site. It counts the connections, that is the
    times the site tried it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.url = f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"
        self.connections = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.swallow, daemon=True)
        self.thread.start()

    def swallow(self):
        while not self.stopped.is_set():
            with contextlib.suppress(TimeoutError):
                self.connections.append(self.sock.accept()[0])

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        for accepted in self.connections:
            accepted.close()
        self.sock.close()


@pytest.fixture
def black_hole():
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def empty_database(tmp_path, django_db_blocker):
    """Django's default connection on an empty database of the test's own, which a
    restore may replace (the suite's test database cannot be: see test_backup.py); no
    migrations, since only what restore does to the caches is looked at here."""
    with (
        database_of_its_own("test_cityworkshop_cache", tmp_path / "empty.sqlite3") as own,
        django_db_blocker.unblock(),
    ):
        with own.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (id integer)")  # something to restore
        yield


@pytest.fixture
def closed_port():
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture(autouse=True)
def fresh_breakers(monkeypatch):
    """Each test starts with every Redis presumed available, and nothing reported."""
    cms.cache._breakers.clear()
    monkeypatch.setattr("events.ratelimit.fail_open", FailOpenReport())
    yield
    cms.cache._breakers.clear()


class Clock:
    """The breaker's clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("cms.cache.clock", clock)
    return clock


def production_caches(url, **environ):
    return site_caches({"REDIS_URL": url, "REDIS_RETRY_SECONDS": "30", **environ})


def public_paths(edition):
    programme = edition.programme_page
    return [
        "/",
        edition.url,
        programme.url,
        f"{edition.url}calendar.ics",
        f"{programme.url}schedule.json",
        "/sitemap.xml",
        "/api/v2/pages/",
        f"/api/v2/pages/{edition.pk}/",
        "/api/v3/pages/",
        f"/api/v3/pages/{edition.pk}/",
        "/admin/login/",
    ]


def walk(client, edition):
    """Every public address once, the admin's login and a registration: the status of
    each."""
    statuses = {path: client.get(path).status_code for path in public_paths(edition)}
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    form = edition.registration_page
    statuses["registration"] = client.post(
        form.url, registration(name="Олена", email=email)
    ).status_code
    assert RegistrationSubmission.objects.filter(email=email).exists()
    return statuses


def all_answer(statuses):
    return {path: status for path, status in statuses.items() if status >= 500} == {} and (
        statuses["registration"] == 303
    )


@pytest.mark.parametrize("unreachable", ["closed_port", "black_hole"])
def test_the_site_serves_everything_while_redis_cannot_be_reached(
    request, client, edition, caplog, clock, unreachable
):
    url = request.getfixturevalue(unreachable)
    url = getattr(url, "url", url)
    with override_settings(CACHES=production_caches(url)), caplog.at_level(logging.WARNING):
        statuses = walk(client, edition)
        health = client.get("/healthz")
    assert all_answer(statuses), statuses
    assert all(status == 200 for path, status in statuses.items() if path != "registration")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "cache": "unavailable"}
    unavailable = [r for r in caplog.records if r.name == "cms.cache"]
    # One line, not one per request: without the default cache there are no versions
    # (home/freshness.py), so the page cache is not asked at all.
    assert len(unavailable) == 1, [r.getMessage() for r in unavailable]


def test_a_stalled_redis_costs_one_short_timeout_per_interval(client, edition, black_hole, clock):
    def timed_get():
        started = time.perf_counter()
        assert client.get(edition.url).status_code == 200
        return time.perf_counter() - started

    with override_settings(CACHES=production_caches(black_hole.url)):
        first = timed_get()
        tried = len(black_hole.connections)
        rest = sorted(timed_get() for _ in range(5))
        assert len(black_hole.connections) == tried  # Redis left alone within the interval
        clock.advance(31)  # the interval is over: one request tries Redis again
        retry = timed_get()
        assert len(black_hole.connections) <= tried + 2  # once for each of the two caches
    # The first call of each cache waits for the socket timeout (0.5 s), then no
    # request waits for Redis: not 5 s per request.
    assert 1 <= tried <= 2
    assert first < 3, first
    assert rest[2] < 1, rest
    assert retry < 3, retry


@override_settings(FORM_POST_RATE_LIMIT=(1, 3600))
def test_the_rate_limit_lets_registrations_through_with_a_log_line_when_redis_is_down(
    client, edition, closed_port, caplog
):
    form = edition.registration_page
    with override_settings(CACHES=production_caches(closed_port)), caplog.at_level(logging.INFO):
        for number in range(3):
            response = client.post(
                form.url, registration(name="Олена", email=f"p{number}@example.org")
            )
            assert response.status_code == 303
    assert RegistrationSubmission.objects.filter(page=form).count() == 3
    lines = [r.getMessage() for r in caplog.records if r.name == "events.ratelimit"]
    assert lines, "the rate limit says it was not applied"
    assert len(lines) == 1  # once per interval, not per post
    assert "not rate-limited" in lines[0]
    assert "example.org" not in " ".join(r.getMessage() for r in caplog.records)


def test_the_site_uses_redis_again_once_it_is_back(client, edition, redis_server, clock, caplog):
    pages = redis_server.client(1)
    with override_settings(CACHES=production_caches(redis_server.url(0))):
        assert client.get(edition.url).status_code == 200
        assert pages.dbsize() > 0  # the page is kept in Redis
        assert client.get("/healthz").json() == {"status": "ok"}

        redis_server.kill()
        with caplog.at_level(logging.WARNING):
            statuses = walk(client, edition)
        assert all_answer(statuses), statuses
        assert client.get("/healthz").json() == {"status": "degraded", "cache": "unavailable"}
        client.cookies.clear()  # the registration's session: its pages are never kept

        redis_server.start()  # empty: nothing was kept on disk
        pages = redis_server.client(1)
        assert client.get(edition.url).status_code == 200
        assert pages.dbsize() == 0  # within the interval, Redis is left alone
        clock.advance(31)
        assert client.get(edition.url).status_code == 200
        assert pages.dbsize() > 0  # in use again
        assert client.get("/healthz").json() == {"status": "ok"}
    assert any("available again" in r.getMessage() for r in caplog.records)


def test_a_publish_while_redis_is_down_empties_the_page_cache_when_it_is_back(
    client, edition, tmp_path, clock
):
    require_redis_server()
    server = RedisServer(tmp_path, persistent=True)  # it comes back with what it held
    server.start()
    try:
        with override_settings(CACHES=production_caches(server.url(0))):
            client.get(edition.url)
            assert server.client(1).dbsize() > 0
            server.kill()
            edition.lead = "Новий анонс на сьогодні."
            edition.save_revision().publish()  # the page cache cannot be emptied now
            server.start()
            assert server.client(1).dbsize() > 0  # yesterday's pages, back from disk
            clock.advance(31)
            assert "Новий анонс на сьогодні." in client.get(edition.url).content.decode()
    finally:
        server.kill()


@pytest.mark.usefixtures("empty_database")
def test_restore_empties_the_running_site_s_redis_whatever_the_command_s_settings(
    redis_server, monkeypatch, tmp_path
):
    """`make restore` runs the development settings, whose page cache is a dummy; the
    running site keeps its pages in Redis (REDIS_URL in its environment), and those
    are what a restore must empty."""
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", "--output", str(archive), stdout=io.StringIO())
    monkeypatch.setenv("REDIS_URL", redis_server.url(0))
    pages, default = redis_server.client(1), redis_server.client(0)
    pages.set(":1:views.decorators.cache.cache_page.pages.GET.x", b"the replaced text")
    default.set("cityworkshop:1:wagtail_site_root_paths", b"of the replaced database")
    out = io.StringIO()
    call_command("restore_site", str(archive), "--no-input", stdout=out)
    assert pages.dbsize() == 0
    assert default.dbsize() == 0
    assert f"127.0.0.1:{redis_server.port}/1" in out.getvalue()


@pytest.fixture
def site_database_url(db, tmp_path):
    """A database with the schema and the home page, for a server in another process:
    the suite's test database on PostgreSQL (its migrations are committed; the server
    only reads), a copy of it on SQLite, where it lives in this process's memory.
    Quicker than migrating anew."""
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        return (
            f"postgres://{database['USER'] or 'postgres'}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    connection.ensure_connection()
    path = tmp_path / "site.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as copy:
        # iterdump reads inside the test's transaction (the backup API would wait for it).
        copy.executescript("\n".join(connection.connection.iterdump()))
    return f"sqlite:///{path}"


@pytest.mark.slow
def test_gunicorn_with_the_production_settings_keeps_serving_when_redis_dies(
    redis_server, site_database_url, tmp_path
):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))},
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "cache-resilience-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": site_database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private_media"),
        "REDIS_URL": redis_server.url(0),
        "REDIS_RETRY_SECONDS": "1",
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "text",
        "GUNICORN_WORKERS": "1",
    }
    # The admin's login page needs the collected static files' manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    paths = ["/", "/api/v2/pages/", "/api/v3/pages/", "/sitemap.xml", "/admin/login/"]
    try:
        wait_for(base + "/healthz", seconds=30)
        for path in paths:
            assert requests.get(base + path, headers=https, timeout=10).status_code == 200
        assert redis_server.client(1).dbsize() > 0  # the home page is kept in Redis
        assert requests.get(base + "/healthz", timeout=5).json() == {"status": "ok"}

        redis_server.kill()
        for path in paths:
            started = time.monotonic()
            response = requests.get(base + path, headers=https, timeout=10)
            assert response.status_code == 200, (path, response.status_code)
            assert time.monotonic() - started < 2, path
        health = requests.get(base + "/healthz", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "cache": "unavailable"}

        redis_server.start()
        time.sleep(1.2)  # REDIS_RETRY_SECONDS, then the next request tries Redis
        for _ in range(20):
            requests.get(base + "/", headers=https, timeout=10)
            if redis_server.client(1).dbsize() > 0:
                break
            time.sleep(0.1)
        assert redis_server.client(1).dbsize() > 0  # the pages are kept in Redis again
        assert requests.get(base + "/healthz", timeout=5).json() == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.seek(0)
        output = log.read()
        log.close()
    assert "is unavailable" in output
    assert "Internal Server Error" not in output and "Traceback" not in output
