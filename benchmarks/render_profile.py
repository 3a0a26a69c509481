"""The render cost and size of the programme, edition, day and track pages, uncached.

Builds an edition at Lviv's scale (144 sessions) and one at ten times it (1,440) in a
throw-away test database, then requests each page through Django's test client
(middleware, Wagtail routing, rendering; no network) and prints, per page, the
median CPU time of a request (time.process_time), its queries, and its HTML's size
plain and gzipped.

    .venv/bin/python benchmarks/render_profile.py [--requests 20] [--profile PAGE]

`--profile programme-10x` (any printed label) prints cProfile's top functions for
that page. DATABASE_URL picks the database server as everywhere (SQLite by default).
"""

import argparse
import cProfile
import datetime
import gzip
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.client import ClientHandler  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class Client:
    """Requests through the whole handler, as Django's test client makes them, but
    without what the test client adds to every template rendered (a signal that copies
    the context, for `response.context`): that would be measured too."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)
        self.factory = RequestFactory()

    def get(self, url):
        return self.handler(self.factory.get(url).environ)


def build(scale, start):
    from events.factories import build_edition_at_lviv_scale
    from events.models import DayPage, ProgrammePage
    from home.models import HomePage

    edition = build_edition_at_lviv_scale(HomePage.objects.get(), scale=scale, start=start)
    programme = ProgrammePage.objects.child_of(edition).get()
    label = "10x" if scale == 10 else "lviv"
    return {
        f"programme-{label}": programme.url,
        f"edition-{label}": edition.url,
        f"day-{label}": DayPage.objects.child_of(programme).order_by("date")[0].url,
        f"track-{label}": edition.tracks[0].url,
    }


def clear_caches():
    for cache in caches.all():
        cache.clear()


def measure(client, url, requests):
    client.get(url)  # warm what lives for the process (templates, site root paths)
    connection.queries_log.clear()
    clear_caches()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: each request empties the connection's log
    assert response.status_code == 200, (url, response.status_code)
    body = response.content
    timings = []
    for _ in range(requests):
        clear_caches()  # uncached: neither the page cache nor any fragment cache
        started = time.process_time()
        client.get(url)
        timings.append((time.process_time() - started) * 1000)
    return {
        "cpu_ms": statistics.median(timings),
        "spread": (min(timings), max(timings)),
        "queries": query_count,
        "bytes": len(body),
        "gzip": len(gzip.compress(body, 6)),
    }


def profile(client, url):
    client.get(url)
    clear_caches()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    parser.add_argument("--profile", help="a page label to profile with cProfile")
    args = parser.parse_args()

    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        # Days in the past: no «Зараз/Далі», the page as most of the year shows it.
        urls = {
            **build(1, datetime.date(2019, 5, 30)),
            **build(10, datetime.date(2020, 5, 30)),
        }
        client = Client()
        if args.profile:
            profile(client, urls[args.profile])
            return
        print(f"{'page':<16}{'CPU ms':>9}{'min-max':>15}{'queries':>9}{'KB':>9}{'gzip KB':>9}")
        for label, url in urls.items():
            m = measure(client, url, args.requests)
            low, high = m["spread"]
            print(
                f"{label:<16}{m['cpu_ms']:>9.1f}{f'{low:.1f}-{high:.1f}':>15}"
                f"{m['queries']:>9}{m['bytes'] / 1000:>9.1f}{m['gzip'] / 1000:>9.1f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
