"""The editor guide (docs/editor-guide.md), walked in Chromium as its readers work: an
editor and a moderator of the press office do its tasks in the admin by the words the
guide gives them (each label clicked or filled is one the guide quotes, «so»), and
every screen they meet is read for English (the admin language test's check, on the
page as the browser shows it, script-written text included) and for a number that
does not agree with its noun. Each screen the guide shows is photographed on the way
into docs/img/, so that the guide's pictures are the running site's."""

import codecs
import csv
import io
import re

import pytest

from tests.helpers import ROOT
from tests.test_admin_language import (
    COUNTED,
    FORMS,
    agreement_errors,
    latin_words,
    screen_texts,
)

from .conftest import demo_site

GUIDE = ROOT / "docs" / "editor-guide.md"
GUIDE_TEXT = GUIDE.read_text(encoding="utf-8")
IMAGES = ROOT / "docs" / "img"
ALARM = "Повітряна тривога: програму призупинено, пройдіть до укриття."
DOCUMENT = "План майданчика"
NEW_SESSION = "Вечір короткого кіно: «Місто, яке ми будуємо»"
NEW_TRACK = "Місто для дітей"
CHANGES_WANTED = "Додайте до плану майданчика опис укриття."
QUESTION = "Звідки ви дізналися про Майстерню?"
VIEWPORT = {"width": 1280, "height": 860}
EDITOR = ("olena", "guide-editor-password", "Олена")
MODERATOR = ("taras", "guide-moderator-password", "Тарас")
MAKE_USERS = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

for (name, password, first_name), group in (
    ({EDITOR!r}, "Редактори"),
    ({MODERATOR!r}, "Модератори"),
):
    user = get_user_model().objects.create_user(
        name, email=name + "@example.org", password=password, first_name=first_name
    )
    user.groups.add(Group.objects.get(name=group))
"""
# A project described in the questionnaire, as a resident sends it: the form itself
# has its own tests (tests/test_questionnaire.py); here it is what the press office reads.
SEND_A_PROJECT = """
from django.utils import timezone
from events.models import EditionPage, QuestionnairePage

edition = EditionPage.objects.live().order_by("-start_date").first()
form = QuestionnairePage.objects.child_of(edition).get()
by_type = {
    "email": "olena.petruk@example.com",
    "phone": "+380971234567",
    "track": "Громадський простір",
    "multiline": "Лавки й тінь у сквері біля бібліотеки: зробимо разом із мешканцями.",
}
answers = {
    field.clean_name: by_type.get(field.field_type, "Олена Петрук")
    for field in form.get_form_fields()
}
form.get_submission_class().objects.create(
    page=form, form_data=answers, consented_at=timezone.now()
)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = demo_site(tmp_path_factory)
    with site.serve() as url:
        site.manage("shell", "-c", MAKE_USERS + SEND_A_PROJECT)  # one start of Django
        yield site, url


def shown_problems(markup):
    """The English words and the numbers out of agreement with their nouns on a screen,
    each with the text it is in. Not counts: years («з 2012 року»)."""
    problems = []
    for text in screen_texts(markup):
        found = sorted(latin_words(text))
        for _before, number, word in COUNTED.findall(text):
            if not (1000 <= int(number) <= 2999 and FORMS.get(word.lower()) == "рік"):
                found += agreement_errors(text, int(number))
        if found:
            problems.append((found, text[:200]))
    return problems


def said(text):
    """The guide's words as a locator's exact name, once the guide is found to quote
    them: its apostrophe (’) or the screen's ('), and a required field's asterisk."""
    quoted = re.escape(text).replace("’", "['’]")
    in_guide = quoted.replace(r"\ ", r"\s+")  # a quote may run over a line's end
    assert re.search(f"«{in_guide}»", GUIDE_TEXT), f"the guide does not say «{text}»"
    return re.compile(r"^\s*" + quoted + r"\s*\*?\s*$")


