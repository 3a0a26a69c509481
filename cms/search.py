"""How much a full-text search may ask of the search backend, for the API and the site's
own search alike.

Both backends (Wagtail's database search on SQLite and on PostgreSQL) turn a query into
one nested expression per word, and Python's recursion limit ended the request with a
500 past about 120 words on PostgreSQL (1,000 on SQLite). Nobody searches for more than a
handful of words; the bounds leave a wide margin below the failure.

`index_in_bulk()` is the other side: the objects of a bulk change (a day's sessions,
published together) put into the index at once."""

import logging
import re

from django.utils.encoding import force_str
from wagtail.search.backends import get_search_backends_with_name
from wagtail.search.utils import get_content_type_pk

logger = logging.getLogger(__name__)

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 32

# A word as the backends count them: SQLite splits a query at white space, PostgreSQL
# at white space and hyphens («велопробіг-2017» is two).
WORD = re.compile(r"[^\s-]+")


def search_words(query):
    """The words of `query`, as the search backend will count them."""
    return WORD.findall(query)


def first_words(query, count=MAX_SEARCH_WORDS):
    """`query` cut after its first `count` words (as it is, if it has no more)."""
    words = list(WORD.finditer(query))
    return query[: words[count - 1].end()] if len(words) > count else query


def index_in_bulk(model, objects):
    """Put `objects` (saved instances of one indexed `model`) into every search backend
    that updates itself, in a constant number of queries, instead of the search app's
    `insert_or_update_object` per object (which reads each object again, and on SQLite
    updates each existing index entry with a query of its own). Errors are handled as
    there: logged, and raised by the database backends (their transaction is lost)."""
    objects = list(objects)
    if not objects:
        return
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        try:
            index = backend.get_index_for_model(model)
            entries = getattr(index, "entries", None)
            connection = getattr(index, "write_connection", None)
            if entries is not None and getattr(connection, "vendor", "") == "sqlite":
                # SQLite's index updates an existing entry per query but inserts new
                # ones in one: the objects' entries are removed first (its triggers
                # keep the full-text table in step), then all are inserted.
                entries.filter(
                    content_type_id=get_content_type_pk(model),
                    object_id__in=[force_str(obj.pk) for obj in objects],
                )._raw_delete(using=connection.alias)
            backend.add_bulk(model, objects)
        except Exception:
            logger.exception(
                "Could not index %d %s in the %r search backend",
                len(objects),
                model._meta.verbose_name_plural,
                name,
            )
            if not backend.catch_indexing_errors:
                raise
