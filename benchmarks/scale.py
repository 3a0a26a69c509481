"""What every public page, feed and API endpoint costs at three sizes of programme.

    .venv/bin/python benchmarks/scale.py [--quick] [--scales 6x6,lviv,10x]
        [--requests 20] [--seconds 5] [--rounds 3] [--connections 8]
        [--memory-requests 1000] [--parts in-process,served,memory] [--in-process-only]

Needs `wrk` for the server part (Debian: apt-get install -y wrk; the benchmarks are not
part of CI, so .ci/run does not install it). Only 127.0.0.1 is ever contacted.

1. Builds the editions once, in one throw-away database (SQLite in a temporary folder,
   or the database of DATABASE_URL, which must be empty): 6×6 (6 days of 6 sessions,
   2030), Lviv (12 days of 12, 144 sessions, 2031) and 10× Lviv (12 days of 120, 1,440
   sessions, 2032), each with six venues (three for 6×6), four themes and a documents
   page. The editions are built one after the other and each is measured when it is
   the newest, so the site-wide pages (home, search, sitemap) are those of a site
   whose current edition is the one measured.
2. In this process, with the production settings (benchmarks/settings.py) and the page
   cache off, on the edition's first day at 10:00 Kyiv («Зараз/Далі» on): for each
   endpoint, the queries of one request, the CPU time (time.process_time) of N
   requests through Django's test client (median and quartiles), the bytes of the
   answer and its gzip size (level 6).
3. Under gunicorn (cms/gunicorn.py, 2 workers, the same database and clock), page cache
   off then on: requests per second of a few endpoints with wrk, each next to a static
   file of the same size served by the same gunicorn (WhiteNoise), in interleaved
   rounds (page, file, page, file…): medians, min–max, and the ratio.
4. Memory: one gunicorn worker (a server of one worker) after `--memory-requests`
   requests over a mix of the largest edition's pages, feeds and API answers, page
   cache off then on: VmRSS and VmHWM from /proc/<pid>/status.

Prints markdown tables, ready for the README's «Speed» section. --quick: 3 requests,
2 rounds of 2 s, 100 requests for the memory: to see that it runs, not for figures.
"""

import argparse
import datetime
import gzip
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import (  # noqa: E402
    WRK_INSTALL,
    production_env,
    serve,
    stop,
    write_yardstick,
    wrk,
)
from tests.helpers import free_port  # noqa: E402

KYIV = ZoneInfo("Europe/Kyiv")
# Measured under gunicorn too (the rest in process only).
PARTS = ("in-process", "served", "memory")
SERVED = ("programme", "edition", "day", "edition .ics", "API v2: days, fields=*")
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front says


