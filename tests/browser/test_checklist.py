"""«Перевірте перед публікацією» in the browser: a link of the checklist to a field of
another tab opens that tab at the field, and the item is gone once the field is fixed."""

import re

import pytest

from .conftest import demo_site

ADMIN = ("checklist", "checklist-in-the-browser")
PREPARE = f"""
from django.contrib.auth import get_user_model
from events.models import EditionPage, TrackPage

get_user_model().objects.create_superuser({ADMIN[0]!r}, password={ADMIN[1]!r})
new = EditionPage.objects.get(slug="2018")
track = TrackPage.objects.child_of(new).get(slug="cycling").get_latest_revision_as_object()
track.seo_title = "Велотранспорт: 12–17 червня 2017"
track.save_revision()
print(new.pk)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own with 2017 rolled over to 2018 and, in the 2018 cycling
    track's draft, a search title (in the «Просування» tab) that says 2017."""
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        site.manage("rollover_edition", "2017", "--to", "2018")
        edition_id = site.manage("shell", "-c", PREPARE).strip().splitlines()[-1]
        yield url, edition_id


def test_a_checklist_link_opens_the_field_in_its_tab(site, browser):
    url, edition_id = site
    context = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    admin = context.new_page()
    admin.goto(url + "/admin/login/")
    admin.locator("#id_username").fill(ADMIN[0])
    admin.locator("#id_password").fill(ADMIN[1])
    admin.locator("form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/$"))

    admin.goto(f"{url}/admin/pages/{edition_id}/edit/")
    assert admin.get_by_role("heading", name="Перевірте перед публікацією").is_visible()
    item = admin.get_by_role("listitem").filter(has_text="«12–17 червня 2017»")
    assert item.count() == 1
    item.get_by_role("link").click()

    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/#id_seo_title$"))
    selected = admin.locator("[role=tab][aria-selected=true]")
    assert selected.inner_text().strip() == "Просування"
    field = admin.locator("#id_seo_title")
    assert field.is_visible()
    assert field.input_value() == "Велотранспорт: 12–17 червня 2017"
    field.fill("Велотранспорт: 11–16 червня 2018")
    admin.locator("footer button.action-save").click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))

    admin.goto(f"{url}/admin/pages/{edition_id}/edit/")
    assert "«12–17 червня 2017»" not in admin.locator("main").inner_text()
    assert admin.get_by_role("heading", name="Перевірте перед публікацією").is_visible()
    context.close()
