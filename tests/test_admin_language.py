"""The admin screens an editor of this site meets, in Ukrainian: none shows one of the
English strings that Wagtail 8.0's own Ukrainian catalogue leaves untranslated (the
ones `locale_admin/` supplies)."""

import html
import re

import polib
import pytest
from django.contrib.auth.models import Group

from .helpers import ROOT

SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
# What people read or hear besides the text: placeholders, tooltips, labels, alt text.
SHOWN_ATTRIBUTE = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')


def missing_from_wagtail():
    """The msgids of locale_admin: long enough (two words and more) to be recognised in
    a page's text, without placeholders."""
    strings = set()
    for name in ("django.po", "djangojs.po"):
        for entry in polib.pofile(ROOT / "locale_admin" / "uk" / "LC_MESSAGES" / name):
            for text in (entry.msgid, entry.msgid_plural):
                if text and " " in text and len(text) >= 10 and "%" not in text and "{" not in text:
                    strings.add(text)
    return strings


def visible_text(page):
    page = SCRIPT_OR_STYLE.sub(" ", page)
    return html.unescape(" ".join([TAG.sub(" ", page), *SHOWN_ATTRIBUTE.findall(page)]))


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("redaktorka", password="x")
    user.groups.add(Group.objects.get(name="Модератори"))
    client.force_login(user)
    return client


def screens(edition):
    form = edition.registration_page
    site = edition.get_site()
    return [
        "/admin/",
        f"/admin/pages/{edition.get_parent().pk}/",
        f"/admin/pages/{edition.pk}/",
        f"/admin/pages/{edition.pk}/edit/",
        f"/admin/pages/{form.pk}/edit/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/forms/",
        f"/admin/forms/submissions/{form.pk}/",
        f"/admin/settings/home/sitesettings/{site.pk}/",
        f"/admin/pages/{edition.pk}/history/",
        "/admin/pages/search/?q=Майстерня",
    ]


def test_no_admin_screen_shows_an_untranslated_string(editor, edition):
    english = missing_from_wagtail()
    assert len(english) > 100
    found = {}
    for url in screens(edition):
        response = editor.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        leaks = sorted(string for string in english if string in text)
        if leaks:
            found[url] = leaks
    assert found == {}
    # The strings are there, in Ukrainian: the dashboard's search, for one.
    assert "Search all pages…" in english
    assert "Пошук по всіх сторінках…" in visible_text(editor.get("/admin/").content.decode())


def test_the_workflow_screens_are_in_ukrainian_for_an_administrator(admin_client, db):
    english = missing_from_wagtail()
    for url in ("/admin/workflows/list/", "/admin/workflows/tasks/index/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert [string for string in english if string in text] == [], url
    assert "Затвердження модераторами" in text


def test_the_login_screen_is_in_ukrainian(client, db):
    text = visible_text(client.get("/admin/login/").content.decode())
    assert "Пароль" in text
    assert not [s for s in missing_from_wagtail() if s in text]