def build_grid(home_page, year, days, sessions_per_day, venues=6):
    """An edition of `days` days of `sessions_per_day` sessions from 8:00, spread over
    four themes and `venues` venues, with a documents page of three documents."""
    from events.factories import (
        DayPageFactory,
        EditionPageFactory,
        ProgrammePageFactory,
        SessionFactory,
        TrackPageFactory,
        VenueFactory,
    )

    start = datetime.date(year, 6, 1)
    edition = EditionPageFactory(
        parent=home_page, start_date=start, end_date=start + datetime.timedelta(days=days - 1)
    )
    places = [VenueFactory(edition=edition, sort_order=i) for i in range(venues)]
    tracks = [TrackPageFactory(parent=edition) for _ in range(4)]
    programme = ProgrammePageFactory(parent=edition)
    for offset in range(days):
        day = DayPageFactory(parent=programme, date=start + datetime.timedelta(days=offset))
        for number in range(sessions_per_day):
            minute = 8 * 60 + number * 12 * 60 // sessions_per_day
            SessionFactory(
                page=day,
                start_time=datetime.time(minute // 60, minute % 60),
                end_time=datetime.time((minute + 45) // 60, (minute + 45) % 60),
                track=tracks[number % 4],
                venue=places[number % venues],
            )
    add_documents(edition)
    return edition


def build_lviv(home_page, year, scale=1):
    """The factories' Lviv-scale edition (events.factories), with a documents page."""
    from events.factories import build_edition_at_lviv_scale

    edition = build_edition_at_lviv_scale(home_page, scale=scale, start=datetime.date(year, 5, 30))
    add_documents(edition)
    return edition


def add_documents(edition):
    from documents.factories import DocumentItemFactory, DocumentsPageFactory

    documents = DocumentsPageFactory(parent=edition)
    for _ in range(3):
        DocumentItemFactory(page=documents)


SCALES = {
    "6x6": ("6×6 (36 sessions)", lambda home: build_grid(home, 2030, 6, 6, venues=3)),
    "lviv": ("Lviv (144 sessions)", lambda home: build_lviv(home, 2031)),
    "10x": ("10× Lviv (1,440 sessions)", lambda home: build_lviv(home, 2032, scale=10)),
}


def moment_of(edition):
    """When an edition is measured: its first day at 10:00 in Kyiv, sessions on."""
    return datetime.datetime.combine(edition.start_date, datetime.time(10, 0), tzinfo=KYIV)


def endpoints(edition):
    """Every public page, feed and API endpoint of an edition: name → path."""
    from events.models import DayPage, EditionPage

    edition = EditionPage.objects.get(pk=edition.pk)  # fresh cached properties
    programme = edition.programme_page
    day = DayPage.objects.child_of(programme).live().order_by("date").first()
    session = day.sessions.order_by("start_time").first()
    track = edition.tracks[0]
    api = f"type=events.DayPage&descendant_of={edition.pk}&fields=*"
    return {
        "home": "/",
        "edition": edition.url,
        "programme": programme.url,
        "programme, one theme": f"{programme.url}?track={track.slug}",
        "day": day.url,
        "session": session.url,
        "theme": track.url,
        "venue screen": programme.url + programme.reverse_subpage("now"),
        "search": "/search/?q=" + quote("Подія"),
        "documents": edition.documents_page.url,
        "edition .ics": edition.feed_url("calendar"),
        "day .ics": day.feed_url("calendar"),
        "theme .ics": track.feed_url("calendar"),
        "frab JSON": programme.feed_url("frab"),
        "frab XML": programme.feed_url("frab_xml"),
        "CSV": programme.feed_url("csv"),
        "open data page": edition.url + edition.reverse_subpage("open_data"),
        "open data: sessions.csv": edition.feed_url("open_data_file", file_name="sessions.csv"),
        "changes Atom": programme.feed_url("changes_atom"),
        "sitemap": "/sitemap.xml",
        "API v2: days, fields=*": f"/api/v2/pages/?{api}",
        "API v2: a day": f"/api/v2/pages/{day.pk}/",
        # v3 (Wagtail 8.0) has no `fields`: its listings give every page's base fields.
        "API v3: days": f"/api/v3/pages/?type=events.DayPage&descendant_of={edition.pk}",
        "API v3: a day": f"/api/v3/pages/{day.pk}/",
    }


def memory_mix(edition):
    """The paths the memory run cycles through: every endpoint, every day, every theme
    and a session of every day."""
    from events.models import DayPage

    paths = list(endpoints(edition).values())
    for day in DayPage.objects.descendant_of(edition).live().order_by("date"):
        paths += [day.url, day.feed_url("calendar"), day.sessions.order_by("title").first().url]
    from events.models import EditionPage

    paths += [track.url for track in EditionPage.objects.get(pk=edition.pk).tracks]
    return paths


@dataclass
class Cost:
    queries: int
    size: int
    gzip_size: int
    cpu_ms: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.cpu_ms)

    @property
    def quartiles(self):
        if len(self.cpu_ms) < 2:
            return self.cpu_ms[0], self.cpu_ms[0]
        first, _, third = statistics.quantiles(self.cpu_ms, n=4, method="inclusive")
        return first, third


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def measure(client, path, requests):
    """The cost of one endpoint: queries of one request, CPU ms of `requests`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path, headers=HEADERS)  # warm: settings, templates, the site
    assert response.status_code == 200, (path, response.status_code)
    body = body_of(response)
    connection.queries_log.clear()  # a bounded deque: once full it would count nothing
    with CaptureQueriesContext(connection) as queries:
        body_of(client.get(path, headers=HEADERS))
    cost = Cost(len(queries), len(body), len(gzip.compress(body, compresslevel=6)))
    for _ in range(requests):
        started = time.process_time()
        body_of(client.get(path, headers=HEADERS))
        cost.cpu_ms.append((time.process_time() - started) * 1000)
    return cost


def measure_edition(edition, requests):
    """Every endpoint of an edition, in this process, at the edition's moment."""
    import time_machine
    from django.test import Client

    client = Client()
    with time_machine.travel(moment_of(edition), tick=True):
        return {name: measure(client, path, requests) for name, path in endpoints(edition).items()}


def table(header, rows, left=1):
    """A markdown table, its first `left` columns aligned left, the figures right."""
    rule = "|---" * left + "|---:" * (len(header) - left) + "|"
    lines = ["| " + " | ".join(header) + " |", rule]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def in_process_tables(results, labels=None):
    """Markdown: queries, CPU ms and sizes of every endpoint, a column per scale."""
    labels = labels or {name: name for name in results}
    names = list(next(iter(results.values())))
    scales = list(results)
    header = ["endpoint", *(labels[scale] for scale in scales)]

    def cpu(cost):
        first, third = cost.quartiles
        return f"{cost.median:.1f} ({first:.1f}–{third:.1f})"

    def size(cost):
        return f"{cost.size / 1024:,.1f} / {cost.gzip_size / 1024:,.1f}"

    parts = []
    for title, cell in (
        ("Queries per request", lambda cost: cost.queries),
        ("CPU ms per request, median (quartiles)", cpu),
        ("KB of the answer / gzipped (level 6)", size),
    ):
        rows = [[name, *(cell(results[scale][name]) for scale in scales)] for name in names]
        parts.append(f"{title}:\n\n{table(header, rows)}")
    return "\n\n".join(parts)


def spread(values, digits=0):
    return (
        f"{statistics.median(values):,.{digits}f} "
        f"({min(values):,.{digits}f}–{max(values):,.{digits}f})"
    )


def interleaved(base, page, yardstick, rounds, seconds, connections):
    """wrk against the page and its yardstick file, alternately, `rounds` times."""
    for path in (page, yardstick):  # warm the workers and the page cache
        for _ in range(2):
            urllib.request.urlopen(request_for(base + path), timeout=120).read()
    page_runs, file_runs = [], []
    for _ in range(rounds):
        for path, runs in ((page, page_runs), (yardstick, file_runs)):
            # One request first: it waits until the workers are done with the requests
            # still queued from the previous run (a slow page's outlast its wrk run).
            urllib.request.urlopen(request_for(base + path), timeout=300).read()
            runs.append(wrk(base + path, seconds, connections))
    return page_runs, file_runs


def ratio(page_rates, file_rates):
    file_rate = statistics.median(file_rates)
    return f"{statistics.median(page_rates) / file_rate:.2f}" if file_rate else "–"


def request_for(url):
    return urllib.request.Request(url, headers=HEADERS)


def worker_memory(master_pid):
    """VmRSS and VmHWM (MB) of each of a gunicorn master's workers."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        workers.append(tuple(int(values[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")))
    return workers


def load_average():
    """The machine's load average (1, 5, 15 min): figures are only worth a quiet one."""
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores ({model}), {int(memory) // 1024 // 1024} GB"


def revision():
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return commit + (" with uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run, to see it works")
    parser.add_argument("--scales", default=",".join(SCALES), help="of " + ", ".join(SCALES))
    parser.add_argument("--requests", type=int, help="in-process requests per endpoint (20)")
    parser.add_argument("--seconds", type=int, help="of each wrk run (5)")
    parser.add_argument("--rounds", type=int, help="interleaved wrk rounds (3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's connections (8)")
    parser.add_argument("--memory-requests", type=int, help="requests before the RSS (1000)")
    parser.add_argument("--in-process-only", action="store_true", help="no gunicorn, no wrk")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="of " + ", ".join(PARTS) + " (served needs in-process: the sizes)",
    )
    args = parser.parse_args()
    args.parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if args.in_process_only:
        args.parts = ["in-process"]
    if set(args.parts) - set(PARTS) or ("served" in args.parts and "in-process" not in args.parts):
        parser.error(f"--parts: some of {', '.join(PARTS)}; served needs in-process")
    defaults = (3, 2, 2, 100) if args.quick else (20, 5, 3, 1000)
    for name, default in zip(
        ("requests", "seconds", "rounds", "memory_requests"), defaults, strict=True
    ):
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    unknown = set(args.scales) - set(SCALES)
    if unknown:
        parser.error(f"unknown scales: {', '.join(sorted(unknown))}")
    if "served" in args.parts and not shutil.which("wrk"):
        parser.error(WRK_INSTALL)
    return args


def main():
    args = options()
    commit = revision()  # before the run: the working copy may change while it runs
    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-scale-"))
    env = production_env(workdir, BENCHMARK_PAGE_CACHE="off")
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from home.models import HomePage

    try:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(
            f"# benchmarks/scale.py, {datetime.date.today():%Y-%m-%d}, {machine()}, "
            f"{connection.vendor}, commit {commit}, Python {platform.python_version()}, "
            f"Django {django.get_version()}, Wagtail {__import__('wagtail').__version__}, "
            f"{load_average()}\n",
            flush=True,
        )
        editions, results = {}, {}
        for scale in args.scales:
            label, build = SCALES[scale]
            started = time.monotonic()
            editions[scale] = build(HomePage.objects.get())
            print(f"built {label} in {time.monotonic() - started:.0f} s", file=sys.stderr)
            if "in-process" in args.parts:
                results[scale] = measure_edition(editions[scale], args.requests)
        labels = {scale: SCALES[scale][0] for scale in args.scales}
        if "in-process" in args.parts:
            in_process_report(args, results, labels)
        mixes = {scale: memory_mix(edition) for scale, edition in editions.items()}
        paths = {scale: endpoints(edition) for scale, edition in editions.items()}
        moments = {scale: moment_of(edition).isoformat() for scale, edition in editions.items()}
        connection.close()
        if "served" in args.parts:
            yardsticks = {
                (scale, name): write_yardstick(
                    env["BENCHMARK_STATIC_ROOT"],
                    f"{scale}-{name.split(':')[0].replace(' ', '-').replace('.', '')}.html",
                    results[scale][name].size,
                )
                for scale in args.scales
                for name in SERVED
            }
            served(args, env, labels, paths, moments, yardsticks, results)
        if "memory" in args.parts:
            memory(args, env, labels, mixes, moments)
    finally:
        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)


