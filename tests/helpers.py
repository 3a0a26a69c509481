import socket
import time
import urllib.request
from pathlib import Path

from events.forms import started_token

ROOT = Path(__file__).resolve().parents[1]


def registration(**answers):
    """A registration as a person sends it: the answers, the consent, and the form's
    own start time."""
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
