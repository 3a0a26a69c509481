"""The admin an editor and a moderator of this site meet is in Ukrainian, every word of
it: a walk of every admin view they can reach, from the menu Wagtail builds for them
and the links of each screen, with the choosers and the bulk actions' confirmations,
reading what is shown, what a screen reader says and what the attributes hold, finds
no Latin-script word but a short allow-list. And Wagtail's, Django's and the project's
plural forms are Ukrainian ones."""

import gettext
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import django
import lxml.html
import polib
import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from wagtail.admin.menu import admin_menu
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Workflow

# Words that are right in Latin script: names (the product's, the languages' own, the
# social networks', the demo content's partners and map) and the file formats an upload
# or an export names. Addresses (URLs, e-mail addresses, file names), versions and image
# sizes are taken out before.
ALLOWED = {
    "Wagtail",
    "JavaScript",
    "English",
    "OpenStreetMap",
    "Facebook",
    "Instagram",
    *["Deutsche", "Gesellschaft", "für", "Internationale", "Zusammenarbeit", "GIZ", "GmbH"],
    *["GIF", "JPG", "JPEG", "PNG", "WEBP", "WebP", "CSV", "XLSX", "PDF", "DOC", "DOCX"],
    *["ODT", "ODS", "XLS", "PPT", "PPTX", "RTF", "TXT", "ZIP", "QR", "JSON"],
    # The open data's licences, by their own names (site settings, the editor guide).
    *["Creative", "Commons", "CC", "BY", "SA", "Zero", "ODbL"],
    # The spreadsheets the editor guide says the exports open in.
    "Excel",
    "LibreOffice",
}

# Attributes whose values are read out or shown: tooltips, labels, placeholders, alt
# text, Wagtail's tooltips, and the value of a button.
SHOWN_ATTRIBUTES = (
    "title",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "placeholder",
    "alt",
    "data-w-tooltip-content-value",
)
BUTTON_TYPES = {"submit", "button", "reset"}

ADDRESS = re.compile(
    r"""(?:[a-z][a-z0-9+.-]*:)?//\S+       # a URL
    | \S+@\S+                              # an e-mail address
    | (?<![\w])/[\w./%?=&#+~-]*            # a path
    | \b[\w.-]+\.(?:pdf|docx?|xlsx?|csv|odt|ods|jpe?g|png|gif|webp|svg|txt|zip|ics|xml|json)\b
    | \b[\w-]+\.(?:com|org|net|ua|gov\.ua|com\.ua)\b  # a domain
    | \b\d+x\d+\b                                   # an image's size
    | \bv\d+(?:\.\d+)*\b                             # a version
    """,
    re.IGNORECASE | re.VERBOSE,
)
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'’]*")
TAG = re.compile(r"<[^>]*>")

# Views that are not admin screens: the public page, a file, signing out.
NOT_SCREENS = {
    "wagtailadmin_logout",
    "wagtailadmin_pages:view_draft",
    "wagtailadmin_pages:preview_on_edit",
    "wagtailadmin_pages:preview_on_add",
    "wagtailadmin_pages:revisions_view",
    "wagtailadmin_pages:workflow_preview",
    "wagtaildocs_serve",
    "wagtailimages_serve",
}


def latin_words(text):
    text = ADDRESS.sub(" ", TAG.sub(" ", text))
    return {word for word in LATIN_WORD.findall(text) if word not in ALLOWED}


def screen_texts(markup):
    """What a page shows and says: its text (hidden and screen-reader text included,
    the inline panels' <template>s too), the shown attributes, the buttons' values, and
    the labels of the sidebar, which Wagtail sends as JSON."""
    tree = lxml.html.fromstring(markup)
    texts = []
    for script in tree.xpath("//script[@id='wagtail-sidebar-props']"):
        texts += sidebar_labels(json.loads(script.text))
    # Not words: code (scripts, styles, and what the editor guide quotes as typed: an
    # address, a slug), the keys of keyboard shortcuts, the side panel's comment
    # counter, which script fills before showing it, the date picker's button for a
    # range of dates, which its script keeps hidden (Wagtail picks one date), and the
    # fallback markup inside the preview's <iframe>, which a browser never shows; and
    # what the page marks as no language's words (an account's name, an address).
    for element in tree.xpath(
        "//script|//style|//code|//kbd|//*[@translate='no']|//*[@data-side-panel-toggle-counter]"
        "|//button[contains(@class, 'xdsoft_save_selected')]|//iframe"
    ):
        element.drop_tree()
    texts += [text.strip() for text in tree.itertext() if text.strip()]
    for name in SHOWN_ATTRIBUTES:
        texts += tree.xpath(f"//@{name}")
    texts += tree.xpath("//input[@type='submit' or @type='button' or @type='reset']/@value")
    texts += tree.xpath("//button/@value[not(../@name)]")
    return texts