def in_process_report(args, results, labels):
    print(
        f"In process (Django's test client, production settings, page cache off, "
        f"{args.requests} requests each, on the edition's first day at 10:00):\n"
    )
    print(in_process_tables(results, labels), "\n", flush=True)
    print(f"({load_average()} at the end of this part)\n", flush=True)


def served(args, env, labels, paths, moments, yardsticks, results):
    rows = []
    for scale in args.scales:
        for cache in ("off", "on"):
            port = free_port()
            server = serve(
                {**env, "BENCHMARK_PAGE_CACHE": cache, "BENCHMARK_NOW": moments[scale]}, port
            )
            try:
                for name in SERVED:
                    page_runs, file_runs = interleaved(
                        f"http://127.0.0.1:{port}",
                        paths[scale][name],
                        yardsticks[scale, name],
                        args.rounds,
                        args.seconds,
                        args.connections,
                    )
                    page_rates = [run[0] for run in page_runs]
                    file_rates = [run[0] for run in file_runs]
                    rows.append(
                        [
                            labels[scale],
                            name,
                            cache,
                            f"{results[scale][name].size / 1024:,.0f}",
                            spread(page_rates),
                            spread(file_rates),
                            ratio(page_rates, file_rates),
                            spread([run[1] for run in page_runs], 1),
                            spread([run[2] for run in page_runs], 1),
                            sum(run[3] for run in page_runs + file_runs),
                        ]
                    )
                    print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
            finally:
                stop(server)
    print(
        f"Under gunicorn (cms/gunicorn.py, 2 workers, production settings), wrk with "
        f"{args.connections} connections, {args.rounds} interleaved rounds of "
        f"{args.seconds} s against the page and a static file of its size (WhiteNoise, "
        f"same server): medians (min–max).\n"
    )
    header = [
        "scale",
        "endpoint",
        "page cache",
        "KB",
        "requests/s",
        "static file requests/s",
        "page / file",
        "p50 ms",
        "p99 ms",
        "failures",
    ]
    print(table(header, rows, left=3), "\n")
    print(f"({load_average()} at the end of this part)\n", flush=True)


