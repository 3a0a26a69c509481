"""How much a full-text search may ask of the search backend, for the API and the site's
own search alike.

Both backends (Wagtail's database search on SQLite and on PostgreSQL) turn a query into
one nested expression per word, and Python's recursion limit ended the request with a
500 past about 120 words on PostgreSQL (1,000 on SQLite). Nobody searches for more than a
handful of words; the bounds leave a wide margin below the failure."""

import re

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
