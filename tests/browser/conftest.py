"""Browser tests drive Debian's Chromium through Playwright against the site as
`make run` serves it: its own SQLite database with the demo edition, and Django's
development server in a subprocess. Without Chromium (or axe-core from npm) they skip,
except in CI (CI=1), where a missing tool fails."""

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, DemoSite, demo_copy, require

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def demo_site(tmp_path_factory):
    """The demo site, on a database and media of its own, to be served on a free port."""
    require(Path(CHROMIUM).exists(), "Chromium")
    database_url, media_root = demo_copy(tmp_path_factory.mktemp("site"))
    # Forms may be sent at once: the minimum fill time has its own tests.
    return DemoSite(database_url, media_root, loaded=True, FORM_MIN_FILL_SECONDS=0)


# Programme changes as the press office makes them on an event day: on 2017's first
# day, one session cancelled with a note and one moved, each published through
# Wagtail, so that the programme, the day and the changes page show them.
PUBLISH_CHANGES = """
import datetime
from events.models import DayPage, Session
day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
sessions = [s for s in day.sessions.all()]
talks = [s for s in sessions if s.kind != Session.Kind.BREAK]
talks[-1].status = Session.Status.CANCELLED
talks[-1].status_note = "Лектор захворів"
moved = talks[-2]
start = datetime.datetime.combine(day.date, moved.start_time)
moved.start_time = (start - datetime.timedelta(minutes=15)).time()
moved.status = Session.Status.CHANGED
day.sessions = sessions
day.save_revision().publish()
"""


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    """The demo site that the visitors' tests share: they only read and register."""
    site = demo_site(tmp_path_factory)
    site.manage("shell", "-c", PUBLISH_CHANGES)
    with site.serve() as url:
        yield url


# Per module, not per session: Playwright's sync API keeps an event loop running in
# this thread while it is open, and Django then refuses database work in the tests
# that follow ("You cannot call this from an async context").
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    require(Path(CHROMIUM).exists(), "Chromium")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def axe_script():
    require(AXE.exists(), "axe-core (npm install)")
    return str(AXE)


@pytest.fixture
def phone(browser):
    """A page in the narrowest phone the site supports: 320 px wide, Ukrainian."""
    context = browser.new_context(
        viewport={"width": 320, "height": 640},
        locale="uk-UA",
        timezone_id="Europe/Kyiv",
        # axe-core is injected as an inline script, which the site's policy refuses;
        # test_no_page_breaks_its_content_security_policy checks the policy itself.
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()
