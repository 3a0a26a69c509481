"""Every link of the public site answers: a crawl of the demo site from its home page,
following each address that a page links (`<a href>`, and `<link href>` for the feeds
and alternates), as a visitor or a search engine would, and asking each file that a
page offers (calendars, schedules, tables, documents) once."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

# Links that are not the public site's to answer 200 to an anonymous GET: the admin
# (it sends a reader to its login), and the forms' POST targets.
NOT_CRAWLED = ("/admin/",)
# Static files are collected and served in production (whitenoise, nginx), not by the
# test client; the browser tests load them from a running server.
NOT_ASKED = ("/static/",)
HTML = "text/html"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.found.append(attributes["href"])
        if tag == "link" and attributes.get("href") and attributes.get("rel") != "stylesheet":
            self.found.append(attributes["href"])


def links_of(html):
    parser = Links()
    parser.feed(html)
    return parser.found


def internal(base, href):
    """The path (and query) of a link of this site, or None for another site's."""
    url = urldefrag(urljoin(base, href)).url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in ("testserver", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def demo(module_demo, db):
    return module_demo


def test_every_link_of_the_demo_site_answers(client, demo):
    seen = {}
    queue = ["/"]
    linked_from = {"/": "(start)"}
    while queue:
        path = queue.pop(0)
        if path in seen or path.startswith(NOT_CRAWLED + NOT_ASKED):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or not response["Content-Type"].startswith(HTML):
            continue
        for href in links_of(response.content.decode()):
            target = internal("http://testserver" + path, href)
            if target and target not in seen:
                linked_from.setdefault(target, path)
                queue.append(target)
    broken = {path: (status, linked_from[path]) for path, status in seen.items() if status != 200}
    assert broken == {}
    # It did walk the site: every edition, day, session and document page.
    assert len(seen) > 200, len(seen)
