"""The urgent notice as the press office posts it and a visitor sees it: a moderator
posts it from the dashboard (text, a level, the button), and on a 390×844 phone every
kind of public page shows it first, free of axe violations and of Nu Html Checker
errors, at each of the three levels."""

import shutil
import urllib.request

import pytest

from .conftest import demo_site, require
from .test_html_validity import VNU, errors_in

MODERATOR = ("oksana", "notice-in-the-browser")
MAKE_MODERATOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

user = get_user_model().objects.create_user({MODERATOR[0]!r}, password={MODERATOR[1]!r})
user.groups.add(Group.objects.get(name="Модератори"))
"""
PAGES = ["/", "/2017/", "/2017/programme/", "/2017/programme/2017-06-12/", "/search/?q=кіно"]
NOTICES = {
    "alarm": "Повітряна тривога: програму призупинено, пройдіть до укриття.",
    "warning": "Через дощ покази кіно перенесено до бібліотеки.",
    "info": "Вхід на майданчик — з вулиці Київської.",
}
LEVELS = {"alarm": "Тривога", "warning": "Увага", "info": "Інформація"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        site.manage("shell", "-c", MAKE_MODERATOR)
        yield url


@pytest.fixture
def moderator(browser, served):
    context = browser.new_context(locale="uk-UA", timezone_id="Europe/Kyiv")
    page = context.new_page()
    page.goto(served + "/admin/login/")
    page.locator("#id_username").fill(MODERATOR[0])
    page.locator("#id_password").fill(MODERATOR[1])
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(served + "/admin/")
    yield page
    context.close()


@pytest.fixture
def visitor(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="uk-UA",
        timezone_id="Europe/Kyiv",
        bypass_csp=True,  # for axe's inline script, as in test_public_site.py
    )
    yield context.new_page()
    context.close()


def post_from_the_dashboard(admin, url, level):
    admin.goto(url + "/admin/")
    panel = admin.locator("#urgent-notice-content")
    if panel.get_by_role("button", name="Зняти").count():
        panel.get_by_text("Опублікувати інше замість нього").click()
    panel.locator("[name=text]").fill(NOTICES[level])
    panel.get_by_label(LEVELS[level], exact=True).check()
    panel.locator("[name=link_url]").fill("https://maps.example.org/shelter/12")
    panel.get_by_role("button", name="Опублікувати термінове повідомлення").click()
    admin.wait_for_url(url + "/admin/")
    assert "Повідомлення вже на кожній сторінці сайту." in admin.content()


def test_a_notice_posted_from_the_dashboard_is_first_on_a_phone_and_clean(
    served, moderator, visitor, axe_script, tmp_path
):
    require(VNU.exists() and shutil.which("java"), "vnu-jar (npm install) and Java")
    problems, files = {}, {}
    for level in NOTICES:
        post_from_the_dashboard(moderator, served, level)
        for path in PAGES:
            assert visitor.goto(served + path).status == 200
            notice = visitor.locator(".urgent-notice")
            assert notice.inner_text().startswith(LEVELS[level].upper()), (level, path)
            assert NOTICES[level] in notice.inner_text()
            box = notice.bounding_box()
            assert box["y"] == 0 and box["height"] < 844 / 3  # first, a third at most
            assert (notice.get_attribute("role") == "alert") is (level == "alarm")
            overflow = visitor.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            visitor.add_script_tag(path=axe_script)
            violations = visitor.evaluate(
                "async () => (await axe.run()).violations.map("
                "v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
            )
            if overflow > 0 or violations:
                problems[(level, path)] = {"overflow": overflow, "axe": violations}
            with urllib.request.urlopen(served + urllib.request.quote(path, safe="/?=&")) as r:
                page = tmp_path / f"{level}-{len(files)}.html"
                page.write_bytes(r.read())
                files[page.name] = (level, path)
    assert problems == {}
    errors = errors_in(tmp_path / name for name in files)
    assert {files[name]: found for name, found in errors.items()} == {}

    # Withdrawn: gone from the pages.
    moderator.goto(served + "/admin/")
    moderator.locator("#urgent-notice-content").get_by_role("button", name="Зняти").click()
    moderator.wait_for_url(served + "/admin/")
    visitor.goto(served + "/2017/")
    assert visitor.locator(".urgent-notice").count() == 0
