"""Load on loopback: requests per second and latency of the demo edition's pages and
the API, served as in production (gunicorn, the production settings, WhiteNoise), with
the page cache and without, next to a static file of the same size as a yardstick.

    .venv/bin/python benchmarks/load.py [--seconds 5] [--connections 16]

Needs `wrk` (Debian: apt-get install -y wrk; not in .ci/run, the benchmarks are not
part of CI). It builds the demo edition in a throw-away SQLite database (or the
database of DATABASE_URL: give it an empty one), starts gunicorn on 127.0.0.1 twice
(page cache on, then off), runs bounded wrk runs against each address, prints a table,
and cleans up. Only 127.0.0.1 is ever contacted.

This module also holds what every server benchmark shares (benchmarks/scale.py, the
proxy benchmark): `production_env()`, `manage()`, `serve(env, port)`,
`wrk(url, seconds, connections)`, `stop()` and `write_yardstick()`.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import free_port, wait_for  # noqa: E402

PAGES = {
    "home": "/",
    "edition": "/2017/",
    "programme": "/2017/programme/",
    "API: editions": "/api/v2/pages/?type=events.EditionPage&fields=*",
    "API: a day": "/api/v3/pages/?type=events.DayPage",
}
WRK_INSTALL = "wrk is not installed: apt-get install -y wrk (Debian, Ubuntu)"


def production_env(workdir, **overrides):
    """The environment of a production server whose data all lives in `workdir`: the
    production settings as benchmarks/settings.py runs them (page cache on unless
    BENCHMARK_PAGE_CACHE=off), SQLite unless DATABASE_URL is set."""
    workdir = Path(workdir)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "http://127.0.0.1:8000",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
        "BENCHMARK_STATIC_ROOT": str(workdir / "static"),
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(env, *arguments):
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


run = manage  # its former name


def wrk(url, seconds, connections, *, threads=2, timeout=30):
    """One wrk run: (requests/s, p50 ms, p99 ms, failures). Failures are answers other
    than 2xx/3xx and socket errors (a request still unanswered after `timeout` s)."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout}s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])

    def latency(percent):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failures = (int(errors[1]) if errors else 0) + (
        sum(map(int, sockets.groups())) if sockets else 0
    )
    return rate, latency(50), latency(99), failures


def serve(env, port, workers=2):
    """gunicorn with the repository's configuration (cms/gunicorn.py) on 127.0.0.1."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/healthz", seconds=30)
    return server


def stop(server):
    server.terminate()
    server.wait(timeout=60)


def write_yardstick(static_root, name, size):
    """A static file of `size` bytes that WhiteNoise serves at /static/<name>: what the
    network and the server alone cost for an answer of that size. Written before the
    server starts (WhiteNoise reads the folder once, at start)."""
    path = Path(static_root) / "benchmark" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return f"/static/benchmark/{name}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit(WRK_INSTALL)

    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-load-"))
    env = production_env(workdir)
    rows = []
    try:
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo")
        manage(env, "collectstatic", "--no-input")
        # A static file as large as the programme page, from the same gunicorn.
        port = free_port()
        server = serve(env, port)
        try:
            import urllib.request

            size = len(urllib.request.urlopen(f"http://127.0.0.1:{port}/2017/programme/").read())
        finally:
            stop(server)
        yardstick = write_yardstick(env["BENCHMARK_STATIC_ROOT"], "programme.html", size)
        for label, cache in (("on", "on"), ("off", "off")):
            port = free_port()
            server = serve({**env, "BENCHMARK_PAGE_CACHE": cache}, port)
            base = f"http://127.0.0.1:{port}"
            try:
                if not rows:
                    rows.append(
                        (
                            f"static file ({size // 1024} KB)",
                            "",
                            *wrk(base + yardstick, options.seconds, options.connections),
                        )
                    )
                for name, path in PAGES.items():
                    rows.append(
                        (name, label, *wrk(base + path, options.seconds, options.connections))
                    )
            finally:
                stop(server)
            time.sleep(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"gunicorn, 2 workers, {options.connections} connections, {options.seconds} s per "
        f"address, {os.cpu_count()} cores; {env['DATABASE_URL'].split(':')[0]}\n"
    )
    print("| address | page cache | requests/s | p50 (ms) | p99 (ms) | failures |")
    print("|---|---|---:|---:|---:|---:|")
    for name, label, rate, p50, p99, errors in rows:
        print(f"| {name} | {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {errors} |")


if __name__ == "__main__":
    main()