class Walk:
    """One reader of the guide in the browser: each screen read and, where the guide
    shows it, photographed."""

    taken = []

    def __init__(self, browser, url, user=None):
        self.url = url
        self.context = browser.new_context(
            viewport=VIEWPORT, locale="uk-UA", timezone_id="Europe/Kyiv", accept_downloads=True
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        if user:
            self.sign_in(*user[:2])
            self.page.wait_for_url(url + "/admin/")
            self.screen()

    def sign_in(self, name, password):
        self.page.goto(self.url + "/admin/login/")
        self.screen("login" if not Walk.taken else None)
        self.fill("Ім’я користувача", name)
        self.fill("Пароль", password)
        # Answered before the next step: each wrong password counts towards a lockout.
        with self.page.expect_response(lambda response: response.request.method == "POST"):
            self.click("button", "Увійти")

    def screen(self, shot=None):
        """Read the screen shown now; with `shot`, photograph it as docs/img/<shot>.png."""
        self.page.wait_for_load_state("networkidle")
        problems = shown_problems(self.page.content())
        assert problems == [], (self.page.url, problems)
        if shot:
            self.page.screenshot(path=IMAGES / f"{shot}.png")
            Walk.taken.append(shot)

    def click(self, role, name, within=None):
        (within or self.page).get_by_role(role, name=said(name)).filter(visible=True).first.click()

    def field(self, label, within=None):
        """The form field the guide names (not the panel that Wagtail labels the same)."""
        labelled = (within or self.page).get_by_label(said(label)).filter(visible=True)
        return labelled.and_(self.page.locator("input, textarea, select")).first

    def fill(self, label, value, within=None):
        self.field(label, within).fill(value)

    def choose(self, label, option, within=None):
        """Pick an option (the edition's own data, such as a theme, or a choice the guide
        lists) in the field the guide names."""
        self.field(label, within).select_option(label=option)

    def open(self, link):
        """Follow a link that the guide does not quote (a page's or a form's own title)."""
        self.page.locator("main").get_by_role("link", name=link, exact=True).first.click()
        self.screen()

    def edition_page(self, title):
        """From the dashboard's «Усі сторінки випуску», the edition's page of that title."""
        self.page.goto(self.url + "/admin/")
        self.click("link", "Усі сторінки випуску")
        self.open(title)

    @property
    def sidebar(self):
        return self.page.locator("#wagtail-sidebar, nav")

    def menu(self, item, within="footer"):
        """An action of the menu beside «Зберегти чернетку» (or a page's «⋯» menu)."""
        self.page.locator(within).get_by_role("button", name="Більше дій").first.click()
        self.click("button", item, within=self.page.locator(within))

    def saved(self):
        """The message Wagtail shows after a save: a success, not an error."""
        message = self.page.locator(".messages .success, .messages [class*=success]").first
        message.wait_for()
        self.screen()

    def close(self):
        self.context.close()


def walk_the_guide(browser, url):
    editor = Walk(browser, url, EDITOR)
    page = editor.page
    # «Панель керування»
    editor.screen("dashboard")
    # «Як влаштовано сайт»: the edition's pages.
    editor.click("link", "Усі сторінки випуску")
    editor.screen("explorer")
    # «Вкладки випуску»
    page.goto(url + "/admin/")
    editor.click("link", "Редагувати випуск")
    editor.screen("edition")
    for tab in ("Партнери, контакти, посилання", "Просування"):
        editor.click("tab", tab)
        editor.screen()
    # «Програма: дні та події»: the days, then a session added and one cancelled.
    editor.edition_page("Програма")
    editor.screen("programme")
    # «Додати день»: a date outside the edition is refused next to its field.
    page.goto(url + "/admin/")
    editor.click("link", "Додати день програми")
    editor.fill("Назва", "День 7. Підсумки")
    editor.fill("Дата", "01.01.2020")
    editor.click("button", "Зберегти чернетку")
    error = page.locator(".w-field__errors, .error-message").filter(
        has_text="Цей день не входить у дати випуску"
    )
    error.first.wait_for()
    editor.screen()
    page.goto(url + "/admin/")
    # «Дні програми» on the dashboard: each day's date and title leads to its form.
    page.get_by_role("link", name=re.compile(r"^[^:]+: День 1\.")).click()
    editor.screen()
    editor.click("button", "Додати подію")
    new = page.locator("[data-inline-panel-child]:visible").last
    editor.fill("Початок", "19:00", within=new)
    editor.fill("Кінець", "20:30", within=new)
    editor.fill("Назва", NEW_SESSION, within=new)
    editor.choose("Формат", "кінопоказ", within=new)
    editor.choose("Напрям", "Міська культура", within=new)
    editor.fill("Ведучі та доповідачі", "Кіноклуб «Житомир»", within=new)
    editor.fill("Опис", "Документальний фільм про міста, які змінюють мешканці.", within=new)
    first = page.locator("[data-inline-panel-child]:visible").first
    editor.choose("Статус", "скасовано", within=first)
    editor.fill("Примітка до статусу", "Лектор захворів", within=first)
    editor.click("button", "Зберегти чернетку")
    editor.saved()
    new_session = page.locator(f"[data-inline-panel-child]:has(input[value='{NEW_SESSION}'])")
    assert new_session.count() == 1
    editor.screen("day")
    # «Попередній перегляд»: the day as visitors will see it, the new session in it.
    page.locator("[data-side-panel-toggle=preview]").click()
    page.wait_for_function(  # Wagtail swaps two frames as the preview reloads
        """title => [...document.querySelectorAll("[data-side-panel=preview] iframe")]
            .some(frame => frame.contentDocument?.body?.innerText.includes(title))""",
        arg=NEW_SESSION,
    )
    editor.screen()
    page.locator("[data-side-panel-toggle=preview]").click()
    # «Історія»: the session deleted by mistake, and the version before brought back.
    new_session.get_by_role("button", name="Видалити").click()
    editor.click("button", "Зберегти чернетку")
    editor.saved()
    assert new_session.count() == 0
    editor.click("link", "Історія", within=page.locator("header"))
    editor.screen()
    before = page.locator("main tbody tr").filter(has_text="Чернетку збережено").nth(1)
    editor.click("button", "Дії", within=before)
    editor.click("link", "Переглянути цю версію", within=before)
    editor.screen()
    editor.click("button", "Замінити поточну чернетку")
    editor.saved()
    assert new_session.count() == 1
    # «Затвердження модераторами»: the editor sends the day for approval.
    editor.menu("Надіслати в Затвердження модераторами")
    editor.saved()
    # «Напрями»
    editor.edition_page("Громадський простір")
    editor.screen("track")
    # «Документи»: a file uploaded, then added to the edition's list.
    editor.click("link", "Документи", within=editor.sidebar)
    editor.screen()
    editor.click("link", "Додати документ")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "plan-2026.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    upload = page.locator("#upload-list li").first
    editor.fill("Назва", DOCUMENT, within=upload)
    editor.screen("upload")
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        editor.click("button", "Оновити", within=upload)
    assert sent.value.json()["success"], sent.value.text()
    # «Додати документ до списку»
    editor.edition_page("Документи")
    editor.click("button", "Додати документ")
    item = page.locator("[data-inline-panel-child]:visible").last
    editor.click("button", "Обрати документ", within=item)
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name=DOCUMENT).click()
    editor.fill("Короткий опис", "Де що відбувається: мапа майданчика.", within=item)
    editor.click("button", "Зберегти чернетку")
    editor.saved()
    editor.screen("documents")
    editor.menu("Надіслати в Затвердження модераторами")
    editor.saved()
    # «Реєстрація»
    editor.edition_page("Реєстрація")
    editor.screen("registration")
    # «Поля форми»: a question added, and sent for approval.
    editor.click("button", "Додати поле")
    question = page.locator("[data-inline-panel-child]:visible").last
    editor.fill("Мітка", QUESTION, within=question)
    editor.choose("Тип поля", "Перемикачі", within=question)
    editor.fill("Варіанти", "Від друзів\nЗ афіші\nЗ новин", within=question)
    editor.click("button", "Зберегти чернетку")
    editor.saved()
    editor.menu("Надіслати в Затвердження модераторами")
    editor.saved()
    # «Заповнені форми»: the questionnaire's submissions, exported, and one reviewed.
    editor.click("link", "Форми", within=editor.sidebar)
    editor.screen()
    # Each edition has its questionnaire: the current one's is on the dashboard.
    page.goto(url + "/admin/")
    editor.open("Анкета опису проєкту")
    editor.screen("submissions")
    for export in ("Завантажити CSV", "Завантажити XLSX"):  # buttons of the header's size
        assert page.get_by_role("link", name=said(export)).bounding_box()["height"] < 60
    with page.expect_download() as download:
        editor.click("link", "Завантажити CSV")
    exported = download.value.path().read_bytes()
    assert exported.startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert [row["Телефон"] for row in rows if "Олена Петрук" in row.values()] == [
        "+380971234567"
    ], rows
    assert "Час надсилання (Київ)" in rows[0]
    editor.click("link", "нова")
    editor.screen("review")
    editor.click("radio", "прийнята")
    editor.click("button", "Зберегти")
    editor.saved()
    assert page.get_by_role("link", name="прийнята").count() == 1
    # Deleting submissions is the moderators' («Видалення персональних даних»).
    assert page.get_by_role("button", name=said("Видалити вибрані заявки")).count() == 0
    editor.close()

    moderator = Walk(browser, url, MODERATOR)
    page = moderator.page
    # «Затвердження модераторами»: the day the editor sent, approved and so published.
    awaiting = page.locator("section").filter(
        has=page.get_by_role("heading", name=said("Чекають на ваш розгляд"))
    )
    awaiting.get_by_role("link", name=re.compile(r"День 1\.")).first.click()
    moderator.screen()
    page.locator("footer").get_by_role("button", name="Більше дій").click()
    moderator.screen("moderation")
    moderator.click("button", "Схвалити та опублікувати", within=page.locator("footer"))
    moderator.saved()
    day = page.get_by_role("link", name=re.compile("Відкрити опубліковану сторінку"))
    public = day.first.get_attribute("href")
    visitor = browser.new_page()
    visitor.goto(url + public)
    assert NEW_SESSION in visitor.content()
    assert visitor.get_by_text("Лектор захворів").count() >= 1
    visitor.close()
    # ...and the registration with its new question.
    page.goto(url + "/admin/")
    awaiting.get_by_role("link", name="Реєстрація").click()
    moderator.menu("Схвалити та опублікувати")
    moderator.saved()
    visitor = browser.new_page()
    visitor.goto(url + "/current/registration/")
    assert visitor.get_by_text(QUESTION).count() == 1
    assert visitor.get_by_role("radio", name="З афіші").count() == 1
    visitor.close()
    # «Запит на зміни» on the documents page, with a comment.
    page.goto(url + "/admin/")
    awaiting.get_by_role("link", name="Документи").click()
    moderator.menu("Запит на зміни")
    dialog = page.get_by_role("dialog").filter(visible=True)
    moderator.fill("Коментар", CHANGES_WANTED, within=dialog)
    moderator.screen()
    moderator.click("button", "Запит на зміни", within=dialog)
    moderator.saved()
    # «Видалення персональних даних»: the reviewed project's submission deleted.
    page.goto(url + "/admin/")
    moderator.open("Анкета опису проєкту")
    page.locator("input[name=selected-submissions]").first.check()
    moderator.click("button", "Видалити вибрані заявки")
    moderator.screen()
    moderator.click("button", "Видалити", within=page.locator("main"))
    moderator.saved()
    assert page.locator("input[name=selected-submissions]").count() == 0
    # «Публікація за графіком»: a theme's change set to go live at a time.
    moderator.edition_page("Велотранспорт")
    moderator.fill("Короткий опис", "Велодоріжки, стоянки й безпечні перехрестя.")
    page.locator("[data-side-panel-toggle=status]").click()
    moderator.click("button", "Задати графік")
    dialog = page.get_by_role("dialog").filter(visible=True)
    moderator.fill("Дата й час публікації", "01.06.2030 09:00", within=dialog)
    # The field's date picker opens over the dialog's button 100 ms after the field
    # takes focus, and closes on a click beside it (here the dialog's line above).
    page.locator(".xdsoft_datetimepicker").filter(visible=True).first.wait_for()
    dialog.locator("p").filter(visible=True).first.click()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.xdsoft_datetimepicker')]"
        ".some(picker => picker.checkVisibility())"
    )
    moderator.screen()
    moderator.click("button", "Зберегти графік", within=dialog)
    moderator.menu("Запланувати публікацію")
    moderator.saved()
    # «Налаштування сайту»
    moderator.click("button", "Налаштування", within=moderator.sidebar)
    moderator.click("link", "Налаштування сайту", within=moderator.sidebar)
    moderator.screen("settings")
    # «Термінове повідомлення», posted from the dashboard and withdrawn.
    page.goto(url + "/admin/")
    notice = page.get_by_role("region", name="Термінове повідомлення")
    moderator.fill("Текст", ALARM, within=notice)
    moderator.click("radio", "Тривога", within=notice)
    moderator.click("button", "Опублікувати термінове повідомлення", within=notice)
    moderator.screen("notice")
    visitor = browser.new_page()
    visitor.goto(url + "/")
    assert visitor.get_by_role("alert").filter(has_text=ALARM).count() == 1
    visitor.close()
    moderator.click(
        "button", "Зняти", within=page.get_by_role("region", name="Термінове повідомлення")
    )
    moderator.screen()
    # «Напрями»: a new theme, added under the edition and published.
    page.goto(url + "/admin/")
    moderator.click("link", "Усі сторінки випуску")
    moderator.click("link", "Додати дочірню сторінку", within=page.locator("header"))
    moderator.screen()
    moderator.fill("Назва", NEW_TRACK)
    moderator.fill("Короткий опис", "Ігрові майданчики, безпечні шляхи до школи й тінь.")
    moderator.fill("Колір", "#8e24aa")
    page.locator("[data-contentpath=body] [contenteditable=true]").fill(
        "Місто, у якому дітям безпечно й цікаво, зручне для всіх."
    )
    moderator.menu("Опублікувати")
    moderator.saved()
    visitor = browser.new_page()
    visitor.goto(url + "/current/")
    assert visitor.get_by_role("link", name=NEW_TRACK).count() >= 1
    visitor.close()
    # «Наступний випуск»: made, checked, and published in one action.
    page.goto(url + "/admin/")
    moderator.click("link", "Створити наступний випуск")
    moderator.screen("rollover")
    moderator.click("button", "Створити чернетку")
    page.get_by_text("Перевірте перед публікацією").first.wait_for()
    moderator.screen("checklist")
    page.locator("header").get_by_role("button", name="Дії").first.click()
    moderator.click("link", "Опублікувати випуск")
    moderator.screen("publish_edition")
    moderator.click("button", "Опублікувати випуск", within=page.locator("main"))
    moderator.saved()
    # «Створити випуск» from scratch, for a year with none.
    moderator.click("button", "Сторінки", within=moderator.sidebar)
    moderator.click("link", "Майстерня міста", within=moderator.sidebar)
    moderator.screen()
    moderator.click("link", "Додати дочірню сторінку", within=page.locator("header"))
    moderator.fill("Назва", "Майстерня міста Житомир 2030")
    moderator.fill("Місто", "Житомир")
    moderator.fill("Анонс", "Тиждень, коли мешканці, митці й міська рада разом змінюють місто.")
    moderator.fill("Дата початку", "10.06.2030")
    moderator.fill("Дата завершення", "15.06.2030")
    moderator.click("tab", "Місця проведення")
    moderator.click("button", "Додати місце проведення")
    venue = page.locator("[data-inline-panel-child]:visible").last
    moderator.fill("Назва", "Майдан Корольова", within=venue)
    moderator.fill("Адреса", "майдан Корольова, Житомир", within=venue)
    moderator.click("button", "Зберегти чернетку")
    moderator.saved()
    # «Вхід заблоковано»: the editor mistypes the password five times, and is locked
    # out; the moderator unlocks the account, and so its address (the editor signs in below).
    hurried = Walk(browser, url)
    for _attempt in range(5):
        hurried.sign_in(EDITOR[0], "guide-editor-pasword")
    hurried.page.get_by_role("heading", name=said("Вхід заблоковано")).wait_for()
    hurried.close()
    moderator.click("button", "Налаштування", within=moderator.sidebar)
    moderator.click("link", "Заблоковані входи", within=moderator.sidebar)
    moderator.screen()
    said("Розблокувати")  # each button says what it unlocks, to a screen reader too
    assert page.get_by_role("button", name="Розблокувати 127.0.0.1").count() == 1
    page.get_by_role("button", name=f"Розблокувати {EDITOR[0]}").click()
    moderator.saved()
    # The address's failures were all the account's: it is unlocked with it.
    assert page.get_by_role("button", name=re.compile("^Розблокувати")).count() == 0
    # The guide itself, from the help menu.
    moderator.click("button", "Допомога", within=moderator.sidebar)
    with moderator.context.expect_page() as opened:
        moderator.click("link", "Посібник редактора", within=page.locator("#wagtail-sidebar"))
    moderator.page = opened.value
    moderator.screen()
    assert moderator.page.get_by_role("heading", name="Посібник редактора").count() == 1
    moderator.close()

    # «Затвердження модераторами», step 4: the editor reads the request, makes the fix
    # and sends the page again.
    editor = Walk(browser, url, EDITOR)
    page = editor.page
    mine = page.locator("section").filter(
        has=page.get_by_role("heading", name=said("Ваші сторінки та уривки в робочих процесах"))
    )
    mine.get_by_role("link", name="Документи").click()
    editor.screen()
    page.locator("[data-side-panel-toggle=status]").click()
    editor.click("button", "Переглянути деталі")
    details = page.get_by_role("dialog").filter(visible=True)
    details.get_by_text(CHANGES_WANTED).wait_for()
    editor.screen()
    details.get_by_role("button", name="Закрити").click()
    plan = page.locator("[data-inline-panel-child]:visible").last
    editor.fill("Короткий опис", "Мапа майданчика: намети, сцена й укриття.", within=plan)
    editor.menu("Надіслати повторно в Затвердження модераторами")
    editor.saved()
    editor.close()


# The smallest PDF that readers open: one empty page.
PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def test_an_editor_and_a_moderator_do_every_task_of_the_guide(browser, served):
    site, url = served
    Walk.taken.clear()
    walk_the_guide(browser, url)
    # Each picture of the guide was taken on the way, and none that it does not show.
    shown = set(re.findall(r"\]\(img/([a-z0-9_]+)\.png\)", GUIDE_TEXT))
    assert set(Walk.taken) == shown
