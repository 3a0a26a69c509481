"""Two app servers, one state: two gunicorn instances of the production settings on
127.0.0.1 share one PostgreSQL database, one Redis and one media folder, as several
servers behind a load balancer do. What is published through one is served by the
other at once, a registration sent to either is stored once, and a file uploaded to
one is served by the other.

Needs PostgreSQL and Redis on 127.0.0.1 (they run on CI machines); elsewhere it skips,
and in CI a missing service fails it."""

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from .helpers import ROOT, current_path, demo_copy, free_port, wait_for

PG = "postgres://postgres@127.0.0.1:5432"
REDIS = ("127.0.0.1", 6379)
PASSWORD = "two-servers-" + uuid.uuid4().hex

pytestmark = pytest.mark.slow


def reachable(host, port):
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def require_services():
    missing = [
        name
        for name, (host, port) in {"PostgreSQL": ("127.0.0.1", 5432), "Redis": REDIS}.items()
        if not reachable(host, port)
    ]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} must run in CI")
    pytest.skip(f"{', '.join(missing)} not running")


class Servers:
    """The shared services, the site migrated with the demo, and two gunicorns."""

    def __init__(self, workdir):
        self.workdir = workdir  # the demo's database (a copy, see start) and media
        self.database = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))},
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "two-servers-secret-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
            "SECURE_SSL_REDIRECT": "off",
            # No nginx in front here: Wagtail's view sends the documents itself.
            "X_ACCEL_REDIRECT": "off",
            "FORM_MIN_FILL_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_WORKERS": "2",
        }
        self.processes = []
        self.urls = []

    def manage(self, *arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self):
        database_url, _ = demo_copy(self.workdir, "postgresql")
        self.database = urlsplit(database_url).path.lstrip("/")
        self.env["DATABASE_URL"] = database_url
        self.flush_redis()
        self.manage("collectstatic", "--no-input")
        self.token = self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from wagtail.models import APIToken;"
            f"u = get_user_model().objects.create_superuser('admin', None, '{PASSWORD}');"
            "print(APIToken.create_token(user=u, name='test')[1])",
        ).split()[-1]
        for _ in range(2):
            port = free_port()
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
                    env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        for url in self.urls:
            wait_for(url + "/healthz", seconds=30)

    def flush_redis(self):
        for database in (14, 15):
            with socket.create_connection(REDIS) as connection:
                connection.sendall(f"SELECT {database}\r\nFLUSHDB\r\nQUIT\r\n".encode())
                connection.recv(100)

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=20)
        self.flush_redis()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def count(self, sql):
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require_services()
    servers = Servers(tmp_path_factory.mktemp("servers"))
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


class Browser:
    """A visitor's HTTP client for a server that thinks it is behind a TLS proxy: the
    cookies are HTTPS-only, so they are kept here and sent by hand."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, method, path, **kwargs):
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.base.replace("http://", "https://"),
            "Referer": self.base.replace("http://", "https://") + path,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def form_tokens(self, path):
        html = self.request("GET", path).text
        return {
            name: re.search(rf'name="{name}" value="([^"]*)"', html)[1]
            for name in ("csrfmiddlewaretoken", "started")
            if f'name="{name}"' in html
        }


def test_a_page_published_through_one_server_is_served_by_the_other_at_once(servers):
    first, second = servers.urls
    edition = requests.get(f"{second}/api/v2/pages/?type=events.EditionPage", timeout=10)
    page_id = edition.json()["items"][0]["id"]
    before = requests.get(f"{second}/2017/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert before.status_code == 200
    assert "max-age" in before.headers["Cache-Control"]  # kept in the page cache

    # An editor's change through the first server (Wagtail's API v3 with a token: the
    # content fields are read-only there, the title is not).
    auth = {"Authorization": f"Bearer {servers.token}"}
    title = f"Майстерня міста Житомир {uuid.uuid4().hex[:6]}"
    patched = requests.patch(
        f"{first}/api/v3/pages/{page_id}/", json={"title": title}, headers=auth, timeout=10
    )
    assert patched.status_code == 200, patched.text
    published = requests.post(
        f"{first}/api/v3/pages/{page_id}/actions/publish/", headers=auth, timeout=10
    )
    assert published.status_code in (200, 202), published.text
    started = time.monotonic()
    page = requests.get(f"{second}/2017/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert title in page.text
    assert time.monotonic() - started < 1


def test_a_registration_sent_to_either_server_is_stored_once(servers):
    # The upcoming demo edition's form: 2017's closed after its last day.
    path = current_path(servers.urls[0], "registration/", **{"X-Forwarded-Proto": "https"})
    for base, email in zip(servers.urls, ("a@example.org", "b@example.org"), strict=True):
        visitor = Browser(base)
        tokens = visitor.form_tokens(path)
        answers = {
            **tokens,
            "name": "Олена",
            "email": email,
            "participation": "Учасник",
            "consent": "on",
            "website": "",
        }
        response = visitor.request("POST", path, data=answers)
        assert response.status_code == 303, response.text[:2000]
    # The same address again, through the other server: refused, not stored twice.
    visitor = Browser(servers.urls[1])
    again = visitor.request(
        "POST",
        path,
        data={
            **visitor.form_tokens(path),
            "name": "Олена",
            "email": "a@example.org",
            "participation": "Учасник",
            "consent": "on",
        },
    )
    assert again.status_code == 200
    assert servers.count("SELECT COUNT(*) FROM events_registrationsubmission") == 2


def test_a_file_uploaded_to_one_server_is_served_by_the_other(servers):
    first, second = servers.urls
    editor = Browser(first)
    login = editor.request(
        "POST",
        "/admin/login/",
        data={
            "csrfmiddlewaretoken": editor.form_tokens("/admin/login/")["csrfmiddlewaretoken"],
            "username": "admin",
            "password": PASSWORD,
        },
    )
    assert login.status_code == 302, login.text[:500]
    content = b"%PDF-1.4\n" + uuid.uuid4().bytes + b"\n%%EOF\n"
    uploaded = editor.request(
        "POST",
        "/admin/documents/add/",
        data={
            "csrfmiddlewaretoken": editor.form_tokens("/admin/documents/add/")[
                "csrfmiddlewaretoken"
            ],
            "title": "Кошторис 2018",
            "collection": "1",
        },
        files={"file": ("koshtorys-2018.pdf", content, "application/pdf")},
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    documents = requests.get(f"{second}/api/v2/documents/?limit=50", timeout=10).json()
    url = next(
        d["meta"]["download_url"] for d in documents["items"] if d["title"] == "Кошторис 2018"
    )
    path = urlsplit(url).path
    download = requests.get(second + path, headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert download.status_code == 200
    assert download.content == content
    assert json.loads(requests.get(second + "/healthz", timeout=5).text) == {"status": "ok"}


def test_static_files_have_hashed_names_and_long_cache_headers(servers):
    html = requests.get(servers.urls[0] + "/2017/", timeout=10).text
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)[1]
    response = requests.get(
        servers.urls[1] + stylesheet, headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
