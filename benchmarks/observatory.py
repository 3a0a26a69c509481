"""Mozilla's HTTP Observatory (npm @mdn/mdn-http-observatory: its own scanner and
grader, run on this machine) against the production settings with nothing set but
SECRET_KEY and ALLOWED_HOSTS. Prints the grade, the score and each test's result;
exits 1 below A.

    .venv/bin/python benchmarks/observatory.py

How it runs against a local server. The scanner takes a host name only and always asks
http://HOST/ (port 80) and https://HOST/ (port 443), verifying the certificate (HSTS
only counts with a valid one). So it scans 127.0.0.2, a loopback address of its own:
gunicorn (cms/gunicorn.py, the production settings) answers plain HTTP on
127.0.0.2:80, which Django redirects to HTTPS, and HTTPS on 127.0.0.2:443 with a
certificate for 127.0.0.2 from a certificate authority made for the run, which the
scanner is told to trust (NODE_EXTRA_CA_CERTS). Ports 80 and 443 need root (or
CAP_NET_BIND_SERVICE). gunicorn terminates TLS here, where nginx does in production.
- The CLI's wrapper (bin/wrapper.js) sets NODE_EXTRA_CA_CERTS to Mozilla's intermediate
  certificates, downloaded when the package is installed; the CLI's own script
  (src/scan.js) is run instead, with this run's authority.
- The package's install script also downloads Chromium's HSTS preload list into
  conf/hsts-preload.json. npm installs without scripts here (.npmrc: they download
  from the internet), and the scanner cannot start without the file, so an empty list
  is written when it is missing: 127.0.0.2 is on no preload list, so nothing changes.

The demo edition is built in a throw-away SQLite database; everything started is
stopped at the end.
"""

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNER = ROOT / "node_modules" / "@mdn" / "mdn-http-observatory"
HOST = "127.0.0.2"
GRADES_AT_LEAST_A = ("A+", "A")


def run(env, *arguments):
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def certificates(workdir):
    """A certificate authority for this run, and a certificate for HOST it signed."""
    ca_key, ca, key, request, cert = (
        workdir / name for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    openssl = ["openssl"]
    quiet = {"check": True, "capture_output": True}
    subprocess.run(
        [
            *openssl,
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", ca_key, "-out", ca, "-subj", "/CN=City Workshop Observatory run"),
            *("-addext", "basicConstraints=critical,CA:TRUE"),
            *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        ],
        **quiet,
    )
    subprocess.run(
        [*openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request]
        + ["-subj", f"/CN={HOST}"],
        **quiet,
    )
    extensions = workdir / "server.ext"
    extensions.write_text(
        f"subjectAltName=IP:{HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    subprocess.run(
        [
            *openssl,
            *("x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key),
            *("-CAcreateserial", "-days", "1", "-out", cert, "-extfile", extensions),
        ],
        **quiet,
    )
    return ca, cert, key


def gunicorn(env, port, *tls):
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", *tls, "cms.wsgi"],
        env={**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": "2"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def warm_up(ca, seconds=120):
    """Until both servers answer, and the home page has been rendered once (the page
    cache keeps it): the scanner gives up after ABORT_TIMEOUT."""
    context = ssl.create_default_context(cafile=str(ca))
    deadline = time.monotonic() + seconds
    for url in (f"http://{HOST}/healthz", f"https://{HOST}/healthz", f"https://{HOST}/"):
        while True:
            try:
                urllib.request.urlopen(url, timeout=30, context=context).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def main():
    if not (SCANNER / "src" / "scan.js").exists() or not shutil.which("node"):
        sys.exit("The HTTP Observatory is not installed: npm ci")
    for port in (80, 443):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError as error:
                sys.exit(f"Cannot listen on {HOST}:{port} ({error}): run as root, port free")
    preload = SCANNER / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}\n")
        print(f"{preload.relative_to(ROOT)}: missing (not downloaded), written empty")

    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-observatory-"))
    system = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env = {
        **system,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        # What the issue says production needs, and no more...
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # ...and where this run keeps its data.
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
        "LOG_LEVEL": "WARNING",
    }
    servers = []
    try:
        run(env, "migrate", "--no-input")
        run(env, "load_demo")
        run(env, "collectstatic", "--no-input")
        ca, cert, key = certificates(workdir)
        servers.append(gunicorn(env, 80))
        servers.append(gunicorn(env, 443, "--certfile", str(cert), "--keyfile", str(key)))
        warm_up(ca)
        scan = subprocess.run(
            ["node", str(SCANNER / "src" / "scan.js"), HOST],
            # The scanner's own timeouts (10 s) are for the internet; a shared 2-core
            # machine may need longer. They change nothing in the grading.
            env={
                **system,
                "NODE_EXTRA_CA_CERTS": str(ca),
                "ABORT_TIMEOUT": "60000",
                "CLIENT_TIMEOUT": "55000",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    result = json.loads(scan.stdout)
    if "error" in result:
        sys.exit(f"The scan failed: {result['error']}")
    summary = result["scan"]
    print(
        f"HTTP Observatory {json.loads((SCANNER / 'package.json').read_text())['version']}, "
        f"algorithm {summary['algorithmVersion']}: grade {summary['grade']}, score "
        f"{summary['score']}, {summary['testsPassed']} of {summary['testsQuantity']} tests "
        "passed\n"
    )
    print("| test | result | score |")
    print("|---|---|---:|")
    for name, test in result["tests"].items():
        print(f"| {name} | {test['result']} | {test['scoreModifier']:+d} |")
    if summary["grade"] not in GRADES_AT_LEAST_A:
        sys.exit(f"Grade {summary['grade']}: A or better is required")


if __name__ == "__main__":
    main()
