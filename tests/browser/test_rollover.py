"""Next year's edition in the admin, as the press office builds it: from the latest
edition's page menu, a start date picked in the date picker (after a refused year), the
checklist «Перевірте перед публікацією» followed to fix a field, the whole edition
published in one action, and the public site then leading with it."""

import datetime
import re

import pytest

from tests.helpers import current_path

from .conftest import demo_site

EDITOR = ("olena", "rollover-in-the-browser")
MAKE_EDITOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

group = Group.objects.create(name="Редактори випусків")
group.permissions.add(Permission.objects.get(codename="access_admin"))
home = Page.objects.get(depth=2)
for codename in ("add_page", "change_page", "publish_page"):
    GroupPagePermission.objects.create(
        group=group, page=home, permission=Permission.objects.get(codename=codename)
    )
for codename in ("choose_document", "choose_image"):
    GroupCollectionPermission.objects.create(
        group=group,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename=codename),
    )
user = get_user_model().objects.create_user({EDITOR[0]!r}, password={EDITOR[1]!r})
user.groups.add(group)
"""


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
def served(tmp_path_factory):
    """A demo site of its own, and its address: these tests create and publish editions."""
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        site.manage("shell", "-c", MAKE_EDITOR)
        yield site, url


@pytest.fixture
def site(served):
    return served[1]


def pick_a_date(admin, field, year, day=11):
    """Open Wagtail's date picker on `field`, go month by month to `year` and pick `day`
    of the month shown: the value the field then holds."""
    field.click()
    picker = admin.locator(".xdsoft_datetimepicker:visible")
    picker.wait_for()
    for _month in range(24):
        if picker.locator(".xdsoft_year span").inner_text() == str(year):
            break
        picker.locator(".xdsoft_monthpicker .xdsoft_next").click()
    picker.locator(f"td.xdsoft_date:not(.xdsoft_other_month)[data-date='{day}']").click()
    return field.input_value()


def test_an_editor_rolls_over_checks_and_publishes_the_next_edition(site, browser):
    context = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    admin = context.new_page()
    errors = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    admin.on("pageerror", lambda error: errors.append(str(error)))
    admin.goto(site + "/admin/login/")
    admin.locator("#id_username").fill(EDITOR[0])
    admin.locator("#id_password").fill(EDITOR[1])
    admin.locator("form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/$"))

    # The editions are told apart by their year; the latest is the demo's upcoming one.
    latest = current_path(site).strip("/")
    new_year = int(latest) + 1
    admin.goto(site + "/admin/pages/search/?q=Майстерня")
    listing = admin.locator("main").inner_text()
    assert "Майстерня міста Житомир (2017)" in listing
    assert f"Майстерня міста Житомир ({latest})" in listing
    admin.get_by_role("link", name=f"Майстерня міста Житомир ({latest})").first.click()
    admin.locator("header [data-w-dropdown-target='toggle']").first.click()
    admin.get_by_role("link", name="Створити наступний випуск").click()
    admin.wait_for_load_state("networkidle")
    year = admin.get_by_label("Рік нового випуску")
    assert year.input_value() == str(new_year)

    # A year that is taken is refused next to the field, and nothing is created.
    year.fill(latest)
    admin.get_by_role("button", name="Створити чернетку").click()
    admin.wait_for_load_state()
    assert f"Випуск {latest} року вже існує" in admin.locator("main").inner_text()

    # The start date from the date picker.
    admin.get_by_label("Рік нового випуску").fill(str(new_year))
    start = pick_a_date(admin, admin.get_by_label("Дата початку"), new_year)
    assert re.fullmatch(rf"11\.\d\d\.{new_year}", start), start
    admin.get_by_role("button", name="Створити чернетку").click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    assert "Створено чернетку випуску" in admin.locator(".messages").inner_text()
    assert "Перевірте перед публікацією" in admin.locator(".messages").inner_text()
    edition_id = re.search(r"/pages/(\d+)/edit/", admin.url)[1]
    assert admin.locator("#id_start_date").input_value() == start

    # The checklist on the draft edition: its registration form has no opening time.
    assert admin.get_by_role("heading", name="Перевірте перед публікацією").is_visible()
    checklist = admin.locator("main").inner_text()
    assert "не вказано" in checklist or "відкривається" in checklist
    item = admin.locator("a[href$='#id_opens_at']").first
    item.click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/#id_opens_at$"))
    opens_at = admin.locator("#id_opens_at")
    assert opens_at.is_visible()
    opens = datetime.datetime.strptime(start, "%d.%m.%Y") - datetime.timedelta(days=30)
    opens_at.fill(opens.strftime("%d.%m.%Y 09:00"))
    admin.keyboard.press("Escape")
    admin.locator("footer button.action-save").click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    fixed_form = admin.url

    admin.goto(f"{site}/admin/pages/{edition_id}/edit/")
    assert admin.locator(f"a[href='{fixed_form.removeprefix(site)}#id_opens_at']").count() == 0

    # «Опублікувати випуск»: what will happen, then all of it live.
    admin.locator("header [data-w-dropdown-target='toggle']").first.click()
    admin.get_by_role("link", name="Опублікувати випуск").click()
    admin.wait_for_url(re.compile(rf"/admin/editions/{edition_id}/publish/$"))
    assert "Буде опубліковано" in admin.locator("main").inner_text()
    # Publishing every page of the edition takes the development server a few seconds,
    # more on a busy machine: the click waits for its answer up to a minute.
    admin.get_by_role("button", name="Опублікувати випуск").click(timeout=60_000)
    admin.wait_for_load_state()
    done = admin.locator("main").inner_text()
    assert "Опубліковано" in done and "Лишається чернеткою" not in done
    assert errors == []

    # The visitor: every page of the new edition is live, and /current/ leads to it.
    visitor = context.new_page()
    assert current_path(site) == f"/{new_year}/"
    response = visitor.goto(site + "/current/")
    assert response.status == 200 and visitor.url == f"{site}/{new_year}/"
    main = visitor.locator("main").inner_text()
    assert str(int(latest)) not in main.replace("2017", "")  # only the history's 2017
    links = visitor.locator(f"main a[href^='/{new_year}/']")
    addresses = {links.nth(i).get_attribute("href") for i in range(links.count())}
    programme = visitor.goto(f"{site}/{new_year}/programme/")
    assert programme.status == 200
    day_links = visitor.locator(f"main a[href^='/{new_year}/programme/{new_year}-']")
    addresses |= {day_links.nth(i).get_attribute("href") for i in range(day_links.count())}
    assert len(addresses) > 10
    for address in sorted(addresses):  # pages, and the calendar files beside them
        assert visitor.request.get(site + address.split("#")[0]).status == 200, address
    registration = visitor.goto(f"{site}/current/registration/")
    assert visitor.url == f"{site}/{new_year}/registration/"
    assert registration.status == 200
    visitor.goto(site + "/")
    assert visitor.locator(f".archive a[href='/{latest}/']").count() == 1
    context.close()


def test_a_checklist_link_opens_the_field_in_its_tab(served, browser):
    """2017 rolled over to a draft 2018 whose cycling track's search title (in the
    «Просування» tab) says 2017: its checklist link opens that tab at the field, and
    the item is gone once the field is fixed."""
    site, url = served
    site.manage("rollover_edition", "2017", "--to", "2018")
    edition_id = site.manage("shell", "-c", PREPARE).strip().splitlines()[-1]
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
