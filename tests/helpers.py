import atexit
import contextlib
import copy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def require(condition, what):
    """Skip the test without an outside tool (Chromium, LibreOffice), except in CI
    (CI=1), where .ci/run installs it and its absence fails."""
    if condition:
        return
    import pytest  # here: benchmarks/load.py uses this module without pytest

    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


def registration(**answers):
    """A registration as a person sends it: the answers, the consent, and the form's
    own start time."""
    from events.forms import started_token  # here: this module is also used without Django

    return {"consent": "on", "started": started_token(), "website": "", **answers}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=60):
    """Until the server at `url` answers: a server starting on a busy machine (two
    test processes, a browser) may take half a minute; a quiet one answers at once."""
    for _ in range(int(seconds * 10)):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def current_path(base_url, part="", **headers):
    """Where `/current/<part>` leads on the site at `base_url`: on the demo, the upcoming
    edition's page (2017's forms closed after its last day), e.g. "/2026/registration/"."""
    import requests

    response = requests.get(
        f"{base_url}/current/{part}", headers=headers, allow_redirects=False, timeout=30
    )
    assert response.status_code == 302, response.status_code
    return urllib.parse.urlsplit(response.headers["Location"]).path


class DemoSite:
    """The demo edition as `make run` serves it (dev settings, Django's threaded
    development server), on its own database, in a subprocess."""

    def __init__(self, database_url, media_root, loaded=False, **settings):
        self.loaded = loaded  # the database and media already hold the demo
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "PRIVATE_MEDIA_ROOT": str(Path(media_root).with_name("private_media")),
            "LOG_LEVEL": "WARNING",
            **{name: str(value) for name, value in settings.items()},
        }

    def command(self, *arguments):
        return [sys.executable, str(ROOT / "manage.py"), *arguments]

    def manage(self, *arguments):
        return subprocess.run(
            self.command(*arguments),
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    @contextlib.contextmanager
    def serve(self):
        """Migrate and load the demo (unless it is there), serve; yields the site's
        address, which is the site's SITE_URL (and its Site record's, as after a
        `migrate` on a deploy)."""
        port = free_port()
        self.env["SITE_URL"] = f"http://127.0.0.1:{port}"
        if not self.loaded:
            self.manage("migrate", "--no-input")
            self.manage("load_demo")
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                "--noreload",
                f"127.0.0.1:{port}",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = self.env["SITE_URL"]
        try:
            if self.loaded:  # while the server starts
                self.manage("sync_site_url")
            wait_for(url)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


@contextlib.contextmanager
def database_of_its_own(name, sqlite_path):
    """Django's default connection on a new, empty database for one test (a file
    SQLite at `sqlite_path`, or a PostgreSQL database `name` beside the suite's), for
    what the suite's shared test database cannot take, such as a restore that replaces
    it. The connection is put back and the database dropped after."""
    import psycopg
    from django.contrib.contenttypes.models import ContentType
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.utils import load_backend

    original = connections[DEFAULT_DB_ALIAS]
    database = copy.deepcopy(original.settings_dict)
    admin = None
    if original.vendor == "postgresql":
        database["NAME"] = f"{name}_{os.getpid()}"
        admin = psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database["NAME"]}"')
    else:
        database["NAME"] = str(sqlite_path)
    own = load_backend(database["ENGINE"]).DatabaseWrapper(database, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = own
    ContentType.objects.clear_cache()
    try:
        yield own
    finally:
        own.close()
        connections[DEFAULT_DB_ALIAS] = original
        ContentType.objects.clear_cache()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')
            admin.close()


POSTGRES = "postgres://postgres@127.0.0.1:5432"
_demo_templates = {}


def _demo_template(kind):
    """The demo as `migrate` and `load_demo` leave it, built once per test run and
    dropped at its end: an SQLite file or a PostgreSQL database, and the media folder.
    The migrations alone take some 20 s of CPU on PostgreSQL; copying takes none."""
    if kind in _demo_templates:
        return _demo_templates[kind]
    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-demo-template-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    if kind == "postgresql":
        import psycopg

        name = f"cityworkshop_demo_template_{os.getpid()}"
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        atexit.register(drop)
        database_url = f"{POSTGRES}/{name}"
    else:
        name = workdir / "db.sqlite3"
        database_url = f"sqlite:///{name}"
    site = DemoSite(database_url, workdir / "media")
    site.manage("migrate", "--no-input")
    site.manage("load_demo")
    _demo_templates[kind] = name, workdir
    return _demo_templates[kind]


def demo_copy(workdir, kind="sqlite"):
    """A database and media folder of the caller's own (in `workdir`) that hold the
    demo edition, as a fresh `migrate` and `load_demo` would: (DATABASE_URL,
    MEDIA_ROOT). A PostgreSQL copy is the caller's to drop."""
    name, template = _demo_template(kind)
    media_root = Path(workdir) / "media"
    shutil.copytree(template / "media", media_root)
    if (template / "private_media").exists():
        shutil.copytree(template / "private_media", media_root.with_name("private_media"))
    if kind == "postgresql":
        import psycopg

        copy_name = f"{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
        return f"{POSTGRES}/{copy_name}", media_root
    import sqlite3

    copy_path = Path(workdir) / "db.sqlite3"
    source, target = sqlite3.connect(name), sqlite3.connect(copy_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return f"sqlite:///{copy_path}", media_root


def session_rows(day):
    """A programme day's sessions as the rows of its edit form in the admin (the
    values the press office's browser posts back)."""
    return [
        {
            "id": session.pk,
            "start_time": session.start_time.strftime("%H:%M"),
            "end_time": session.end_time.strftime("%H:%M"),
            "title": session.title,
            "kind": session.kind,
            "track": session.track_id or "",
            "venue": session.venue_id or "",
            "spot": session.spot,
            "hosts": session.hosts,
            "description": session.description,
            "status": session.status,
            "status_note": session.status_note,
        }
        for session in day.sessions.all()
    ]


def day_form_data(day, rows, **fields):
    """The POST of a day's edit form with these session rows (`session_rows`, a row
    with "DELETE": True deleted) and these other fields."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    return nested_form_data(
        {
            "title": day.title,
            "slug": day.slug,
            "date": day.date.isoformat(),
            "intro": rich_text(""),
            "sessions": inline_formset(rows, initial=len(rows)),
            **fields,
        }
    )
