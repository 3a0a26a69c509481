import re
from functools import cached_property

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from wagtail.models import Page

from cms.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, first_words
from home.models import HomePage
from home.site_url import absolute_url
from home.templatetags.seo_tags import plain_text

RESULTS_PER_PAGE = 20
# Search backends give punctuation meanings of their own (SQLite's full-text search
# fails on an unbalanced double quote); people search for words, so keep only words.
NOT_A_WORD = re.compile(r"[^\w\s'ʼ’-]+")
SNIPPET_LENGTH = 240


class OneAfterAnother:
    """Search results of several models for one paginator: each part's results in
    their own order of relevance, one part after the other. Only the slice of the
    page shown is fetched from each part."""

    def __init__(self, *parts):
        self.parts = parts

    @cached_property
    def counts(self):
        return [part.count() for part in self.parts]

    def count(self):
        return sum(self.counts)

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        start, stop = window.start or 0, window.stop
        found = []
        for part, size in zip(self.parts, self.counts, strict=True):
            if stop > start and start < size:
                found.extend(part[start : min(stop, size)])
            start, stop = max(start - size, 0), max(stop - size, 0)
        return found


def snippet(result):
    """A result's text on one line: a session's description, or a page's search
    description, lead, short description or introduction (its paragraphs apart)."""
    if getattr(result, "start_time", None) is not None:  # a session
        return plain_text(result.description, SNIPPET_LENGTH)
    for text in (
        getattr(result, "search_description", ""),
        getattr(result, "lead", ""),
        getattr(result, "short_description", ""),
    ):
        if text:
            return plain_text(text, SNIPPET_LENGTH)
    return plain_text(getattr(result, "intro", "") or "", SNIPPET_LENGTH, html=True)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the site"),
        required=False,
        # Django's own wording («Символи Null не дозволені») is a programmer's.
        error_messages={
            "null_characters_not_allowed": _(
                "The search contains an invisible character (NUL) that cannot be "
                "searched: remove it and try again."
            )
        },
    )


def search(request):
    """Site search over the sessions of live days (each leads to its own page), then
    editions, days, tracks and documents pages (with their documents): what each model
    indexes in its search_fields."""
    # A longer query is cut rather than refused: nobody searches for 200 characters, or
    # for more words than the search backend can take (cms/search.py), and the page
    # says when the words were cut.
    form = SearchForm({"q": request.GET.get("q", "")[:MAX_SEARCH_LENGTH]})
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    terms = NOT_A_WORD.sub(" ", query).strip()
    shortened = first_words(terms)
    notice = None
    if shortened != terms:
        terms = shortened
        notice = ngettext(
            "The search is long: only its first %(count)s word was searched.",
            "The search is long: only its first %(count)s words were searched.",
            MAX_SEARCH_WORDS,
        ) % {"count": MAX_SEARCH_WORDS}
    results = None
    if terms:
        # By name: the sessions' models are a layer above this one.
        session_model = apps.get_model("events", "Session")
        days = apps.get_model("events", "DayPage").objects.live().public()
        sessions = (
            session_model.objects.filter(page__in=days)
            .select_related("page", "venue")
            .search(terms)
        )
        pages = Page.objects.live().public().specific().search(terms)
        found = OneAfterAnother(sessions, pages)
        results = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        for result in results:
            result.snippet = snippet(result)
    context = {"form": form, "query": query, "results": results, "notice": notice}
    return render(request, "pages/search.html", context)


def robots_txt(request):
    """Crawlers may read every public page, and are told where the sitemap is."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "",
        f"Sitemap: {absolute_url(reverse('sitemap'), request)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache  # the current edition changes when the next one is published
def current_edition(request, rest=""):
    """`/current/…` → the same part of the current edition (302), so that an address
    printed once on a poster or a QR code works every year."""
    home = HomePage.for_request(request)
    edition = home.current_edition() if home else None
    if edition is None:
        raise Http404
    url = edition.get_url(request) + rest
    if request.GET:
        url = f"{url}?{request.GET.urlencode()}"
    return HttpResponseRedirect(url)
