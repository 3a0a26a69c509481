"""The error page of a request that failed: 503 when the database is the part that
failed (a restart, a lost connection), 500 for anything else."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

DATABASE_ERRORS = (OperationalError, InterfaceError)
# A PostgreSQL restart or a failover takes seconds; the page asks for a minute.
RETRY_AFTER_SECONDS = 60


def raised_by_the_database(error):
    """Whether the exception, or one it was raised from or while handling, is the
    database being unreachable."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """`handler500`: Django calls it for every exception a view or a middleware lets
    through (a session saved after the submission committed included), with the
    exception being handled, and logs the answer once (django.request). The 503 page
    is rendered without a request, so nothing on it asks the database (no context
    processor, no site settings) and its style is allowed by its CSP hash."""
    if not raised_by_the_database(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
