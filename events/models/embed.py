"""The embeddable programme: `…/programme/embed/?day=&track=&kind=&venue=`, the
programme alone (no site header or footer) for the city council's and partners'
sites to show in an iframe, and the «Вбудувати» code that the programme page offers
for its current filters.

Only the site itself and the origins of settings.EMBED_ALLOWED_ORIGINS may frame it
(cms/csp.py); every other page still refuses any frame. Its links open in the top
window (`<base target="_top">` in its template): a reader who follows one leaves the
partner's page for the site's, rather than browsing the site inside a small frame."""

import datetime
from types import SimpleNamespace
from urllib.parse import urlencode

from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from cms.csp import allow_framing_by_embedders
from home.site_url import absolute_url

# The iframe's height in the code offered, in pixels: a day's first sessions at a
# glance; the frame scrolls for the rest, and the partner may change it.
EMBED_HEIGHT = 640


def chosen_filters(form):
    """The filters the programme's filter form applies (chosen and valid), in the
    form's order, each with `name` and `value` as the address spells them, the field's
    `label` and the chosen option's `choice` label. Values the form ignored are not
    among them."""
    form.is_valid()
    chosen = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        labels = {str(key): label for key, label in field.choices}
        chosen.append(
            SimpleNamespace(name=name, value=text, label=field.label, choice=labels.get(text, text))
        )
    return chosen


class EmbeddableProgrammeMixin(RoutablePageMixin):
    """The programme page's `embed/` route and its «Вбудувати» code. Expects the page's
    `get_context()` to hold `filter_form` and `days` (its filtered programme)."""

    def embed_url(self, request, form):
        """The embed's full address (SITE_URL's host) with the form's valid filters;
        None for a page that no Site reaches (it has no address to give)."""
        page_url = self.get_url(request)
        if page_url is None:
            return None
        url = absolute_url(page_url + self.reverse_subpage("embed"), request)
        query = urlencode([(f.name, f.value) for f in chosen_filters(form)])
        return f"{url}?{query}" if query else url

    def embed_title(self):
        """The frame's title (a screen reader announces it) and the embed's heading."""
        return _("%(programme)s: %(edition)s") % {
            "programme": self.title,
            "edition": self.edition.title,
        }

    def embed_code(self, request, form):
        """The HTML another site pastes to show this programme as the form filters it:
        an iframe with a title, the full width of its column, loaded when scrolled to.
        Plain text (escaped where it is shown), never markup of this page; empty for a
        page that no Site reaches."""
        url = self.embed_url(request, form)
        if url is None:
            return ""
        return (
            f'<iframe src="{escape(url)}" '
            f'title="{escape(self.embed_title())}" width="100%" height="{EMBED_HEIGHT}" '
            'loading="lazy"></iframe>'
        )

    def get_cached_paths(self):
        """What a CDN purge of this page takes (Wagtail's frontend cache, the urgent
        notice's purge): the unfiltered embed too. A filtered one is kept no longer
        than the page cache keeps it (PAGE_CACHE_SECONDS), as any page."""
        return [*super().get_cached_paths(), self.reverse_subpage("embed")]

    @path("embed/", name="embed")
    def programme_embed(self, request):
        """The programme alone, with the programme page's filters (a value that matches
        nothing is dropped with a message, as there), framed by the allowed sites."""
        context = self.get_context(request)
        context.update(
            embed_title=self.embed_title(),
            chosen_filters=chosen_filters(context["filter_form"]),
            programme_url=absolute_url(self.get_url(request), request),
        )
        response = TemplateResponse(request, "pages/programme_embed.html", context)
        return allow_framing_by_embedders(response)
