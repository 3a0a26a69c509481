"""Nothing a visitor can send is a server error: a NUL byte or another control
character, a search of thousands of words, an id that is not a number, a forged session
cookie. The API answers 400 in its own error shape and says why (in English, as the API
is); the public pages answer in Ukrainian. A bounded property-based run over the public
query strings closes the file; tests/test_api_contract.py fuzzes the API."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.documents import get_document_model

from cms.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from events.factories import ImageFactory
from events.models import DayPage

NUL = "\x00"


@pytest.fixture
def visitor():
    """A client that gets the 500 page, as a visitor would, instead of the exception."""
    return Client(raise_request_exception=False)


def api_message(response):
    """The reason an API gives for a 400: v2's `message`, v3's problem `detail`."""
    assert response.status_code == 400, response.content
    if response["Content-Type"] == "application/problem+json":
        problem = response.json()
        assert problem["status"] == 400
        return problem["detail"]
    return response.json()["message"]


# A NUL in `search`, `locale`, `site` or `html_path` was a 500 on PostgreSQL (it refuses
# a NUL in any string it is sent), and in v2's searches on SQLite too; Wagtail refused
# one in `title` itself, with words of its own. No parameter of the APIs needs any
# control character: all are refused alike.
@pytest.mark.parametrize(
    ("url", "name", "character"),
    [
        ("/api/v2/pages/", "search", NUL),
        ("/api/v2/pages/", "locale", NUL),
        ("/api/v2/pages/", "site", NUL),
        ("/api/v2/pages/", "title", NUL),
        ("/api/v2/pages/find/", "html_path", NUL),
        ("/api/v2/images/", "search", NUL),
        ("/api/v2/documents/", "search", NUL),
        ("/api/v3/pages/", "search", NUL),
        ("/api/v3/pages/", "locale", NUL),
        ("/api/v3/pages/", "site", NUL),
        ("/api/v3/pages/find/", "html_path", NUL),
        ("/api/v3/images/", "search", NUL),
        ("/api/v3/documents/", "search", NUL),
        ("/api/v2/pages/", "search", "\x1b"),
        ("/api/v3/pages/", "search", "\x7f"),
    ],
)
def test_a_control_character_in_an_api_parameter_is_a_400_naming_it(
    visitor, db, url, name, character
):
    response = visitor.get(url, {name: f"2017{character}"})
    assert api_message(response) == f"{name} must not contain control characters"


def test_a_control_character_in_an_api_parameter_name_is_a_400(visitor, db):
    response = visitor.get("/api/v2/pages/", {f"search{NUL}": "велопробіг"})
    assert "control characters" in api_message(response)


def test_api_errors_keep_each_versions_shape(visitor, db):
    v2 = visitor.get("/api/v2/pages/", {"search": NUL})
    assert v2["Content-Type"] == "application/json"
    assert set(v2.json()) == {"message"}
    v3 = visitor.get("/api/v3/pages/", {"search": NUL})
    assert v3["Content-Type"] == "application/problem+json"
    assert v3.json()["title"] == "Bad Request"


# Both search backends build one nested expression per word (PostgreSQL also splits at
# hyphens), and past about 120 words on PostgreSQL, 1,000 on SQLite, Python's recursion
# limit ended the request with a 500.
@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/pages/", "/api/v2/documents/"])
@pytest.mark.parametrize("separator", [" ", "-"])
def test_a_search_of_too_many_words_is_a_400_naming_the_limit(visitor, db, url, separator):
    words = separator.join(["вело"] * 1000)
    response = visitor.get(url, {"search": words})
    assert api_message(response) == f"search must have at most {MAX_SEARCH_WORDS} words"


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/pages/"])
def test_a_search_of_too_many_characters_is_a_400_naming_the_limit(visitor, db, url):
    response = visitor.get(url, {"search": "в" * (MAX_SEARCH_LENGTH + 1)})
    assert api_message(response) == f"search must be at most {MAX_SEARCH_LENGTH} characters"


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/pages/"])
def test_a_search_at_the_limits_is_answered(visitor, edition, url):
    words = " ".join(["День"] * MAX_SEARCH_WORDS)
    assert len(words) <= MAX_SEARCH_LENGTH
    response = visitor.get(url, {"search": words, "type": "events.DayPage"})
    assert response.status_code == 200
    days = DayPage.objects.filter(title__in=["День 1", "День 2"])
    assert {item["id"] for item in response.json()["items"]} == {day.pk for day in days}


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/"])
def test_a_search_operator_other_than_and_or_is_a_400(visitor, db, url):
    # The property-based run of tests/test_api_contract.py found this one.
    response = visitor.get(url, {"search": "вело", "search_operator": "0"})
    assert api_message(response) == "search_operator must be 'and' or 'or'"


def test_a_search_operator_and_or_is_answered(client, edition):
    for operator in ("and", "or", ""):
        response = client.get(
            "/api/v2/pages/", {"search": "Велопробіг", "search_operator": operator}
        )
        assert response.status_code == 200


@pytest.mark.parametrize("endpoint", ["pages", "images", "documents"])
@pytest.mark.parametrize("value", ["x", "1.5", "", "²"])
def test_find_with_an_id_that_is_not_a_number_is_a_400(visitor, db, endpoint, value):
    response = visitor.get(f"/api/v2/{endpoint}/find/", {"id": value})
    assert api_message(response) == "id must be an integer"


def test_find_with_an_id_still_leads_to_the_item(client, edition):
    image = ImageFactory(title="Заставка")
    document = get_document_model().objects.get()
    for endpoint, pk in [("pages", edition.pk), ("images", image.pk), ("documents", document.pk)]:
        response = client.get(f"/api/v2/{endpoint}/find/", {"id": pk})
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == f"/api/v2/{endpoint}/{pk}/"


@pytest.mark.parametrize("name", ["offset", "limit"])
def test_an_offset_in_other_digits_is_a_400(visitor, db, name):
    # "²".isdigit() is true, but int("²") fails: the bound itself was the 500.
    response = visitor.get("/api/v2/pages/", {name: "²"})
    assert response.status_code == 400


def test_fields_nested_too_deep_is_a_400(visitor, db):
    # API v2 parses `fields` recursively, one level per parenthesis.
    response = visitor.get("/api/v2/pages/", {"fields": "partners(" * 2000})
    assert api_message(response) == "fields must nest at most 8 levels deep"


def test_fields_nested_as_deep_as_the_content_goes_are_answered(client, edition):
    response = client.get(
        "/api/v2/pages/",
        {"type": "events.EditionPage", "fields": "partners(logo(title)),venues(name)"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/2017/", "/api/v2/pages/", "/2017/registration/?thanks"])
def test_a_forged_session_cookie_is_ignored(visitor, edition, url):
    # A quoted cookie may carry octal escapes ("\000"): a NUL in the session key, which
    # PostgreSQL refused when the session was looked up.
    visitor.cookies["sessionid"] = f"abcdefgh{NUL}ijklmnop"
    response = visitor.get(url)
    assert response.status_code == 200


def test_a_real_session_still_works(admin_client, edition):
    response = admin_client.get("/admin/")
    assert response.status_code == 200


def test_the_site_search_says_a_nul_byte_cannot_be_searched(client, edition):
    response = client.get("/search/", {"q": f"вело{NUL}пробіг"})
    assert response.status_code == 200
    assert "Запит містить недопустимий невидимий символ" in response.text


def test_the_site_search_searches_the_first_words_of_a_very_long_query(client, edition):
    response = client.get("/search/", {"q": " ".join(["День"] * 10_000)})
    assert response.status_code == 200
    assert f"Запит задовгий: враховано лише перші {MAX_SEARCH_WORDS} слова." in response.text
    assert "2 результати за запитом" in response.text


def test_the_site_search_says_nothing_of_an_ordinary_query(client, edition):
    response = client.get("/search/", {"q": "Велопробіг"})
    assert "Запит задовгий" not in response.text
    assert "недопустимий" not in response.text


# The public site's own query strings: the search, the programme's filter, the feeds and
# exports, the address of the current edition. Values of every kind: any characters
# (NUL and the other control characters among them), huge and negative numbers, thousands
# of words, and values that mean something here.
PUBLIC_URLS = [
    "/search/",
    "/2017/programme/",
    "/2017/calendar.ics",
    "/2017/programme/2017-06-12/calendar.ics",
    "/2017/programme/schedule.json",
    "/2017/programme/programme.csv",
    "/2017/registration/",
    "/current/",
    "/current/programme/",
    "/sitemap.xml",
]
PUBLIC_PARAMETERS = ["q", "page", "day", "track", "kind", "venue", "thanks", "p", "format"]
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=1, max_value=10_000).map(lambda n: " ".join(["слово"] * n)),
    st.sampled_from(["2017-06-12", "2017-13-45", "gromadskii-prostir", "workshop", "1", "0"]),
)


@pytest.mark.slow
@given(
    url=st.sampled_from(PUBLIC_URLS),
    query=st.dictionaries(
        st.one_of(st.sampled_from(PUBLIC_PARAMETERS), st.text(max_size=10)), values, max_size=4
    ),
)
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same requests on every run, in CI too
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_public_query_string_is_a_server_error(visitor, edition, url, query):
    response = visitor.get(url, query)
    assert response.status_code < 500, (url, query)
