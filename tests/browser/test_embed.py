"""The embeddable programme in Chromium, as a partner uses it: a visitor of the
programme page opens «Вбудувати», copies the code, the partner pastes it into a page
of their own site (another origin, listed in EMBED_ALLOWED_ORIGINS) and the programme
shows there in its frame, its links opening the site in the whole window; the same
code on a site that is not listed, and the programme page itself anywhere, are
refused by the browser. The embed is readable at 320 px and passes axe-core."""

import contextlib
import functools
import http.server
import shutil
import threading
import urllib.request

import pytest

from tests.browser.conftest import demo_site
from tests.browser.test_html_validity import VNU, errors_in
from tests.helpers import free_port, require

FRAME_TITLE = "Програма: Майстерня міста Житомир"
PROGRAMME = "/2017/programme/"
EMBED = "/2017/programme/embed/"
PARTNER_PAGE = """<!DOCTYPE html>
<html lang="uk">
<head><meta charset="utf-8"><title>Житомирська міська рада</title></head>
<body>
<h1>Житомирська міська рада</h1>
<p>Програма «Майстерні міста» на нашому сайті:</p>
{code}
<p>А це сторінка програми, яку не можна вбудувати:</p>
<iframe src="{programme}" title="Сторінка програми"></iframe>
</body>
</html>
"""


@contextlib.contextmanager
def partner_site(folder):
    """A partner's web server (Python's http.server) on a port of its own: an origin
    other than the site's."""
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The demo site, which lists one partner's origin in EMBED_ALLOWED_ORIGINS, and
    two partners' servers: the listed one and one that is not listed."""
    listed_folder = tmp_path_factory.mktemp("listed-partner")
    other_folder = tmp_path_factory.mktemp("unlisted-partner")
    with partner_site(listed_folder) as listed, partner_site(other_folder) as other:
        site = demo_site(tmp_path_factory)
        site.env["EMBED_ALLOWED_ORIGINS"] = listed
        with site.serve() as url:
            yield {
                "site": url,
                "listed": (listed, listed_folder),
                "unlisted": (other, other_folder),
            }


def framing_refusals(page):
    """Chromium's console lines for frames it refused by their frame-ancestors."""
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None,
    )
    return refused


def frame_with_title(page, title):
    return page.frame_locator(f'iframe[title="{title}"]')


def frame_address(page, title):
    """What the frame holds: the page's address, or Chromium's error page when it
    refused to show it there («127.0.0.1 is blocked»)."""
    return page.locator(f'iframe[title="{title}"]').element_handle().content_frame().url


REFUSED = "chrome-error://chromewebdata/"


def wait_for_refusal(page, title, refused, count, seconds=20):
    """Until Chromium has refused the frame and said so `count` times in the console
    (a busy machine may take a while to load the frame at all)."""
    for _ in range(seconds * 10):
        if frame_address(page, title) == REFUSED and len(refused) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError((frame_address(page, title), refused))


