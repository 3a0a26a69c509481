"""The thematic tracks of an edition (public space, cycling, ecology…)."""

from django import forms
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from events.api_fields import rendition

from .mixins import CachedUrlMixin, CalendarFeedMixin, EditionChildMixin

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hex digits, for example #2e7d32.")
)


class TrackPage(CachedUrlMixin, EditionChildMixin, CalendarFeedMixin, Page):
    """A thematic track of an edition (public space, cycling…): what it is about and
    its sessions across all days."""

    short_description = models.CharField(
        _("short description"),
        max_length=300,
        help_text=_("One sentence, shown on the edition page."),
    )
    body = RichTextField(_("text"), blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6f8b",
        validators=[colour_validator],
        help_text=_("Marks the track in the programme, always beside its name."),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("icon or image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    parent_page_types = ["events.EditionPage"]
    subpage_types = []
    template = "pages/track_page.html"

    api_fields = [
        APIField("short_description"),
        APIField("colour"),
        APIField("image"),
        APIField("image_rendition", serializer=rendition("image")),
        APIField("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("short_description"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("short_description"),
        FieldPanel("colour", widget=forms.TextInput(attrs={"type": "color"})),
        FieldPanel("image"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("thematic track")
        verbose_name_plural = _("thematic tracks")

    def calendar_sessions(self):
        return self.sessions.published().for_calendar()

    def calendar_name(self):
        return f"{self.title} · {self.edition.title}"

    def get_cached_paths(self):
        """Its own addresses (home/freshness.py): the page and its calendar."""
        return ["/", self.reverse_subpage("calendar").rstrip("/")]

    def get_showing_pages(self):
        """The home page and the whole edition: every session shown anywhere carries
        its track's name and colour."""
        edition = self.edition
        return [
            *edition.get_ancestors().filter(depth__gt=1),
            edition,
            *edition.get_descendants().live(),
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Through the reverse relation, each session's track is this page, not a query.
        sessions = self.sessions.published().select_related("page", "venue")
        context["sessions"] = sessions.with_changes()
        return context
