"""Time the public pages and the calendar feed at Lviv's scale.

An edition of 12 days, 144 sessions, six venues and four tracks is built in a
throw-away test database.

    .venv/bin/python benchmarks/pages.py [--requests 50]

DATABASE_URL picks the database server as everywhere (SQLite by default); the test
database is created and dropped by Django's test machinery. Prints, per page, the
median and 95th-percentile time of a full request through Django's test client
(middleware, Wagtail routing, rendering; no network) and its query count.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)


def build_lviv_scale_edition():
    from events.factories import build_edition_at_lviv_scale
    from events.models import DayPage, ProgrammePage
    from home.models import HomePage

    edition = build_edition_at_lviv_scale(HomePage.objects.get())
    programme = ProgrammePage.objects.child_of(edition).get()
    return {
        "home": "/",
        "edition": edition.url,
        "programme (144 sessions)": programme.url,
        "programme, one theme": f"{programme.url}?track={edition.tracks[0].slug}",
        "edition .ics (144 sessions)": edition.feed_url("calendar"),
        "day (12 sessions)": DayPage.objects.child_of(programme).order_by("date")[0].url,
        "track (36 sessions)": edition.tracks[0].url,
        "search": "/search/?q=Подія",
    }


def measure(client, url, requests):
    client.get(url)  # warm caches (site root paths, settings, templates)
    # The log is a bounded deque: once full, CaptureQueriesContext would count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, query_count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        urls = build_lviv_scale_edition()
        client = Client()
        print(f"{connection.vendor}, {args.requests} requests per page")
        print(f"{'page':<26} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, url in urls.items():
            median, p95, queries = measure(client, url, args.requests)
            print(f"{name:<26} {median:>10.1f} {p95:>8.1f} {queries:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