def sidebar_labels(data):
    """The labels of the sidebar's telepath data: strings but its types, names, icons,
    addresses, attributes and HTTP methods."""
    if isinstance(data, dict):
        return [
            label
            for key, value in data.items()
            if key not in {"_type", "attrs", "classname", "icon_name", "method"}
            for label in sidebar_labels(value)
        ]
    if isinstance(data, list):
        return [label for value in data for label in sidebar_labels(value)]
    if isinstance(data, str) and not re.fullmatch(
        r"[a-z0-9_.:-]*|[/#?].*|.*\.(svg|png)|GET|POST|wagtail\..*", data
    ):
        return [data]
    return []


def menu_urls(user):
    """The addresses of Wagtail's menu for this user, submenus included."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls, menus = [], [admin_menu]
    while menus:
        for item in menus.pop().menu_items_for_request(request):
            if hasattr(item, "menu"):
                menus.append(item.menu)
            else:
                urls.append(item.url)
    return urls


def chooser_and_bulk_urls(edition):
    """What a screen opens by script rather than by link: the choosers (from the URL
    resolver: every view named «chooser» or «choose»), and the confirmation of every
    registered bulk action, for one of the edition's rows."""
    from django.urls import get_resolver

    urls = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif (
                pattern.name
                and ("choose" in pattern.name or "chooser" in namespace)
                and not pattern.pattern.converters
            ):
                urls.append(reverse(namespace + pattern.name))

    walk(get_resolver().url_patterns)
    urls.append(reverse("wagtailadmin_choose_page_child", args=[edition.pk]))
    objects = {
        ("wagtailcore", "page"): edition.pk,  # with subpages: «include descendants»
        ("wagtailimages", "image"): get_image_model().objects.first().pk,
        ("wagtaildocs", "document"): get_document_model().objects.first().pk,
    }
    for (app_label, model_name), pk in objects.items():
        for action in bulk_action_registry.get_bulk_actions_for_model(app_label, model_name):
            url = reverse("wagtail_bulk_action", args=[app_label, model_name, action.action_type])
            urls.append(f"{url}?id={pk}")
    return urls


def search_and_workflow_urls(page):
    """The screens behind a query or a script: the searches' results, and the dialogs
    of the page in moderation (approve and reject with a comment, cancel)."""
    urls = [
        reverse("wagtailadmin_pages:search") + "?q=Майстерня",
        reverse("wagtailimages:index") + "?q=логотип",
        reverse("wagtaildocs:index") + "?q=план",
    ]
    state = page.current_workflow_state
    task_state = state.current_task_state
    for action in ("approve", "reject"):
        urls.append(
            reverse(
                "wagtailadmin_pages:collect_workflow_action_data",
                args=[page.pk, action, task_state.pk],
            )
        )
    urls.append(reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=[page.pk]))
    return urls


# The views whose screen differs with the page's type (its panels, its child types);
# any other is seen once.
BY_PAGE_TYPE = {
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:add",
    "wagtailadmin_pages:add_subpage",
    "wagtailadmin_explore",
}


