"""The screenshots of docs/editor-guide.md, taken from the running demo site in
Chromium, so that they can be refreshed after each change:

    .venv/bin/python docs/screenshots.py

It builds the demo edition in a throw-away database, serves it (`make run`'s settings)
on a free port on 127.0.0.1, logs in to the admin in Ukrainian and writes
docs/img/*.png. Needs Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
"""

import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import DemoSite  # noqa: E402

IMAGES = ROOT / "docs" / "img"
PASSWORD = secrets.token_urlsafe(12)  # a throw-away site
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 860}


def pk_of(site, expression):
    """The primary key of a page of the demo, by a queryset expression."""
    return site.manage(
        "shell",
        "-c",
        f"from events.models import *; from documents.models import *; print({expression}.pk)",
    ).split()[-1]


def main():
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="cityworkshop-screens-"))
    site = DemoSite(
        f"sqlite:///{workdir / 'db.sqlite3'}", workdir / "media", ADMIN_PASSWORD=PASSWORD
    )
    try:
        with site.serve() as url:
            site.manage("ensure_admin")
            # The demo's upcoming edition (the one the dashboard leads with), and the
            # next one rolled over from it, a draft with its checklist.
            latest = "EditionPage.objects.order_by('-start_date').first()"
            edition = pk_of(site, latest)
            year = int(
                site.manage(
                    "shell", "-c", f"from events.models import *; print({latest}.slug)"
                ).split()[-1]
            )
            site.manage("rollover_edition", str(year), "--to", str(year + 1))
            draft = pk_of(site, f"EditionPage.objects.get(slug='{year + 1}')")
            under = f"descendant_of(EditionPage.objects.get(pk={edition}))"
            programme = pk_of(site, f"ProgrammePage.objects.{under}.get()")
            day = pk_of(site, f"DayPage.objects.{under}.order_by('date').first()")
            track = pk_of(site, f"TrackPage.objects.{under}.order_by('path').first()")
            documents = pk_of(site, f"DocumentsPage.objects.{under}.get()")
            registration = pk_of(site, f"RegistrationFormPage.objects.{under}.get()")
            questionnaire = pk_of(site, f"QuestionnairePage.objects.{under}.get()")
            site_id = pk_of(site, f"EditionPage.objects.get(pk={edition}).get_site()")
            shots = {
                "dashboard": "/admin/",
                "explorer": f"/admin/pages/{edition}/",
                "edition": f"/admin/pages/{edition}/edit/",
                "programme": f"/admin/pages/{programme}/",
                "day": f"/admin/pages/{day}/edit/",
                "track": f"/admin/pages/{track}/edit/",
                "documents": f"/admin/pages/{documents}/edit/",
                "registration": f"/admin/pages/{registration}/edit/",
                "submissions": f"/admin/forms/submissions/{questionnaire}/",
                "rollover": f"/admin/editions/{edition}/rollover/",
                "checklist": f"/admin/pages/{draft}/edit/",
                "publish_edition": f"/admin/editions/{draft}/publish/",
                "settings": f"/admin/settings/home/sitesettings/{site_id}/",
            }
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_context(viewport=VIEWPORT, locale="uk-UA").new_page()
                page.goto(url + "/admin/login/")
                page.fill("#id_username", "admin")
                page.fill("#id_password", PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_url(url + "/admin/")
                for name, path in shots.items():
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=IMAGES / f"{name}.png")
                    print(f"docs/img/{name}.png  {path}")
                browser.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
