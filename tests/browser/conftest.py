"""Browser tests drive Debian's Chromium through Playwright. Without Chromium (or
axe-core from npm) they skip, except in CI (CI=1), where a missing tool fails."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# the test itself (loading the demo) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(condition, what):
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def axe_script():
    require(AXE.exists(), "axe-core (npm install)")
    return str(AXE)


@pytest.fixture
def demo_site(live_server, django_db_serialized_rollback):
    """The demo edition served by a live server. The serialized rollback gives the
    next test back the home page that the migrations created."""
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def phone(browser):
    """A page in the narrowest phone the site supports: 320 px wide, Ukrainian."""
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="uk-UA", timezone_id="Europe/Kyiv"
    )
    yield context.new_page()
    context.close()