def test_a_partner_pastes_the_copied_code_and_its_page_shows_the_programme(sites, browser):
    site = sites["site"]
    context = browser.new_context(locale="uk-UA", timezone_id="Europe/Kyiv")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = context.new_page()

    # The visitor filters the programme by a theme and opens «Вбудувати».
    page.goto(f"{site}{PROGRAMME}?track=cycling")
    code_field = page.get_by_label("Код для вставлення на сторінку (HTML)")
    assert not code_field.is_visible()
    page.get_by_text("Вбудувати", exact=True).click()
    assert code_field.is_visible()
    page.get_by_role("button", name="Копіювати код").click()
    page.get_by_role("status").filter(has_text="Код скопійовано.").wait_for()
    code = page.evaluate("() => navigator.clipboard.readText()")
    assert code == code_field.input_value()
    assert f'src="{site}{EMBED}?track=cycling"' in code
    theme_sessions = page.locator(".session").count()
    assert theme_sessions > 0

    # The partner pastes it into a page of their own site, beside a frame of the
    # programme page itself.
    for name in ("listed", "unlisted"):
        folder = sites[name][1]
        (folder / "programme.html").write_text(
            PARTNER_PAGE.format(code=code, programme=site + PROGRAMME), encoding="utf-8"
        )

    listed = sites["listed"][0]
    refused = framing_refusals(page)
    page.goto(f"{listed}/programme.html")
    frame = frame_with_title(page, FRAME_TITLE)
    frame.locator("h1").filter(has_text=FRAME_TITLE).wait_for()
    assert frame.locator(".session").count() == theme_sessions
    assert frame.locator(".embed__filters").inner_text() == "Показано: Напрям: Велотранспорт"
    # The theme's colour comes through the embed's own policy (its nonce'd style).
    colour = frame.locator(".track-label .swatch").first.evaluate(
        "el => getComputedStyle(el).getPropertyValue('--track-colour').trim()"
    )
    assert colour.startswith("#")
    # The programme page refuses the frame; the embed does not.
    wait_for_refusal(page, "Сторінка програми", refused, count=1)
    assert frame_address(page, FRAME_TITLE) == f"{site}{EMBED}?track=cycling"
    assert len(refused) == 1 and "frame-ancestors 'none'" in refused[0], refused

    # A session's link opens the site in the whole window, not in the frame.
    link = frame.locator(".session__title a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(f"{site}/2017/programme/**/sessions/**")
    assert page.locator("h1").inner_text() == title

    # Back on the partner's page, the link to the whole programme does the same.
    page.go_back()
    frame_with_title(page, FRAME_TITLE).get_by_role(
        "link", name="Уся програма на сайті «Майстерня міста»"
    ).click()
    page.wait_for_url(f"{site}{PROGRAMME}")
    context.close()


def test_a_site_that_is_not_listed_cannot_show_the_programme(sites, browser):
    site = sites["site"]
    unlisted, folder = sites["unlisted"]
    (folder / "embed.html").write_text(
        PARTNER_PAGE.format(
            code=f'<iframe src="{site}{EMBED}" title="{FRAME_TITLE}"></iframe>',
            programme=site + PROGRAMME,
        ),
        encoding="utf-8",
    )
    context = browser.new_context(locale="uk-UA")
    page = context.new_page()
    refused = framing_refusals(page)
    page.goto(f"{unlisted}/embed.html")
    wait_for_refusal(page, FRAME_TITLE, refused, count=2)
    wait_for_refusal(page, "Сторінка програми", refused, count=2)
    assert frame_with_title(page, FRAME_TITLE).locator(".session").count() == 0
    listed = sites["listed"][0]
    assert any(f"frame-ancestors 'self' {listed}" in line for line in refused), refused
    assert any("frame-ancestors 'none'" in line for line in refused), refused
    # The embed itself is there, opened in a window of its own.
    page.goto(site + EMBED)
    assert page.locator("h1").inner_text() == FRAME_TITLE
    context.close()


def test_the_embed_fits_a_320px_frame_and_passes_axe(sites, phone, axe_script):
    site = sites["site"]
    for path in (EMBED, f"{EMBED}?day=2017-06-12&venue=nowhere", f"{EMBED}?track=cycling"):
        response = phone.goto(site + path)
        assert response.status == 200, path
        assert phone.locator("h1").count() == 1, path
        overflow = phone.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
        phone.add_script_tag(path=axe_script)
        violations = phone.evaluate(
            "async () => (await axe.run()).violations.map("
            "v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
        )
        assert violations == [], path
    # The bad value is named in Ukrainian, and the whole programme shown.
    phone.goto(f"{site}{EMBED}?venue=nowhere")
    assert "«nowhere» немає в цій програмі" in phone.locator(".notice").inner_text()


def test_the_embed_code_disclosure_is_accessible_open_and_without_script(
    sites, browser, axe_script
):
    site = sites["site"]
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="uk-UA", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{site}{PROGRAMME}?track=cycling")
    page.locator(".embed-code > summary").click()
    page.add_script_tag(path=axe_script)
    violations = page.evaluate(
        "async () => (await axe.run({include: ['.embed-code']})).violations.map(v => v.id)"
    )
    assert violations == []
    context.close()

    # Without JavaScript: no button to press, the code is there to select and copy.
    context = browser.new_context(locale="uk-UA", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}{PROGRAMME}?track=cycling")
    page.locator(".embed-code > summary").click()
    field = page.get_by_label("Код для вставлення на сторінку (HTML)")
    assert field.is_visible()
    assert field.input_value().startswith(f'<iframe src="{site}{EMBED}?track=cycling"')
    assert not page.get_by_role("button", name="Копіювати код").is_visible()
    field.focus()
    selected = page.evaluate(
        "() => { const f = document.activeElement; f.select();"
        " return f.value.substring(f.selectionStart, f.selectionEnd); }"
    )
    context.close()
    assert selected.startswith("<iframe ")


def test_the_embed_and_the_programme_with_its_code_are_valid_html(sites, tmp_path):
    require(VNU.exists() and shutil.which("java"), "vnu-jar (npm install) and Java")
    site = sites["site"]
    paths = [EMBED, f"{EMBED}?track=cycling&day=x", f"{PROGRAMME}?track=cycling"]
    files = {}
    for number, path in enumerate(paths):
        with urllib.request.urlopen(site + path) as response:
            page = tmp_path / f"embed-{number}.html"
            page.write_bytes(response.read())
            files[page.name] = path
    problems = errors_in(tmp_path / name for name in files)
    assert {files[name]: errors for name, errors in problems.items()} == {}
