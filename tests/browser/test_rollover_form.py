"""The rollover form in the browser: its date picker works (the form's media are on the
page: no «initDateChooser is not defined»), and a start date picked in it is the new
edition's."""

import re

import pytest

from .conftest import demo_site

ADMIN = ("rollover-admin", "the-date-picker-works")
MAKE_ADMIN = f"""
from django.contrib.auth import get_user_model
from events.models import EditionPage

get_user_model().objects.create_superuser({ADMIN[0]!r}, "a@example.org", {ADMIN[1]!r})
print(EditionPage.objects.get(slug="2017").pk)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own: this test creates an edition."""
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        edition_id = site.manage("shell", "-c", MAKE_ADMIN).strip().splitlines()[-1]
        yield url, edition_id


def test_the_start_date_is_picked_in_the_date_picker(site, browser):
    url, edition_id = site
    context = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    admin = context.new_page()
    errors = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    admin.on("pageerror", lambda error: errors.append(str(error)))
    admin.goto(url + "/admin/login/")
    admin.locator("#id_username").fill(ADMIN[0])
    admin.locator("#id_password").fill(ADMIN[1])
    admin.locator("form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/$"))

    admin.goto(f"{url}/admin/editions/{edition_id}/rollover/")
    admin.wait_for_load_state("networkidle")
    assert errors == []
    year = admin.get_by_label("Рік нового випуску")
    # The demo has an upcoming edition a few weeks ahead; next year's is free.
    picker = admin.locator(".xdsoft_datetimepicker:visible")
    admin.get_by_label("Дата початку").click()
    picker.wait_for()
    shown_year = int(picker.locator(".xdsoft_year span").inner_text())
    picker.locator(".xdsoft_monthpicker .xdsoft_next").click()  # a month on
    picker.locator("td.xdsoft_date:not(.xdsoft_other_month)[data-date='11']").click()
    value = admin.get_by_label("Дата початку").input_value()
    day, month, picked_year = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d{4})", value).groups()
    assert day == "11" and picked_year in (str(shown_year), str(shown_year + 1))
    year.fill(picked_year)
    admin.get_by_role("button", name="Створити чернетку").click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    assert "Створено чернетку випуску" in admin.locator(".messages").inner_text()
    assert admin.locator("#id_start_date").input_value() == value
    assert errors == []
    context.close()


def test_a_refusal_above_the_form_is_shown_in_the_browser(site, browser):
    """A year whose edition exists is refused next to the year, in Ukrainian."""
    url, edition_id = site
    context = browser.new_context(locale="uk-UA")
    admin = context.new_page()
    admin.goto(url + "/admin/login/")
    admin.locator("#id_username").fill(ADMIN[0])
    admin.locator("#id_password").fill(ADMIN[1])
    admin.locator("form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto(f"{url}/admin/editions/{edition_id}/rollover/")
    admin.get_by_label("Рік нового випуску").fill("2017")
    admin.get_by_role("button", name="Створити чернетку").click()
    admin.wait_for_load_state()
    assert "Випуск 2017 року вже існує" in admin.locator("main").inner_text()
    context.close()
