"""A property-based run of schemathesis against the v3 OpenAPI document: generated
requests to every read operation, in-process through Django's WSGI application, and
not one server error. (Write operations need a token; anonymous clients get 401.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

# The schema as the site serves it (generating it touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", get_wsgi_application())


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
