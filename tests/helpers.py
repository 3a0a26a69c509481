import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def registration(**answers):
    """A registration as a person sends it: the answers, the consent, and the form's
    own start time."""
    from events.forms import started_token  # here: this module is also used without Django

    return {"consent": "on", "started": started_token(), "website": "", **answers}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=15):
    """Until the server at `url` answers."""
    for _ in range(int(seconds * 10)):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


class DemoSite:
    """The demo edition as `make run` serves it (dev settings, Django's threaded
    development server), on its own database, in a subprocess."""

    def __init__(self, database_url, media_root, **settings):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "PRIVATE_MEDIA_ROOT": str(Path(media_root).with_name("private_media")),
            "LOG_LEVEL": "WARNING",
            **{name: str(value) for name, value in settings.items()},
        }

    def command(self, *arguments):
        return [sys.executable, str(ROOT / "manage.py"), *arguments]

    def manage(self, *arguments):
        return subprocess.run(
            self.command(*arguments),
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    @contextlib.contextmanager
    def serve(self):
        """Migrate, load the demo, serve; yields the site's address."""
        self.manage("migrate", "--no-input")
        self.manage("load_demo")
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                "--noreload",
                f"127.0.0.1:{port}",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(url)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)
