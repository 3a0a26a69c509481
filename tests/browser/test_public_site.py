"""The public pages in a real browser: readable on a 320 px phone and free of the
accessibility violations axe-core can detect."""

from tests.helpers import current_path

PAGES = [
    "/",
    "/2017/",
    "/2017/programme/",
    "/2017/programme/?track=cycling&kind=unknown",
    "/2017/programme/2017-06-12/",
    "/2017/programme/changes/",  # a cancelled and a moved session (conftest.py)
    "/2017/open-data/",
    "/2017/documents/",
    "/2017/registration/",  # closed since 2017's last day, with a link to the newer form
    "/2017/project/",
    # The upcoming demonstration edition, where the forms are open.
    "/current/",
    "/current/registration/",
    "/current/project/",
    "/search/?q=велосипед",
]
# Pages reached through links: a theme from the edition, a session from its day.
LINKED = {"/2017/": "#themes a", "/2017/programme/2017-06-12/": ".session__title a"}


def test_pages_fit_a_320px_phone_and_pass_axe(site_url, phone, axe_script):
    problems = {}
    paths = list(PAGES)
    for path in paths:
        response = phone.goto(site_url + path)
        assert response.status == 200, path
        assert phone.locator("h1").count() == 1, path
        if path in LINKED:
            paths.append(phone.locator(LINKED[path]).first.get_attribute("href"))
        overflow = phone.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        phone.add_script_tag(path=axe_script)
        violations = phone.evaluate(
            "async () => (await axe.run()).violations.map("
            "v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
        )
        if overflow > 0 or violations:
            problems[path] = {"horizontal overflow (px)": overflow, "axe": violations}
    assert len(paths) == len(PAGES) + len(LINKED)
    assert problems == {}


def test_no_page_breaks_its_content_security_policy(site_url, browser):
    """The strict policy of the public pages, enforced by Chromium: nothing the pages
    need (the themes' colours, the stylesheet, images) is refused."""
    context = browser.new_context(locale="uk-UA")
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in PAGES:
        page.goto(site_url + path)
        # The themes' colours come through the nonce'd style element.
        if path in ("/2017/", "/2017/programme/"):
            colour = page.locator("[class*='track-'] .swatch").first.evaluate(
                "el => getComputedStyle(el).getPropertyValue('--track-colour').trim()"
            )
            assert colour.startswith("#"), path
    context.close()
    assert refused == []


def test_keyboard_users_see_where_the_focus_is(site_url, phone):
    phone.goto(site_url + "/2017/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate(
        "() => { const el = document.activeElement; const s = getComputedStyle(el);"
        " return {text: el.textContent.trim(), outline: s.outlineStyle, width: s.outlineWidth,"
        " shadow: s.boxShadow}; }"
    )
    # The first Tab lands on the skip link, and it is visibly outlined.
    assert focused["text"]
    assert focused["outline"] != "none" or focused["shadow"] != "none"


def test_the_registration_form_is_usable_without_javascript(site_url, browser):
    context = browser.new_context(java_script_enabled=False, locale="uk-UA")
    page = context.new_page()
    page.goto(site_url + "/current/registration/")
    page.get_by_label("Електронна пошта").fill("not an e-mail")
    page.locator("form[method=post] [type=submit]").click()
    # The error is shown next to the field and the typed value is kept.
    assert page.get_by_label("Електронна пошта").input_value() == "not an e-mail"
    assert page.locator(".field-error, [id$='-error'], .errorlist").count() >= 1
    context.close()


