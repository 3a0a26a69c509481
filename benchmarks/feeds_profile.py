"""CPU, queries and bytes of every feed and export, at Lviv's scale and at 10x Lviv.

The editions (events.factories.build_edition_at_lviv_scale: 12 days, 12 x scale
sessions a day, six venues, four tracks) are built in a throw-away test database;
each file is then asked for through Django's test client (middleware, Wagtail routing,
the view; no network, no page cache), as a worker would build it.

    .venv/bin/python benchmarks/feeds_profile.py [--scale 1 10] [--requests 10]
    .venv/bin/python benchmarks/feeds_profile.py --scale 10 --profile "edition .ics"
    .venv/bin/python benchmarks/feeds_profile.py --scale 10 --memory 1000

Prints, per file, the median and the spread (min-max) of the CPU time of one request
(time.process_time, so a busy machine does not inflate it), its query count and its
size. `--profile NAME` prints cProfile's top functions for the files whose name starts
with NAME; `--memory N` makes N requests in turn across the pages and the feeds and
prints the process's resident memory (RSS) before and after. DATABASE_URL picks the
database server as everywhere (SQLite by default).
"""

import argparse
import cProfile
import gc
import logging
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

OPEN_DATA_FILES = (
    "sessions.csv",
    "sessions.json",
    "sessions-passport.csv",
    "sessions-structure.json",
    "sessions-schema.json",
    "venues.csv",
    "themes.json",
    "partners.csv",
)


def build(scale, year):
    """The addresses of the pages and of the feeds of one edition at `scale`."""
    import datetime

    from events.factories import build_edition_at_lviv_scale
    from events.models import DayPage, ProgrammePage
    from home.models import HomePage

    edition = build_edition_at_lviv_scale(
        HomePage.objects.get(), scale=scale, start=datetime.date(year, 5, 30)
    )
    programme = ProgrammePage.objects.child_of(edition).get()
    day = DayPage.objects.child_of(programme).order_by("date").first()
    session = day.sessions.first()
    starred = ",".join(
        str(pk) for pk in DayPage.objects.child_of(programme).values_list("sessions__pk", flat=True)
    )
    starred = ",".join(starred.split(",")[:: max(1, 12 * scale // 2)])  # two a day
    track = edition.tracks[0]
    feeds = {
        "edition .ics": edition.feed_url("calendar"),
        "day .ics": day.feed_url("calendar"),
        "track .ics": track.feed_url("calendar"),
        "session .ics": session.get_calendar_url(),
        "my .ics (24 starred)": f"{programme.feed_url('my_calendar')}?s={starred}",
        "frab JSON": programme.feed_url("frab"),
        "frab XML": programme.feed_url("frab_xml"),
        "programme CSV": programme.feed_url("csv"),
        "open-data page": f"{edition.url}open-data/",
        **{
            f"open data {name}": edition.feed_url("open_data_file", file_name=name)
            for name in OPEN_DATA_FILES
        },
    }
    pages = {
        "home": "/",
        "edition": edition.url,
        "programme": programme.url,
        "day": day.url,
        "track": track.url,
        "session": session.url,
    }
    return feeds, pages


def cpu_ms(client, url):
    started = time.process_time()
    response = client.get(url)
    elapsed = (time.process_time() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response


def measure(client, url, requests):
    client.get(url)  # warm caches (site root paths, settings, templates, translations)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        _elapsed, response = cpu_ms(client, url)
    # Read now: Django empties the log when the next request starts.
    query_count = len(queries)
    size = len(response.content)
    timings = sorted(cpu_ms(client, url)[0] for _ in range(requests))
    return statistics.median(timings), timings[0], timings[-1], query_count, size


def profile(client, url, requests):
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(35)
    stats.sort_stats("tottime").print_stats(25)


def rss_mb():
    """The resident set size of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def memory(client, urls, requests):
    urls = list(urls)
    for url in urls:
        client.get(url)
    gc.collect()
    before = rss_mb()
    marks = {}
    for number in range(requests):
        client.get(urls[number % len(urls)])
        if (number + 1) % max(1, requests // 4) == 0:
            marks[number + 1] = rss_mb()
    gc.collect()
    return before, marks, rss_mb()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--requests", type=int, default=10, help="requests per file")
    parser.add_argument("--profile", metavar="NAME", help="cProfile the files named so")
    parser.add_argument("--only", metavar="NAME", help="measure only the files named so")
    parser.add_argument(
        "--memory", type=int, metavar="N", help="N requests across pages and feeds; RSS"
    )
    args = parser.parse_args()

    setup_test_environment()
    logging.disable(logging.INFO)  # the factories log every page they create
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        client = Client()
        print(f"{connection.vendor}, {args.requests} requests per file, CPU ms per request")
        for index, scale in enumerate(args.scale):
            feeds, pages = build(scale, 2019 + 2 * index)
            sessions = 144 * scale
            print(f"\nscale {scale} ({sessions} sessions)")
            if args.memory:
                before, marks, after = memory(
                    client, [*pages.values(), *feeds.values()], args.memory
                )
                steps = ", ".join(f"{n}: {mb:.0f}" for n, mb in marks.items())
                print(f"RSS MB before {before:.0f}; after requests {steps}; final {after:.0f}")
                continue
            if args.profile:
                for name, url in feeds.items():
                    if name.startswith(args.profile):
                        print(f"--- {name}: {url}")
                        profile(client, url, args.requests)
                continue
            print(f"{'file':<30} {'median':>8} {'min':>7} {'max':>7} {'queries':>8} {'bytes':>10}")
            for name, url in feeds.items():
                if args.only and not name.startswith(args.only):
                    continue
                median, low, high, queries, size = measure(client, url, args.requests)
                print(f"{name:<30} {median:>8.1f} {low:>7.1f} {high:>7.1f} {queries:>8} {size:>10}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
