"""`make serve` from a fresh clone, as the README promises: the production settings with
gunicorn on plain HTTP, on an empty database and media folder of its own, with no
SECRET_KEY set. A visitor reads the pages, sees the images, downloads a document and
registers; an editor logs in to the admin and opens the page editor; the mail worker
that `make serve` starts sends the confirmation; stopping gunicorn stops the worker.

It runs the real Makefile target (migrate, the demo, the admin account, collectstatic,
the worker, gunicorn), so it takes some tens of seconds."""

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from .helpers import ROOT, current_path, free_port

pytestmark = pytest.mark.slow

PASSWORD = "serve-" + uuid.uuid4().hex
# What the caller's environment must not decide for `make serve`.
NOT_INHERITED = (
    *("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_", "SECURE_", "SERVE_MEDIA", "EMAIL_"),
    *("SITE_URL", "REDIS_", "AWS_", "GUNICORN_", "MAKE", "MFLAGS"),
)


class Inbox:
    """An SMTP server on loopback that keeps what it is sent (aiosmtpd's handler)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


def group_processes(pgid):
    """The arguments of the running processes of a process group, by process id."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            stat = (entry / "stat").read_text()
            arguments = (entry / "cmdline").read_bytes().decode().split("\0")[:-1]
        except (OSError, ProcessLookupError):
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":  # not a zombie
            found[int(entry.name)] = arguments
    return found


class Serve:
    """`make serve` in a process group of its own, on a free port."""

    def __init__(self, workdir, smtp_port):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "make-serve.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)},
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "ADMIN_PASSWORD": PASSWORD,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "GUNICORN_WORKERS": "2",
            "LOG_FORMAT": "text",
        }
        self.process = None

    def start(self):
        make = shutil.which("make")
        if not make:
            if os.environ.get("CI"):
                pytest.fail("make must be installed in CI")
            pytest.skip("make is not installed")
        with self.log.open("wb") as log:
            # `-o .venv/.installed`: the virtualenv the tests run in is not reinstalled.
            self.process = subprocess.Popen(
                [make, "--no-print-directory", "-o", ".venv/.installed", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make serve stopped:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still booting
                pass
            time.sleep(0.5)
        pytest.fail(f"make serve did not answer:\n{self.output()}")

    def output(self):
        return self.log.read_text(errors="replace")[-5000:]

    def processes(self):
        return group_processes(self.process.pid)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=20)
                return
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture(scope="module")
def inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def serve(tmp_path_factory, inbox):
    serve = Serve(tmp_path_factory.mktemp("serve"), inbox[1])
    try:
        serve.start()
        yield serve
    finally:
        serve.stop()
        for pid in serve.processes():  # anything left behind is a failure, and killed
            os.kill(pid, signal.SIGKILL)


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def test_a_visitor_reads_the_pages_sees_the_images_and_downloads_a_document(serve):
    visitor = requests.Session()
    for path in ("/", "/2017/", "/2017/programme/", "/2017/documents/"):
        response = visitor.get(serve.url + path, timeout=30)
        assert response.status_code == 200, path
        assert "Майстерня міста" in response.text
        # Plain HTTP: no HSTS, and no redirect to an HTTPS that is not there.
        assert "Strict-Transport-Security" not in response.headers

    edition = visitor.get(serve.url + "/2017/", timeout=30).text
    images = set(re.findall(r'src="(/media/images/[^"]+)"', edition))
    assert images
    for src in images:
        image = visitor.get(serve.url + src, timeout=30)
        assert image.status_code == 200, src
        assert image.headers["Content-Type"].startswith("image/")
        assert image.content[:8] == b"\x89PNG\r\n\x1a\n"

    documents = visitor.get(serve.url + "/2017/documents/", timeout=30).text
    link = re.search(r'href="(/documents/\d+/[^"]+\.pdf)"', documents)[1]
    document = visitor.get(serve.url + link, timeout=30)
    assert document.status_code == 200
    assert document.content.startswith(b"%PDF")
    assert document.headers["Content-Disposition"].startswith("attachment")


def test_only_the_renditions_of_media_root_are_served(serve):
    media = Path(serve.env["MEDIA_ROOT"])
    originals = sorted((media / "original_images").iterdir())
    files = sorted((media / "documents").iterdir())
    assert originals and files
    for path in (
        *(f"/media/original_images/{p.name}" for p in originals),
        *(f"/media/documents/{p.name}" for p in files),
        "/media/images/",
        "/media/images/..%2foriginal_images/" + originals[0].name,
        "/media/images/%2e%2e/original_images/" + originals[0].name,
        "/private_media/",
    ):
        # 404, or 400 for a path that climbs out of the renditions' folder.
        assert requests.get(serve.url + path, timeout=30).status_code in (400, 404), path


def test_a_visitor_registers_and_the_worker_sends_the_confirmation(serve, inbox):
    visitor = requests.Session()
    # The upcoming demo edition's form: 2017's closed after its last day.
    form_url = serve.url + current_path(serve.url, "registration/")
    page = visitor.get(form_url, timeout=30)
    assert page.status_code == 200
    csrf = next(c for c in visitor.cookies if c.name == "csrftoken")
    assert not csrf.secure  # or the browser would never send it back over plain HTTP
    time.sleep(3)  # a person takes longer than FORM_MIN_FILL_SECONDS to fill it in
    address = f"olena-{uuid.uuid4().hex[:8]}@example.org"
    response = visitor.post(
        form_url,
        data={
            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
            "started": hidden(page.text, "started"),
            "website": "",
            "name": "Олена Петрук",
            "email": address,
            "participation": "Учасник",
            "consent": "on",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text[:2000]
    thanks = visitor.get(serve.url + response.headers["Location"], timeout=30)
    assert thanks.status_code == 200

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(address in m.rcpt_tos for m in inbox[0].messages):
        time.sleep(0.5)
    assert any(address in m.rcpt_tos for m in inbox[0].messages), serve.output()


def test_an_editor_logs_in_and_opens_the_page_editor(serve):
    editor = requests.Session()
    login = editor.get(serve.url + "/admin/login/", timeout=30)
    response = editor.post(
        serve.url + "/admin/login/",
        data={
            "csrfmiddlewaretoken": hidden(login.text, "csrfmiddlewaretoken"),
            "username": "admin",
            "password": PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert editor.get(serve.url + "/admin/", timeout=30).status_code == 200
    pages = requests.get(serve.url + "/api/v2/pages/?type=events.EditionPage", timeout=30)
    page_id = pages.json()["items"][0]["id"]
    edit = editor.get(f"{serve.url}/admin/pages/{page_id}/edit/", timeout=30)
    assert edit.status_code == 200
    assert "Майстерня міста Житомир" in edit.text
    assert 'id="page-edit-form"' in edit.text


def test_the_mail_worker_runs_beside_gunicorn_and_stops_with_it(serve):
    processes = serve.processes()
    workers = [
        pid
        for pid, arguments in processes.items()
        if arguments[-4:] == ["manage.py", "db_worker", "--backend", "mail"]
    ]
    gunicorns = {
        pid for pid, arguments in processes.items() if arguments[1:2] == [".venv/bin/gunicorn"]
    }
    assert len(workers) == 1, processes
    # The master is the gunicorn whose parent is not a gunicorn.
    master = next(
        pid
        for pid in gunicorns
        if int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) not in gunicorns
    )
    os.kill(master, signal.SIGTERM)
    serve.process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and serve.processes():
        time.sleep(0.2)
    assert not serve.processes()