def memory(args, env, labels, mixes, moments):
    scale = args.scales[-1]
    mix = mixes[scale]
    rows = []
    for cache in ("off", "on"):
        port = free_port()
        server = serve(
            {**env, "BENCHMARK_PAGE_CACHE": cache, "BENCHMARK_NOW": moments[scale]},
            port,
            workers=1,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            urllib.request.urlopen(request_for(base + "/healthz"), timeout=30).read()
            (booted, _), *_ = worker_memory(server.pid)
            for number in range(args.memory_requests):
                path = mix[number % len(mix)]
                urllib.request.urlopen(request_for(base + path), timeout=120).read()
            (rss, peak), *_ = worker_memory(server.pid)
        finally:
            stop(server)
        rows.append([cache, f"{booted:.0f}", f"{rss:.0f}", f"{peak:.0f}"])
    print(
        f"Memory of one gunicorn worker (a server of one worker) after "
        f"{args.memory_requests:,} requests cycling through {len(mix)} addresses of "
        f"{labels[scale]} (every endpoint above, every day, its feed and a session, "
        f"every theme):\n"
    )
    print(table(["page cache", "MB at start", "VmRSS MB after", "VmHWM MB (peak)"], rows))
    print(f"\n({load_average()} at the end of this part)")


if __name__ == "__main__":
    main()
