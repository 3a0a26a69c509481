"""An editor starts next year's edition in the admin, as the press office would."""

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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own: this test creates and publishes an edition."""
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        site.manage("shell", "-c", MAKE_EDITOR)
        yield url


def publish(page):
    """Publish the page open in the editor, from the footer's action menu."""
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_load_state()


def test_an_editor_rolls_over_edits_a_session_and_publishes_it(site, browser):
    context = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    admin = context.new_page()
    admin.goto(site + "/admin/login/")
    admin.locator("#id_username").fill(EDITOR[0])
    admin.locator("#id_password").fill(EDITOR[1])
    admin.locator("form button[type=submit]").click()

    # From the 2017 edition's page menu.
    admin.goto(site + "/admin/pages/search/?q=Майстерня")
    admin.get_by_role("link", name="Майстерня міста Житомир").first.click()
    admin.locator("header [data-w-dropdown-target='toggle']").first.click()
    admin.get_by_role("link", name="Створити наступний випуск").click()
    assert admin.get_by_label("Рік нового випуску").input_value() == "2018"
    admin.get_by_role("button", name="Створити чернетку").click()
    admin.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    assert "Створено чернетку випуску" in admin.locator(".messages").inner_text()
    edition_id = re.search(r"/pages/(\d+)/edit/", admin.url)[1]
    publish(admin)

    # The programme and the first day of the new edition, with one session renamed.
    admin.goto(f"{site}/admin/pages/{edition_id}/")
    admin.get_by_role("link", name="Програма", exact=True).first.click()
    programme_id = re.search(r"/pages/(\d+)/edit/", admin.url)[1]
    publish(admin)
    admin.goto(f"{site}/admin/pages/{programme_id}/")
    admin.get_by_role("link", name=re.compile(r"^День 1")).first.click()
    admin.locator("[name='sessions-0-title']").fill("Відкриття Майстерні 2018")
    publish(admin)

    visitor = context.new_page()
    response = visitor.goto(site + "/2018/programme/")
    assert response.status == 200
    assert "Відкриття Майстерні 2018" in visitor.locator("main").inner_text()
    assert "11 червня" in visitor.locator("main").inner_text()
    # /current/ leads to the latest live edition: the demo's upcoming one (three weeks
    # ahead, later than 2018), and 2018 joins 2017 in the archive.
    current = visitor.goto(site + "/current/programme/")
    assert current.url == site + current_path(site, "programme/")
    assert current.url not in (site + "/2017/programme/", site + "/2018/programme/")
    visitor.goto(site + "/")
    assert visitor.locator(".archive a[href='/2018/']").count() == 1
    context.close()
