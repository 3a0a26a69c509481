"""Property-based runs against the content API, and not one server error: schemathesis
against the v3 OpenAPI document (generated requests to every read operation, in-process
through Django's WSGI application; write operations need a token, anonymous clients get
401), and Hypothesis over API v2's endpoints and query parameters. Both are bounded and
derandomized: the same requests on every run, so that a failure can be replayed."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from wagtail.documents import get_document_model
from wagtail.models import Page

from events.factories import ImageFactory

# The schema as the site serves it (generating it touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", get_wsgi_application())
NUL = "\x00"


def with_nul_bytes(query):
    """The generated query with a NUL byte inside each of its text values."""
    if not isinstance(query, dict):
        return query
    return {
        name: f"{value[:1]}{NUL}{value[1:]}" if isinstance(value, str) else value
        for name, value in query.items()
    }


def with_many_words(query):
    """The generated query with each text value repeated into hundreds of words."""
    if not isinstance(query, dict):
        return query
    return {
        name: " ".join([value or "слово"] * 300) if isinstance(value, str) else value
        for name, value in query.items()
    }


@schema.hook
def flatmap_query(context, query):
    """Beside what the schema allows, the bad input a visitor sends most: a third of the
    generated queries carry NUL bytes, a third hundreds of words."""
    return st.sampled_from([query, with_nul_bytes(query), with_many_words(query)])


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the database connection at the end of each request it serves,
    which would end the test's transaction on PostgreSQL: as Django's test client
    does, keep it open while the requests go through the WSGI application."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The snippets operations take a snippet type from an enumeration, empty on this site
# (it registers no snippet models): no request can be generated for them.
@pytest.mark.slow
@schema.include(method="GET").exclude(path_regex="^/api/v3/snippets/").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure can be replayed
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_makes_a_server_error(case, edition):
    """Over the conftest edition's pages, so that ids and paths can hit real ones."""
    case.call_and_validate(checks=[not_a_server_error])


V2_ENDPOINTS = [
    f"/api/v2/{endpoint}/{view}"
    for endpoint in ("pages", "images", "documents")
    for view in ("", "find/")
]
V2_PARAMETERS = [
    "search",
    "search_operator",
    "type",
    "fields",
    "order",
    "locale",
    "site",
    "html_path",
    "offset",
    "limit",
    "child_of",
    "descendant_of",
    "id",
    "title",
]
MEANINGFUL = [
    "events.EditionPage",
    "events.DayPage",
    "wagtailcore.Page",
    "title,start_date",
    "*",
    "_,title",
    "-title",
    "random",
    "uk",
    "localhost",
    "2017/programme/",
    "/2017/",
    "and",
    "or",
    "Велопробіг",
]


def v2_values(ids):
    return st.one_of(
        st.text(max_size=30),  # any character, NUL and the other control characters too
        st.integers(min_value=-(2**70), max_value=2**70).map(str),  # past 64 bits
        st.sampled_from(ids).map(str),  # the pages, images and documents there are
        st.integers(min_value=1, max_value=2000).map(lambda n: " ".join(["вело"] * n)),
        st.integers(min_value=1, max_value=2000).map(lambda n: "partners(" * n),
        st.sampled_from(MEANINGFUL),
    )


@pytest.fixture
def content_ids(edition):
    ImageFactory(title="Заставка")
    models = (Page, get_document_model(), ImageFactory._meta.model)
    return sorted({pk for model in models for pk in model.objects.values_list("pk", flat=True)})


@pytest.mark.slow
@given(data=st.data())
@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_api_v2_request_makes_a_server_error(client, content_ids, data):
    url = data.draw(st.sampled_from(V2_ENDPOINTS), label="url")
    query = data.draw(
        st.dictionaries(st.sampled_from(V2_PARAMETERS), v2_values(content_ids), max_size=4),
        label="query",
    )
    response = client.get(url, query)
    assert response.status_code < 500, (url, query)