def test_a_resident_sends_a_project_with_a_sketch_from_a_phone(site_url, phone, tmp_path):
    sketch = tmp_path / "eskiz.pdf"
    sketch.write_bytes(b"%PDF-1.4\n%%EOF\n")
    phone.goto(site_url + "/current/project/")
    form_url = phone.url
    phone.get_by_label("Назва проєкту").fill("Лавки в сквері")
    phone.get_by_label("Міська культура").check()
    phone.get_by_label("Опис проєкту").fill("Поставити лавки й смітники.")
    phone.get_by_label("Що потрібно для втілення").fill("Дошки, фарба.")
    phone.get_by_label("Контактна особа").fill("Мар’яна Коваль")
    phone.get_by_label("Електронна пошта").fill("maryana@example.org")
    phone.get_by_label("Додаток").set_input_files(sketch)
    phone.get_by_label("Я погоджуюся").check()
    phone.locator("form[method=post] [type=submit]").click()
    assert form_url != site_url + "/2017/project/"
    assert phone.url == form_url + "?thanks"
    assert "Ми отримали вашу анкету" in phone.locator("main").inner_text()


def test_the_programme_prints_as_a_clean_a4_programme(site_url, phone):
    phone.emulate_media(media="print")
    phone.goto(site_url + "/2017/programme/")
    style = phone.evaluate(
        """() => {
            const shown = (selector) => [...document.querySelectorAll(selector)]
                .some((el) => getComputedStyle(el).display !== "none");
            const days = [...document.querySelectorAll(".programme-day")];
            return {
                navigation: shown(".edition-nav, .site-search, .breadcrumbs, .site-footer"),
                controls: shown(".programme-filters, .calendar-link"),
                days: days.length,
                breaks: days.slice(1).every((day) => getComputedStyle(day).breakBefore === "page"),
                sessionsKeptWhole: [...document.querySelectorAll(".session")]
                    .every((s) => getComputedStyle(s).breakInside === "avoid"),
                text: getComputedStyle(document.body).color,
            };
        }"""
    )
    assert style == {
        "navigation": False,
        "controls": False,
        "days": 6,
        "breaks": True,
        "sessionsKeptWhole": True,
        "text": "rgb(0, 0, 0)",
    }


def test_a_visitor_s_journey_from_the_home_page_to_registering(site_url, phone):
    """Home → the current edition (the demo's upcoming one) → its programme → one
    theme → a document → register, by following the links a person sees, on a phone;
    2017 is in the archive."""
    phone.goto(site_url + "/")
    assert phone.locator(".archive a[href='/2017/']").count() == 1
    phone.locator("#current-edition ~ article a").first.click()
    current = phone.url
    assert current == site_url + current_path(site_url) != site_url + "/2017/"
    phone.get_by_role("navigation").get_by_role("link", name="Програма").first.click()
    assert phone.url == current + "programme/"
    phone.get_by_label("Напрям").select_option(label="Велотранспорт")
    phone.get_by_role("button", name="Показати").click()
    assert "track=cycling" in phone.url
    titles = phone.locator(".programme-day .track-label").all_inner_texts()
    assert titles and all("Велотранспорт" in title for title in titles)

    phone.goto(current + "documents/")
    with phone.expect_download() as download:
        phone.locator("a[href^='/documents/']").first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    phone.goto(current)
    phone.get_by_role("link", name="Заповнити реєстраційну форму").first.click()
    phone.get_by_label("Ім’я та прізвище").fill("Мар’яна Коваль")
    phone.get_by_label("Електронна пошта").fill("maryana.journey@example.org")
    phone.get_by_label("Учасник").check()
    phone.get_by_label("Я погоджуюся").check()
    phone.locator("form[method=post] [type=submit]").click()
    assert phone.url == current + "registration/?thanks"
    assert "Дякуємо" in phone.locator("main").inner_text()


def test_the_programme_filter_works_from_the_keyboard(site_url, phone):
    phone.goto(site_url + "/2017/programme/")
    theme = phone.get_by_label("Напрям")
    theme.focus()
    theme.press("ArrowDown")  # from «Усі» to the first theme
    chosen = theme.input_value()
    assert chosen
    phone.keyboard.press("Tab")  # the format
    phone.keyboard.press("Tab")  # the venue, or the button
    while phone.evaluate("document.activeElement.tagName") != "BUTTON":
        phone.keyboard.press("Tab")
    outline = phone.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
    )
    assert outline  # the focused button can be seen
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"**track={chosen}**")
