"""Cached pages through the documented proxies against nginx serving a static file of
the same size: what Varnish in front (deploy/varnish/cityworkshop.vcl) gets close to.

    .venv/bin/python benchmarks/proxy.py [--seconds 5] [--connections 16] [--rounds 5]

Needs `wrk`, Debian's nginx, openssl and varnish (apt-get install wrk nginx varnish).
It builds the demo edition in a throw-away SQLite database, starts gunicorn with the
production settings (benchmarks/load.py's serve(): 2 workers), Varnish with the
repository's VCL in front of it, and nginx with the repository's deploy/nginx.conf
(a self-signed certificate, free ports on 127.0.0.1; as tests/test_nginx.py runs it,
but with its upstream at Varnish, as docs/deploy.md installs it, and Debian's
`worker_processes auto`). nginx's /media/images/ location serves a file as large as
the programme page. Then interleaved rounds of wrk against each address; the medians
and the spread (lowest–highest) of each are printed. Only 127.0.0.1 is contacted.
"""

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

django.setup()

from benchmarks.load import run, serve, wrk  # noqa: E402
from tests.helpers import free_port, wait_for  # noqa: E402
from tests.test_nginx import TOOL_PATH, main_config, site_config  # noqa: E402
from tests.test_proxy import Varnish  # noqa: E402

PAGE = "/2017/programme/"


def start_nginx(workdir, upstream_port, plain_port):
    """deploy/nginx.conf in front of `upstream_port`, and beside it a plain-HTTP server
    of MEDIA_ROOT on `plain_port` (the yardstick without TLS: the repository's port 80
    only redirects); returns (process, https port)."""
    http_port, https_port = free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
        + ["-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
        check=True,
        capture_output=True,
    )
    (workdir / "cityworkshop.conf").write_text(
        site_config(
            workdir, gunicorn_port=upstream_port, http_port=http_port, https_port=https_port
        )
    )
    # Debian's own /etc/nginx/nginx.conf: a worker per core, 768 connections each.
    config = main_config(workdir).replace("worker_processes 1;", "worker_processes auto;")
    config = config.replace("worker_connections 64;", "worker_connections 768;")
    config = config.replace(f"access_log {workdir}/nginx-access.log;", "access_log off;")
    plain = f"server {{ listen 127.0.0.1:{plain_port}; location / {{ root {workdir}/media; }} }}"
    (workdir / "plain.conf").write_text(plain + "\n")
    config = config.replace("    include", f"    include {workdir}/plain.conf;\n    include", 1)
    (workdir / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx", path=TOOL_PATH)
    command = [nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf")]
    command += ["-e", str(workdir / "nginx-error.log"), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{http_port}/", timeout=1)
        except urllib.error.HTTPError:
            break  # the redirect to HTTPS's target: nginx answers
        except OSError:
            time.sleep(0.1)
        else:
            break
    return process, https_port


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    missing = [
        t for t in ("wrk", "nginx", "openssl", "varnishd") if not shutil.which(t, path=TOOL_PATH)
    ]
    if missing:
        sys.exit(f"not installed: {', '.join(missing)} (apt-get install wrk nginx varnish)")

    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-proxy-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
    }
    processes = []
    try:
        run(env, "migrate", "--no-input")
        run(env, "load_demo")
        run(env, "collectstatic", "--no-input")
        gunicorn_port = free_port()
        processes.append(serve(env, gunicorn_port))
        varnish = Varnish(workdir / "varnish", gunicorn_port).start()
        processes.append(varnish.process)
        plain_port = free_port()
        nginx, https_port = start_nginx(workdir, varnish.port, plain_port)
        processes.append(nginx)

        page = urllib.request.urlopen(varnish.url + PAGE).read()
        yardstick = workdir / "media" / "images" / "benchmark-yardstick.html"
        yardstick.parent.mkdir(parents=True, exist_ok=True)
        yardstick.write_bytes(b"x" * len(page))
        nginx_url = f"https://localhost:{https_port}"
        wait_for(varnish.url + PAGE)
        targets = {
            f"nginx, static file ({len(page) // 1024} KB), HTTPS": (
                f"{nginx_url}/media/images/{yardstick.name}"
            ),
            "nginx → Varnish, the programme page, HTTPS": nginx_url + PAGE,
            f"nginx, static file ({len(page) // 1024} KB), plain HTTP": (
                f"http://127.0.0.1:{plain_port}/images/{yardstick.name}"
            ),
            "Varnish alone, the programme page, plain HTTP": varnish.url + PAGE,
            "gunicorn alone (page cache), plain HTTP": f"http://127.0.0.1:{gunicorn_port}{PAGE}",
        }
        for url in targets.values():
            if url.startswith("http:"):  # (the self-signed certificate: wrk alone)
                wait_for(url)
        # Warm every copy, then check they are the cache's.
        for url in targets.values():
            wrk(url, 1, options.connections)

        results = {name: [] for name in targets}
        for _ in range(options.rounds):
            for name, url in targets.items():
                results[name].append(wrk(url, options.seconds, options.connections))
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"{options.rounds} interleaved rounds, {options.seconds} s each, {options.connections} "
        f"connections, {os.cpu_count()} cores; gunicorn 2 workers\n"
    )
    print("| address | requests/s (median) | spread | p50 (ms) | p99 (ms) | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    medians = {}
    for name, runs in results.items():
        rates = [r[0] for r in runs]
        medians[name] = statistics.median(rates)
        print(
            f"| {name} | {medians[name]:.0f} | {min(rates):.0f}–{max(rates):.0f} | "
            f"{statistics.median(r[1] for r in runs):.2f} | "
            f"{statistics.median(r[2] for r in runs):.2f} | {sum(r[3] for r in runs)} |"
        )
    tls, through_nginx, plain, alone = (medians[name] for name in list(results)[:4])
    print(
        f"\nVarnish alone / nginx static (plain HTTP): {alone / plain:.2f}×; "
        f"nginx → Varnish / nginx static (HTTPS): {through_nginx / tls:.2f}×"
    )


if __name__ == "__main__":
    main()
