"""Load on loopback: requests per second and latency of the public pages and the API,
served as in production (gunicorn, the production settings, WhiteNoise), with the
page cache and without, next to a static file of the same size as a yardstick.

    .venv/bin/python benchmarks/load.py [--seconds 5] [--connections 16]

Needs `wrk` (apt-get install wrk). It builds the demo edition in a throw-away SQLite
database (or the database of DATABASE_URL: give it an empty one), starts gunicorn on
127.0.0.1 twice (page cache on, then off), runs bounded wrk runs against each address,
prints a table, and cleans up. Only 127.0.0.1 is ever contacted.
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
import urllib.request
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


def run(env, *arguments):
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def wrk(url, seconds, connections):
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
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
    return rate, latency(50), latency(99), int(errors[1]) if errors else 0


def serve(env, port):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/healthz", seconds=30)
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
    }
    run(env, "migrate", "--no-input")
    run(env, "load_demo")
    run(env, "collectstatic", "--no-input")

    rows = []
    yardstick = None
    try:
        for label, cache_seconds in (("cached", "300"), ("uncached", "0")):
            port = free_port()
            server = serve({**env, "PAGE_CACHE_SECONDS": cache_seconds}, port)
            base = f"http://127.0.0.1:{port}"
            try:
                if yardstick is None:
                    # A static file as large as the programme page, served by WhiteNoise
                    # from the same gunicorn: what the network and server alone cost.
                    size = len(urllib.request.urlopen(base + PAGES["programme"]).read())
                    yardstick = ROOT / "staticfiles" / "benchmark-yardstick.html"
                    yardstick.write_bytes(b"x" * size)
                    server.terminate()
                    server.wait()
                    server = serve({**env, "PAGE_CACHE_SECONDS": cache_seconds}, port)
                    rows.append(
                        (
                            f"static file ({size // 1024} KB)",
                            "",
                            *wrk(
                                base + "/static/benchmark-yardstick.html",
                                options.seconds,
                                options.connections,
                            ),
                        )
                    )
                for name, path in PAGES.items():
                    rows.append(
                        (name, label, *wrk(base + path, options.seconds, options.connections))
                    )
            finally:
                server.terminate()
                server.wait()
            time.sleep(1)
    finally:
        if yardstick is not None:
            yardstick.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"gunicorn, 2 workers, {options.connections} connections, {options.seconds} s per "
        f"address, {os.cpu_count()} cores; {env['DATABASE_URL'].split(':')[0]}\n"
    )
    print("| address | page cache | requests/s | p50 (ms) | p99 (ms) | errors |")
    print("|---|---|---:|---:|---:|---:|")
    for name, label, rate, p50, p99, errors in rows:
        print(f"| {name} | {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {errors} |")


if __name__ == "__main__":
    main()
