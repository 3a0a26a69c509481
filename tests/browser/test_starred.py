"""«Мій розклад» in a real browser: stars kept in the browser's storage across a
reload, and the shared address rendered by the server for a browser without
JavaScript; the page clean for axe and the Nu Html Checker, the script allowed by the
site's strict Content Security Policy."""

import shutil
import urllib.request

from .conftest import require
from .test_html_validity import VNU, errors_in
from .test_lighthouse import LIGHTHOUSE, audit, shortfalls

PROGRAMME = "/2017/programme/"


def starred_titles(page):
    return page.locator(
        ".session:has(.star[aria-pressed='true']) .session__title"
    ).all_inner_texts()


def test_a_starred_programme_survives_a_reload_and_its_link_renders_without_javascript(
    site_url, browser
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(site_url + PROGRAMME)
    link = page.get_by_role("link", name="Мій розклад")
    assert link.is_visible()
    assert link.locator("[data-starred-count]").inner_text() == "0"

    stars = page.locator(".star")
    assert stars.count() == page.locator("[data-session-id]").count() > 2
    first, second = stars.nth(0), stars.nth(2)
    assert first.get_attribute("aria-pressed") == "false"
    first.click()
    second.click()
    assert first.get_attribute("aria-pressed") == "true"
    chosen = starred_titles(page)
    assert len(chosen) == 2

    page.reload()
    assert starred_titles(page) == chosen
    assert link.locator("[data-starred-count]").inner_text() == "2"
    # Unstarring and starring again keeps the two.
    page.locator(".star[aria-pressed='true']").first.click()
    assert len(starred_titles(page)) == 1
    page.locator(".star").nth(0).click()

    link.click()
    page.wait_for_url("**/programme/my/?s=*")
    assert sorted(page.locator(".session__title").all_inner_texts()) == sorted(chosen)
    shared = page.url
    context.close()
    assert refused == []

    # The same address on another browser, without JavaScript: the server's page.
    fresh = browser.new_context(java_script_enabled=False, locale="uk-UA")
    reader = fresh.new_page()
    response = reader.goto(shared)
    assert response.status == 200
    assert sorted(reader.locator(".session__title").all_inner_texts()) == sorted(chosen)
    assert reader.locator("h1").inner_text() == "Мій розклад"
    # No dead buttons and no link that would lead nowhere without the script.
    assert reader.locator("button.star").count() == 0
    assert reader.locator(".my-programme-link").is_hidden()
    calendar = reader.locator("a[type='text/calendar']").get_attribute("href")
    with urllib.request.urlopen(site_url + calendar) as answer:
        assert answer.read().count(b"BEGIN:VEVENT") == 2
    fresh.close()


def test_a_shared_programme_is_kept_with_one_press_and_a_session_page_has_its_star(
    site_url, browser
):
    """Someone opens a «Мій розклад» link a friend shared: one press keeps those
    sessions in their own programme, beside the one they had starred on a session's
    own page."""
    sharer = browser.new_context(locale="uk-UA")
    page = sharer.new_page()
    page.goto(site_url + PROGRAMME)
    page.locator(".star").nth(0).click()
    page.locator(".star").nth(1).click()
    shared_titles = sorted(starred_titles(page))
    page.get_by_role("link", name="Мій розклад").click()
    page.wait_for_url("**/programme/my/?s=*")
    shared = page.url
    # The sharer already has them all: nothing to keep.
    assert page.locator(".my-programme-keep").is_hidden()
    sharer.close()

    friend = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = friend.new_page()
    page.goto(site_url + PROGRAMME)
    session_url = page.locator(".session__title a").nth(3).get_attribute("href")
    page.goto(site_url + session_url)
    star = page.locator(".session-page .star")
    assert star.count() == 1
    own_title = page.locator("h1").inner_text()
    star.click()
    assert star.get_attribute("aria-pressed") == "true"

    page.goto(shared)
    keep = page.get_by_role("button", name="Зберегти ці події в моєму розкладі")
    assert keep.is_visible()
    keep.click()
    assert page.get_by_role("status").inner_text() == "Збережено в моєму розкладі"
    assert keep.is_hidden()
    link = page.get_by_role("link", name="Мій розклад")
    assert link.locator("[data-starred-count]").inner_text() == "3"

    page.goto(site_url + PROGRAMME)
    assert sorted(starred_titles(page)) == sorted([*shared_titles, own_title])
    page.goto(shared)
    assert page.locator(".my-programme-keep").is_hidden()
    friend.close()


def test_my_programme_passes_axe_and_the_html_checker_with_and_without_stars(
    site_url, phone, axe_script, tmp_path
):
    phone.goto(site_url + PROGRAMME)
    phone.locator(".star").nth(1).click()
    phone.locator(".star").nth(3).click()
    phone.get_by_role("link", name="Мій розклад").click()
    phone.wait_for_url("**/programme/my/?s=*")
    assert phone.locator(".session").count() == 2
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    pages = {
        "my-starred.html": phone.url,
        "my-empty.html": site_url + PROGRAMME + "my/",
        "my-bad.html": site_url + PROGRAMME + "my/?s=abc,99999999999,1",
    }
    violations = {}
    for url in pages.values():
        phone.goto(url)
        phone.add_script_tag(path=axe_script)
        found = phone.evaluate(
            "async () => (await axe.run()).violations.map("
            "v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
        )
        if found:
            violations[url] = found
    assert violations == {}

    require(VNU.exists() and shutil.which("java"), "vnu-jar (npm install) and Java")
    for name, url in pages.items():
        with urllib.request.urlopen(url) as response:
            (tmp_path / name).write_bytes(response.read())
    # And the programme and a day as the script leaves them, with their star buttons.
    for name, path in {"programme": PROGRAMME, "day": PROGRAMME + "2017-06-12/"}.items():
        phone.goto(site_url + path)
        assert phone.locator(".star[aria-pressed='true']").count() >= 1
        (tmp_path / f"{name}-with-stars.html").write_text(
            "<!DOCTYPE html>\n" + phone.evaluate("() => document.documentElement.outerHTML")
        )
    assert errors_in(sorted(tmp_path.glob("*.html"))) == {}


def test_my_programme_scores_100_for_accessibility_and_seo_in_lighthouse(site_url, tmp_path):
    require(LIGHTHOUSE.exists(), "Lighthouse (npm install)")
    path = f"{PROGRAMME}my/?s=1,3"
    assert shortfalls({path: audit(site_url + path, tmp_path / "report.json")}) == {}
