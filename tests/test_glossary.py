"""The project's Ukrainian follows docs/glossary.md: each thing has one word, used
throughout the catalogue, and the words the glossary rules out are nowhere in it."""

import re

import polib

from tests.helpers import ROOT

GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "locale" / "uk" / "LC_MESSAGES" / "django.po"
ENDINGS = "аеєиіїйоуюяь"


def glossary():
    """(English, the word, the words not to use) for each row of the table."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English (code, docs)", "---"):
            continue
        avoid = [] if cells[2] == "—" else [word.strip() for word in cells[2].split(",")]
        rows.append((cells[0], cells[1], avoid))
    return rows


def stem(word):
    """A word's stem and how long an ending it takes: without its final vowel; a long
    word (a verb's «опублікувати», «опубліковано») by its first seven letters."""
    base = word.rstrip(ENDINGS) if len(word) > 4 else word
    if len(base) > 7:
        return re.escape(base[:7]) + r"\w{0,6}"
    return re.escape(base) + r"\w{0,4}"


def pattern(word):
    """A word (or words) in any of its forms, and not a longer word that starts the
    same («тема», not «тематичний»)."""
    return re.compile(
        r"(?<!\w)" + r"\s+".join(stem(part) for part in word.lower().split()) + r"(?!\w)",
        re.I,
    )


def translations():
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue:
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                yield entry.msgid, text


def test_the_glossary_has_its_table():
    rows = glossary()
    assert len(rows) >= 12
    assert ("session", "подія", ["сесія", "івент", "захід"]) in rows


def test_the_catalogue_uses_the_glossary_s_words_only():
    texts = list(translations())
    unused = []
    misused = []
    for english, word, avoid in glossary():
        if not any(pattern(word).search(text) for _, text in texts):
            unused.append((english, word))
        for other in avoid:
            misused += [(other, msgid) for msgid, text in texts if pattern(other).search(text)]
    assert misused == []
    assert unused == []


def test_the_word_patterns_find_the_forms_and_only_the_word():
    assert pattern("напрям").search("Події цього напряму")
    assert pattern("подія").search("Подій цього дня немає")
    assert pattern("наступний випуск").search("Створити наступний випуск")
    assert pattern("опублікувати").search("Опубліковано 12 червня")
    assert not pattern("тема").search("Система")
    assert not pattern("тема").search("тематичний напрям")


def test_the_editor_guide_uses_the_glossary_s_words_only():
    """docs/editor-guide.md, which the press office reads in the admin, calls each thing
    as the screens do; «тема» only in an e-mail's («тема листа», «теми листів»)."""
    guide = (ROOT / "docs" / "editor-guide.md").read_text(encoding="utf-8")
    misused = [
        (other, line)
        for line in guide.splitlines()
        for _, _, avoid in glossary()
        for other in avoid
        if pattern(other).search(line)
    ]
    assert misused == []
    theme = re.compile(r"(?<!\w)тем(?:а|и|і|у|ою|ам|ами|ах)?(?!\w)(?!\s+лист)", re.I)
    assert [line for line in guide.splitlines() if theme.search(line)] == []
    assert theme.search("Кожна тема показує") and theme.search("## Теми")
    assert not theme.search("«Предмет» — тема листа, теми листів, системи")


def test_the_admin_s_corrections_use_the_glossary_s_words_too():
    """locale_admin/, which corrects Wagtail's Ukrainian: a form's submissions are
    «заявки» there as on the project's own screens. (Wagtail's «Обрано» is «selected»,
    a verb, not the visitors' starred sessions that «обране» is kept from naming.)"""
    catalogue = polib.pofile(str(ROOT / "locale_admin" / "uk" / "LC_MESSAGES" / "django.po"))
    texts = [
        text
        for entry in catalogue
        if not entry.obsolete
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if text
    ]
    misused = [
        (other, text)
        for _, _, avoid in glossary()
        for other in avoid
        if other != "обране"
        for text in texts
        if pattern(other).search(text)
    ]
    assert misused == []