def view_key(url):
    """One visit per view (and page type, where that changes the screen), and per
    query of the searches and bulk actions."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name in NOT_SCREENS or not urlsplit(url).path.startswith("/admin/"):
        return None
    kwargs = {"query": urlsplit(url).query}
    if match.view_name in BY_PAGE_TYPE:
        kwargs |= {key: value for key, value in match.kwargs.items() if not str(value).isdigit()}
        page_ids = [
            match.kwargs[key] for key in ("page_id", "parent_page_id") if key in match.kwargs
        ]
        for page_id in page_ids + list(match.args[:1]):
            page = Page.objects.filter(pk=page_id).first()
            kwargs["page"] = page and page.specific_class.__name__
    return match.view_name, tuple(sorted(kwargs.items()))


def walk(client, start):
    """Every admin screen reachable from `start` by links and redirects, once per view:
    {url: texts}."""
    seen, queue, screens = set(), list(start), {}
    while queue:
        url = queue.pop(0)
        key = view_key(url)
        if key is None or key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code in (301, 302):
            # A view that sends on to another (Wagtail's settings to the site's own,
            # the choice of one page type to its form) is seen there.
            seen.discard(key)
            queue.insert(0, urlsplit(response["Location"]).path)
            continue
        if response.status_code != 200:
            continue
        markup = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            markup = json.loads(markup).get("html") or ""
        elif not response["Content-Type"].startswith("text/html"):
            continue
        if not markup.strip():
            continue
        screens[url] = screen_texts(markup)
        for href in lxml.html.fromstring(markup).xpath("//a/@href"):
            path = urlsplit(href)
            if path.path.startswith("/admin/") and not path.query:
                queue.append(path.path)
    return screens


@pytest.fixture(scope="module")
def demo(module_demo):
    return module_demo


@pytest.fixture
def site(demo, db, django_user_model):
    """The demo edition with a registration in its form and a page in moderation."""
    from events.models import EditionPage

    edition = EditionPage.objects.live().order_by("-start_date").first()
    form = edition.registration_page
    answers = {field.clean_name: "Так" for field in form.get_form_fields()}
    answers |= {"name": "Олена Петрук", "email": "olena@example.com"}
    form.get_submission_class().objects.create(
        page=form, form_data=answers, consented_at=timezone.now()
    )
    editor = django_user_model.objects.create_user("редакторка", "r@example.com", "x")
    editor.groups.add(Group.objects.get(name="Редактори"))
    moderator = django_user_model.objects.create_user("модераторка", "m@example.com", "x")
    moderator.groups.add(Group.objects.get(name="Модератори"))
    page = edition.get_children().live().specific().first()
    Workflow.objects.get(name="Затвердження модераторами").start(page, editor)
    return edition, editor, moderator, page


# What the walk must have reached, lest a change of the menu or the links hide a part
# of the admin from it: listings, edit and create forms, choosers, a bulk action's
# confirmation, the workflow, reports, settings, forms and their submissions, search.
EVERY_ROLE_SEES = {
    "wagtailadmin_home",
    "wagtailadmin_explore",
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:add",
    "wagtailadmin_pages:history",
    "wagtailadmin_pages:search",
    "wagtailadmin_pages:workflow_history",
    "wagtailadmin_pages:confirm_workflow_cancellation",
    "wagtailadmin_choose_page",
    "wagtailadmin_choose_page_external_link",
    "wagtailimages_chooser:choose",
    "wagtaildocs_chooser:choose",
    "wagtail_bulk_action",
    "wagtailimages:index",
    "wagtailimages:edit",
    "wagtailimages:add_multiple",
    "wagtaildocs:index",
    "wagtaildocs:edit",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:aging_pages",
    "wagtailforms:index",
    "wagtailforms:list_submissions",
    "wagtailadmin_account",
}
MODERATOR_SEES = {
    "wagtailadmin_pages:collect_workflow_action_data",
    "wagtailadmin_pages:unpublish",
    "wagtailadmin_pages:delete",
    "wagtailsettings:edit",
    "login_lockouts",
    "urgent_notice",
}


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_every_admin_screen_is_in_ukrainian(site, client, role):
    edition, editor, moderator, in_moderation = site
    user = editor if role == "editor" else moderator
    client.force_login(user)
    with translation.override("uk"):
        start = [
            "/admin/",
            *menu_urls(user),
            *chooser_and_bulk_urls(edition),
            *search_and_workflow_urls(in_moderation),
        ]
    screens = walk(client, start)
    seen = {resolve(urlsplit(url).path).view_name for url in screens}
    assert seen >= EVERY_ROLE_SEES, sorted(EVERY_ROLE_SEES - seen)
    if role == "moderator":
        assert seen >= MODERATOR_SEES, sorted(MODERATOR_SEES - seen)
    found = {}
    for url, texts in screens.items():
        words = {word for text in texts for word in latin_words(text)}
        if words:
            found[url] = sorted(words)
    assert found == {}


def test_the_check_finds_english_where_it_is():
    texts = screen_texts(
        '<html><body><h1>Сторінки</h1><span class="w-sr-only">Actions</span>'
        '<input placeholder="Пошук"><button title="Include descendants">+</button>'
        '<input type="submit" value="Зберегти"><p>Пишіть на x@example.com, '
        "https://example.com/2017/ або /admin/pages/, файл plan-2017.pdf</p></body></html>"
    )
    assert {word for text in texts for word in latin_words(text)} == {
        "Actions",
        "Include",
        "descendants",
    }


# The findings, each as the admin now says it (Wagtail's text, then ours).
REPORTED = [
    (
        ("Enter your %(username_field_name)s",),
        {"username_field_name": "ім'я користувача"},
        "Введіть ім'я користувача",
    ),
    (("Account",), {}, "Обліковий запис"),
    (
        ("Used %(usage_count)s time", "Used %(usage_count)s times", 3),
        {"usage_count": 3},
        "Використано 3 рази",
    ),
    (("Delete selected submissions",), {}, "Видалити вибрані заявки"),
    (("Form data",), {}, "Заявки"),
    (("Sign in to Wagtail",), {}, "Вхід у Wagtail"),
    (("%(objects)s pages selected",), {"objects": 8}, "Обрано сторінок: 8"),
]


@pytest.mark.parametrize(("message", "values", "ukrainian"), REPORTED)
def test_the_reported_mistakes_are_corrected(message, values, ukrainian):
    with translation.override("uk"):
        if len(message) == 3:
            text = translation.ngettext(*message)
        else:
            text = translation.gettext(*message)
    assert text % values == ukrainian


def test_every_inline_panel_says_what_it_adds_in_the_accusative(admin_client, site):
    """«Додати подію», not «Додати Подія»: each add button of the project's inline
    panels, on the page types that have them."""
    from documents.models import DocumentsPage
    from events.models import DayPage, RegistrationFormPage

    edition = site[0]
    pages = [
        (edition, ["Додати місце проведення", "Додати партнера", "Додати посилання"]),
        (DayPage.objects.child_of(edition.programme_page).first(), ["Додати подію"]),
        (RegistrationFormPage.objects.descendant_of(edition).first(), ["Додати поле"]),
        (DocumentsPage.objects.descendant_of(edition).first(), ["Додати документ"]),
    ]
    for page, buttons in pages:
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        tree = lxml.html.fromstring(response.content.decode())
        shown = {
            " ".join(button.text_content().split())
            for button in tree.xpath("//button[contains(@id, '-ADD')]")
        }
        assert shown == set(buttons), page


def test_the_login_screen_is_in_ukrainian(client, db):
    texts = screen_texts(client.get("/admin/login/").content.decode())
    assert "Пароль" in " ".join(texts)
    assert {word for text in texts for word in latin_words(text)} == set()


def test_the_workflow_screens_are_in_ukrainian_for_an_administrator(admin_client, db):
    for url in ("/admin/workflows/list/", "/admin/workflows/tasks/index/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        texts = screen_texts(response.content.decode())
        assert {word for text in texts for word in latin_words(text)} == set(), url
    assert "Затвердження модераторами" in " ".join(texts)


# Ukrainian's plural rule, as CLDR gives it: one (1, 21, 101, 121), few (2–4, 22–24),
# many (0, 5–20, 25, 111).
COUNTS = [*range(26), 101, 111, 121]
ONE, FEW, MANY = 0, 1, 2

# The nouns the admin counts (inanimate: an animate noun's accusative is its genitive,
# which a number leaves open), each as: its singular forms after «1» (nominative,
# accusative), the nominative plural after 2–4, the genitive plural after 5–20, and
# the genitive singular after a preposition that governs the genitive and «1».
NOUNS = {
    "сторінка": ({"сторінка", "сторінку"}, "сторінки", "сторінок", "сторінки"),
    "підсторінка": ({"підсторінка", "підсторінку"}, "підсторінки", "підсторінок", "підсторінки"),
    "документ": ({"документ"}, "документи", "документів", "документа"),
    "зображення": ({"зображення"}, "зображення", "зображень", "зображення"),
    "подання": ({"подання"}, "подання", "подань", "подання"),
    "переклад": ({"переклад"}, "переклади", "перекладів", "перекладу"),
    "колекція": ({"колекція", "колекцію"}, "колекції", "колекцій", "колекції"),
    "перенаправлення": (
        {"перенаправлення"},
        "перенаправлення",
        "перенаправлень",
        "перенаправлення",
    ),
    "раз": ({"раз"}, "рази", "разів", "разу"),
    "символ": ({"символ"}, "символи", "символів", "символу"),
    "цифра": ({"цифра", "цифру"}, "цифри", "цифр", "цифри"),
    "елемент": ({"елемент"}, "елементи", "елементів", "елемента"),
    "пункт": ({"пункт"}, "пункти", "пунктів", "пункту"),
    "результат": ({"результат"}, "результати", "результатів", "результату"),
    "форма": ({"форма", "форму"}, "форми", "форм", "форми"),
    "подія": ({"подія", "подію"}, "події", "подій", "події"),
    "місце": ({"місце"}, "місця", "місць", "місця"),
    "помилка": ({"помилка", "помилку"}, "помилки", "помилок", "помилки"),
    "спроба": ({"спроба", "спробу"}, "спроби", "спроб", "спроби"),
    "слово": ({"слово"}, "слова", "слів", "слова"),
    "лист": ({"лист"}, "листи", "листів", "листа"),
    "тип": ({"тип"}, "типи", "типів", "типу"),
    "байт": ({"байт"}, "байти", "байтів", "байта"),
    "секунда": ({"секунда", "секунду"}, "секунди", "секунд", "секунди"),
    "хвилина": ({"хвилина", "хвилину"}, "хвилини", "хвилин", "хвилини"),
    "година": ({"година", "годину"}, "години", "годин", "години"),
    "день": ({"день"}, "дні", "днів", "дня"),
    "тиждень": ({"тиждень"}, "тижні", "тижнів", "тижня"),
    "місяць": ({"місяць"}, "місяці", "місяців", "місяця"),
    "рік": ({"рік"}, "роки", "років", "року"),
}
FORMS = {
    form: noun
    for noun, (singular, few, many, genitive) in NOUNS.items()
    for form in (*singular, few, many, genitive)
}
GENITIVE_PREPOSITIONS = {"з", "із", "зі", "до", "від", "для", "понад", "близько", "серед", "після"}
# A number, the word before it, an adjective or participle between it and its noun
# («22 дочірні сторінки», «5 вибраних документів»), and the noun.
COUNTED = re.compile(
    r"(?:(\w+)\s+)?\b(\d+)\s+(?:\w+(?:их|і|ий|у|а|е|ої|ого)\s+)?(\w+)", re.IGNORECASE
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\$\{\w+\}")


def category(n):
    if n % 10 == 1 and n % 100 != 11:
        return ONE
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return FEW
    return MANY


def agreement_errors(text, n):
    """The nouns after the number n in text that are not in the form n asks for."""
    errors = []
    for before, number, word in COUNTED.findall(text):
        noun = FORMS.get(word.lower())
        if int(number) != n or noun is None:
            continue
        singular, few, many, genitive = NOUNS[noun]
        if before.lower() in GENITIVE_PREPOSITIONS:
            right = {genitive} if category(n) == ONE else {many}
        else:
            right = (singular, {few}, {many})[category(n)]
        if word.lower() not in right:
            errors.append(f"{number} {word} (not {'/'.join(sorted(right))})")
    return errors


def catalogue_paths():
    """The .po files of every catalogue Django loads for the admin: the installed apps'
    (Wagtail's, Django's admin and auth, taggit's), Django's own (forms, validators)
    and LOCALE_PATHS (ours and locale_admin)."""
    from django.apps import apps
    from django.conf import settings

    roots = [Path(path) for path in settings.LOCALE_PATHS]
    roots += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    roots.append(Path(django.__file__).parent / "conf" / "locale")
    return [path for root in roots for path in sorted((root / "uk" / "LC_MESSAGES").glob("*.po"))]


def plural_messages():
    """(domain, msgctxt, msgid, msgid_plural) of every plural entry of those files."""
    messages = set()
    for path in catalogue_paths():
        for entry in polib.pofile(str(path)):
            if entry.msgid_plural and not entry.obsolete:
                messages.add((path.stem, entry.msgctxt, entry.msgid, entry.msgid_plural))
    return sorted(messages, key=lambda message: tuple(part or "" for part in message))


def rendered(catalogues, domain, context, singular, plural, n):
    """The message for n as the admin shows it: through Django's merged catalogue of the
    domain (locale_admin's and ours before the apps'), its placeholders filled with n."""
    catalogue = catalogues[domain]
    if context:
        text = catalogue.npgettext(context, singular, plural, n)
    else:
        text = catalogue.ngettext(singular, plural, n)
    return PLACEHOLDER.sub(str(n), text)


@pytest.fixture(scope="module")
def catalogues():
    from django.utils.translation.trans_real import DjangoTranslation

    return {"django": DjangoTranslation("uk"), "djangojs": DjangoTranslation("uk", "djangojs")}


def test_every_catalogue_has_ukrainians_plural_rule():
    """Its Plural-Forms expression picks one, few and many as Ukrainian does (Wagtail's
    and Django's four-form rule, or the three-form one)."""
    paths = catalogue_paths()
    assert any("locale_admin" in str(path) for path in paths)
    assert any("wagtail" in str(path) for path in paths)
    for path in paths:
        header = polib.pofile(str(path)).metadata.get("Plural-Forms", "")
        plural = gettext.c2py(header.split("plural=", 1)[1].strip().rstrip(";"))
        assert [plural(n) for n in COUNTS] == [category(n) for n in COUNTS], path


def test_every_plural_message_is_in_ukrainian_for_every_count(catalogues):
    """No count falls back to the English (as an empty msgstr[n] does), and where the
    English shows the number, so does the Ukrainian for every count but 1: Ukrainian's
    «one» form serves 21 and 101 too, so «Одне подання» cannot be its text."""
    english, numberless = [], []
    for domain, context, singular, plural in plural_messages():
        for n in COUNTS:
            text = rendered(catalogues, domain, context, singular, plural, n)
            if text in {PLACEHOLDER.sub(str(n), singular), PLACEHOLDER.sub(str(n), plural)}:
                english.append(f"{singular!r} for {n}")
                break
            if n != 1 and PLACEHOLDER.search(plural) and not re.search(rf"\b{n}\b", text):
                numberless.append(f"{singular!r} for {n}: {text!r}")
                break
    assert english == []
    assert numberless == [], "\n".join(numberless)


def test_every_count_agrees_with_its_noun(catalogues):
    """Each plural message rendered for 0–25, 101, 111, 121: the noun after the number
    is in the form that number asks for («8 сторінок», never «8 сторінки»)."""
    wrong, checked = [], 0
    for domain, context, singular, plural in plural_messages():
        for n in COUNTS:
            text = rendered(catalogues, domain, context, singular, plural, n)
            checked += bool(COUNTED.search(text))
            if errors := agreement_errors(text, n):
                wrong.append(f"{singular!r}: {text!r}: {', '.join(errors)}")
    assert checked > 1000
    assert wrong == [], "\n".join(wrong)


# A placeholder that holds a count, by its name, in Python's and in JavaScript's style.
COUNT_PLACEHOLDER = (
    r"(?:%\(\w*(?:count|counter|num|total|objects)\w*\)[sd]|%d|\$\{\w*(?:count|num|total)\w*\})"
)
COUNT_THEN_NOUN = re.compile(
    COUNT_PLACEHOLDER + r"\s+(?:\w+(?:их|і|ий|у|а|е|ої|ого)\s+)?(\w+)", re.IGNORECASE
)


def test_no_message_without_plural_forms_puts_a_noun_after_its_count(catalogues):
    """A message Wagtail gives one form only («%(objects)s pages selected») must read
    right for any number, so its Ukrainian names the thing before the count («Обрано
    сторінок: 8»): «Обрано 2 сторінок» is as wrong as «8 сторінки»."""
    wrong = set()
    for path in catalogue_paths():
        for entry in polib.pofile(str(path)):
            if entry.msgid_plural or entry.obsolete:
                continue
            if not re.search(COUNT_PLACEHOLDER, entry.msgid, re.IGNORECASE):
                continue
            catalogue = catalogues[path.stem]
            text = (
                catalogue.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else catalogue.gettext(entry.msgid)
            )
            if any(word.lower() in FORMS for word in COUNT_THEN_NOUN.findall(text)):
                wrong.add(f"{entry.msgid!r}: {text!r}")
    assert sorted(wrong) == []


@pytest.mark.parametrize(
    ("text", "n", "errors"),
    [
        ("8 сторінки", 8, ["8 сторінки (not сторінок)"]),
        ("6 сторінки", 6, ["6 сторінки (not сторінок)"]),
        ("8 сторінок", 8, []),
        ("21 сторінка", 21, []),
        ("21 сторінок", 21, ["21 сторінок (not сторінка/сторінку)"]),
        ("Перемістити 22 сторінки", 22, []),
        ("Перемістити 22 сторінок", 22, ["22 сторінок (not сторінки)"]),
        ("111 документів", 111, []),
        ("111 документ", 111, ["111 документ (not документів)"]),
        ("Додати теги до 22 документів", 22, []),
        ("щонайменше з 1 символу", 1, []),
        ("22 дочірні сторінки", 22, []),
        ("5 вибраних документи", 5, ["5 документи (not документів)"]),
        ("Використано 3 рази", 3, []),
        ("Обрано 3 з 7", 3, []),
    ],
)
def test_the_agreement_check_tells_right_from_wrong(text, n, errors):
    assert agreement_errors(text, n) == errors


def test_the_single_form_check_tells_right_from_wrong():
    assert COUNT_THEN_NOUN.findall("Обрано %(objects)s сторінок") == ["сторінок"]
    assert COUNT_THEN_NOUN.findall("Обрано всі %(objects)s сторінок на екрані") == ["сторінок"]
    assert [w for w in COUNT_THEN_NOUN.findall("Обрано сторінок: %(objects)s") if w in FORMS] == []


# The project's copies of Wagtail's templates (templates/), each with the lines of
# Wagtail's own that it changes. Wagtail's file is read from the installed package.
WAGTAIL_TEMPLATE_COPIES = {
    "wagtailadmin/home.html": ("admin", ['value="Search"']),
    "wagtailadmin/home/account_summary.html": (
        "admin",
        ["editor_guide_link", "wagtail_version", "blocktrans", "editor guide", "endblocktrans"],
    ),
    "wagtailadmin/shared/header.html": ("admin", ['value="Search"']),
    "wagtailadmin/shared/headers/_actions.html": ("admin", ['aria-label="Actions"']),
    "wagtailadmin/shared/pagination_nav.html": ("admin", ["items_count_label"]),
    "wagtailadmin/reports/listing/_list_page_types_usage.html": (
        "admin",
        [
            '<col width="20%"',
            "app-label",
            "'App'",
            "page_type.name|title",
            "app-label",
            "app_label",
        ],
    ),
    "wagtailadmin/shared/user_avatar.html": (
        "admin",
        ["{% load wagtailadmin_tags %}", "{% if not username %}"],
    ),
    "wagtailforms/content_type_column.html": ("contrib/forms", ["value.app_label"]),
    "wagtailforms/list_submissions.html": ("contrib/forms", []),
}


@pytest.mark.parametrize("name", sorted(WAGTAIL_TEMPLATE_COPIES))
def test_each_copy_of_a_wagtail_template_differs_from_wagtail_s_only_where_it_means_to(name):
    """After an upgrade of Wagtail, a copy that no longer matches the new template
    (Wagtail changed other lines of it) fails here: copy Wagtail's again and redo the
    change."""
    import wagtail

    app, changed = WAGTAIL_TEMPLATE_COPIES[name]
    upstream = Path(wagtail.__file__).parent / app / "templates" / name
    ours = Path(__file__).resolve().parents[1] / "templates" / name
    kept = set(ours.read_text(encoding="utf-8").splitlines())
    replaced = [
        line for line in upstream.read_text(encoding="utf-8").splitlines() if line not in kept
    ]
    assert len(replaced) == len(changed), replaced
    for line, fragment in zip(replaced, changed, strict=True):
        assert fragment in line, (line, fragment)
