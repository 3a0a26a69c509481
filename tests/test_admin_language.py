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

import lxml.html
import polib
import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from wagtail.admin.menu import admin_menu
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Workflow

# Words that are right in Latin script: names (the product's, the languages' own, the
# demo content's partners and map), and the file formats an upload accepts. Addresses
# (URLs, e-mail addresses, file names) and image sizes are taken out before.
ALLOWED = {
    "Wagtail",
    "JavaScript",
    "English",
    "OpenStreetMap",
    *["Deutsche", "Gesellschaft", "für", "Internationale", "Zusammenarbeit", "GIZ", "GmbH"],
    *["GIF", "JPG", "JPEG", "PNG", "WEBP", "CSV", "XLSX"],
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
    # Not words: code, the keys of keyboard shortcuts, the time zones' IANA names, and
    # the page types report's column of model code names (a report for developers),
    # and the side panel's comment counter, which script fills before showing it.
    for element in tree.xpath(
        "//script|//style|//kbd|//select[contains(@name, 'time_zone')]"
        "|//td[@class='app-label']|//*[@data-side-panel-toggle-counter]"
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
        ("wagtailcore", "page"): edition.get_children().first().pk,
        ("wagtailimages", "image"): get_image_model().objects.first().pk,
        ("wagtaildocs", "document"): get_document_model().objects.first().pk,
    }
    for (app_label, model_name), pk in objects.items():
        for action in bulk_action_registry.get_bulk_actions_for_model(app_label, model_name):
            url = reverse("wagtail_bulk_action", args=[app_label, model_name, action.action_type])
            urls.append(f"{url}?id={pk}")
    return urls


def view_key(url):
    """One visit per view and page type: the listing of every page is one screen."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name in NOT_SCREENS or not urlsplit(url).path.startswith("/admin/"):
        return None
    kwargs = {key: value for key, value in match.kwargs.items() if not str(value).isdigit()}
    for key in ("page_id", "parent_page_id"):
        if key in match.kwargs:
            page = Page.objects.filter(pk=match.kwargs[key]).first()
            kwargs[key] = page and page.specific_class.__name__
    if match.view_name.startswith("wagtailadmin_pages:") and match.args:
        page = Page.objects.filter(pk=match.args[0]).first()
        kwargs["page"] = page and page.specific_class.__name__
    if match.view_name == "wagtail_bulk_action":
        kwargs["query"] = urlsplit(url).query
    return match.view_name, tuple(sorted(kwargs.items()))


def walk(client, start):
    """Every admin screen reachable from `start` by links, once per view: {url: texts}."""
    seen, queue, screens = set(), list(start), {}
    while queue:
        url = queue.pop(0)
        key = view_key(url)
        if key is None or key in seen:
            continue
        seen.add(key)
        response = client.get(url)
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
    form.get_submission_class().objects.create(page=form, form_data=answers)
    editor = django_user_model.objects.create_user("редакторка", "r@example.com", "x")
    editor.groups.add(Group.objects.get(name="Редактори"))
    moderator = django_user_model.objects.create_user("модераторка", "m@example.com", "x")
    moderator.groups.add(Group.objects.get(name="Модератори"))
    page = edition.get_children().live().specific().first()
    Workflow.objects.get(name="Затвердження модераторами").start(page, editor)
    return edition, editor, moderator


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_every_admin_screen_is_in_ukrainian(site, client, role):
    edition, editor, moderator = site
    user = editor if role == "editor" else moderator
    client.force_login(user)
    with translation.override("uk"):
        start = ["/admin/", *menu_urls(user), *chooser_and_bulk_urls(edition)]
    screens = walk(client, start)
    assert len(screens) > 40, sorted(screens)
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


# Ukrainian's plural rule: one (1, 21, 101, 121), few (2–4, 22–24), many (0, 5–20, 25,
# 111), as CLDR gives it; and the nouns the admin counts, in those three forms.
COUNTS = [*range(26), 101, 111, 121]
NOUNS = [
    ("сторінка", "сторінки", "сторінок"),
    ("сторінку", "сторінки", "сторінок"),
    ("підсторінка", "підсторінки", "підсторінок"),
    ("підсторінку", "підсторінки", "підсторінок"),
    ("документ", "документи", "документів"),
    ("зображення", "зображення", "зображень"),
    ("подання", "подання", "подань"),
    ("раз", "рази", "разів"),
    ("цифра", "цифри", "цифр"),
    ("елемент", "елементи", "елементів"),
    ("хвилина", "хвилини", "хвилин"),
    ("хвилину", "хвилини", "хвилин"),
    ("секунду", "секунди", "секунд"),
    ("годину", "години", "годин"),
    ("день", "дні", "днів"),
    ("рядок", "рядки", "рядків"),
    ("подія", "події", "подій"),
    ("співпадіння", "співпадіння", "співпадінь"),
    ("збіг", "збіги", "збігів"),
    ("перенаправлення", "перенаправлення", "перенаправлень"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def category(n):
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def plural_entries():
    """The plural entries of every catalogue Django loads for the admin: the installed
    apps' (Wagtail's, Django's admin, auth and forms) and LOCALE_PATHS (ours)."""
    from django.apps import apps
    from django.conf import settings

    roots = [Path(app.path) / "locale" for app in apps.get_app_configs()]
    roots += [Path(path) for path in settings.LOCALE_PATHS]
    roots.append(Path(translation.__file__).parents[1] / "conf" / "locale")
    for root in roots:
        for path in sorted((root / "uk" / "LC_MESSAGES").glob("django.po")):
            catalogue = polib.pofile(str(path))
            yield path, catalogue, [entry for entry in catalogue if entry.msgid_plural]


def test_every_catalogue_has_ukrainians_plural_rule():
    """Its Plural-Forms expression picks one, few and many as Ukrainian does (the
    four-form rule of Wagtail's and Django's, or the three-form one)."""
    for path, catalogue, _entries in plural_entries():
        rule = catalogue.metadata.get("Plural-Forms", "").split("plural=", 1)[1].rstrip(";")
        plural = gettext.c2py(rule)
        assert [plural(n) for n in COUNTS] == [category(n) for n in COUNTS], path


def test_every_count_agrees_with_its_noun():
    """Each plural message rendered for 0–25, 101, 111, 121 as the admin renders it
    (Django's merged catalogues, locale_admin first): the noun after the number is in
    the form of that number's category («8 сторінок», never «8 сторінки»)."""
    forms = {form: index for nouns in NOUNS for index, form in enumerate(nouns)}
    ambiguous = {form for nouns in NOUNS for form in nouns if len(set(nouns)) < 3}
    # The number and the noun after it, unless a preposition governs their case
    # («до 22 документів» is right).
    counted = re.compile(r"(?:(\w+)\s+)?(\d+)\s+(?:\w+\s+)?(\w+)")
    prepositions = {"до", "з", "із", "зі", "від", "для", "понад", "близько", "серед", "за"}
    wrong, checked = set(), 0
    with translation.override("uk"):
        for _path, _catalogue, entries in plural_entries():
            for entry in entries:
                for n in COUNTS:
                    if entry.msgctxt:
                        text = translation.npgettext(
                            entry.msgctxt, entry.msgid, entry.msgid_plural, n
                        )
                    else:
                        text = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    text = PLACEHOLDER.sub(str(n), text)
                    for before, number, word in counted.findall(text):
                        if int(number) != n or word not in forms or before in prepositions:
                            continue
                        checked += 1
                        expected = category(n)
                        nouns = next(nouns for nouns in NOUNS if word in nouns)
                        if word != nouns[expected] and not (
                            word in ambiguous and nouns[expected] == word
                        ):
                            wrong.add(f"{entry.msgid!r} for {n}: {text}")
    assert checked > 500
    assert sorted(wrong) == []


def test_the_plural_check_catches_a_wrong_form():
    assert category(8) == 2 and category(22) == 1 and category(111) == 2 and category(121) == 0
    forms = dict(zip(("one", "few", "many"), NOUNS[0], strict=True))
    assert forms["many"] == "сторінок" != "сторінки"
