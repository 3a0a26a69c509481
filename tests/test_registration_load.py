"""Nothing is lost when a crowd registers at once: concurrent registrations from
threads against a real server process (Django's threaded development server, on its
own database), every one stored, no error response. 200 on PostgreSQL, 50 on SQLite."""

import contextlib
import os
import re
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from .helpers import POSTGRES, DemoSite, current_path, demo_copy

pytestmark = pytest.mark.slow

TOKEN = re.compile(r'name="(csrfmiddlewaretoken|started)" value="([^"]+)"')


@pytest.fixture
def server_database(tmp_path):
    """The demo on a database of the server's own: a PostgreSQL database when the suite
    runs on PostgreSQL, else an SQLite file; with how many people register."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield *demo_copy(tmp_path), 50
        return
    database_url, media_root = demo_copy(tmp_path, "postgresql")
    try:
        yield database_url, media_root, 200
    finally:
        name = urllib.parse.urlsplit(database_url).path.lstrip("/")
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_registrations_are_all_stored(server_database, tmp_path):
    database_url, media_root, people = server_database
    site = DemoSite(
        database_url,
        media_root,
        loaded=True,
        FORM_MIN_FILL_SECONDS=0,
        FORM_POST_RATE_LIMIT=people * 2,
    )
    with site.serve() as root:
        # The upcoming demo edition's form: 2017's closed after its last day.
        url = root + current_path(root, "registration/")
        ready = threading.Barrier(min(people, 50))

        def register(number):
            session = requests.Session()
            tokens = dict(TOKEN.findall(session.get(url, timeout=30).text))
            with contextlib.suppress(threading.BrokenBarrierError):
                ready.wait(timeout=30)
            return session.post(
                url,
                data={
                    **tokens,
                    "name": f"Учасник {number}",
                    "email": f"person{number}@example.org",
                    "participation": "Учасник",
                    "consent": "on",
                },
                headers={"Referer": url},
                allow_redirects=False,
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(register, range(people)))
    assert statuses == [303] * people
    count = site.manage(
        "shell",
        "-c",
        "from events.models import RegistrationSubmission as R; print(R.objects.count())",
    ).split()[-1]
    assert int(count) == people
