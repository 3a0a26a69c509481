"""What the page cache may serve: only answers to anonymous readers.

A request with credentials (an API token in Authorization, a logged-in editor's
session) is neither answered from the page cache nor stored into it, and its answer
says `Cache-Control: private`, so no CDN keeps it either."""

import pytest
from django.core.cache import caches
from django.test import override_settings
from wagtail.models import APIToken

PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "privacy"},
}
LIVE_TITLE = "Майстерня міста Житомир"
DRAFT_TITLE = "Майстерня міста Житомир (чернетка)"
USERBAR = "w-userbar"


@pytest.fixture
def page_cache():
    with override_settings(CACHES=PAGE_CACHE):
        caches["pages"].clear()
        yield caches["pages"]
        caches["pages"].clear()


@pytest.fixture
def draft(edition):
    """The edition with an unpublished change of title."""
    edition.title = DRAFT_TITLE
    edition.save_revision()
    return edition


@pytest.fixture
def token(admin_user):
    return APIToken.create_token(user=admin_user, name="press office")[1]


def test_a_token_holder_gets_the_draft_after_an_anonymous_reader_asked_for_it(
    client, draft, token, page_cache
):
    url = f"/api/v3/pages/{draft.pk}/?version=draft"
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert anonymous.json()["title"] == LIVE_TITLE  # no token: the live page
    assert "public" in anonymous["Cache-Control"]
    assert "Authorization" in anonymous["Vary"]  # nor may a CDN give it to a token holder

    with_token = client.get(url, headers={"authorization": f"Bearer {token}"})
    assert with_token.status_code == 200
    assert with_token.json()["title"] == DRAFT_TITLE
    assert "private" in with_token["Cache-Control"]
    assert "public" not in with_token["Cache-Control"]

    # Nor is the token holder's draft kept for the next anonymous reader.
    assert client.get(url).json()["title"] == LIVE_TITLE


def test_a_logged_in_editor_does_not_get_the_readers_cached_page(
    client, admin_client, edition, page_cache
):
    reader = client.get(edition.url)
    assert "s-maxage=300" in reader["Cache-Control"]  # kept for readers (and CDNs)
    assert USERBAR not in reader.content.decode()

    editor = admin_client.get(edition.url)
    assert USERBAR in editor.content.decode()  # the editor's own page, not the cached one
    assert "private" in editor["Cache-Control"]
    assert "max-age=300" not in editor["Cache-Control"]


def test_a_logged_in_editor_s_page_is_private_and_not_kept_for_readers(
    client, admin_client, edition, page_cache
):
    editor = admin_client.get(edition.url)
    assert USERBAR in editor.content.decode()
    assert "private" in editor["Cache-Control"]
    assert USERBAR not in client.get(edition.url).content.decode()
