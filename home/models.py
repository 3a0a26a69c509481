"""The home page of the site and the site-wide settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.permissions import ModeratedDeletionMixin


class HomePage(ModeratedDeletionMixin, Page):
    """The front page: what the City Workshop is, the current edition, and the archive
    of all editions. Editions are its children."""

    intro = RichTextField(
        _("introduction"), blank=True, help_text=_("What the City Workshop format is.")
    )
    featured_edition = models.ForeignKey(
        "events.EditionPage",
        verbose_name=_("featured edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the latest published edition."),
    )

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["events.EditionPage"]
    max_count = 1
    template = "pages/home_page.html"

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("featured_edition")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("featured_edition")]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def editions(self):
        from events.models import EditionPage

        return (
            EditionPage.objects.child_of(self)
            .live()
            .public()
            .order_by("-start_date")
            .prefetch_related("venues")
        )

    def current_edition(self, editions=None):
        """The edition the site leads with: the featured one while it is live, else
        the latest live edition."""
        if self.featured_edition_id and self.featured_edition.live:
            return self.featured_edition
        if editions is None:
            from events.models import EditionPage

            return (
                EditionPage.objects.child_of(self).live().public().order_by("-start_date").first()
            )
        return editions[0] if editions else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        editions = list(self.editions())
        context["current_edition"] = self.current_edition(editions)
        context["editions"] = editions
        return context


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contacts, social links and footer shared by every page of the site. An edition's
    own contacts, when given, take precedence on its pages."""

    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    footer_text = models.TextField(_("footer text"), max_length=1000, blank=True)
    organiser_name = models.CharField(_("organiser's name"), max_length=200, blank=True)
    organiser_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("organiser's logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organiser_url = models.URLField(_("organiser's website"), blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("address")],
            heading=_("Contacts"),
        ),
        MultiFieldPanel(
            [FieldPanel("facebook_url"), FieldPanel("instagram_url")], heading=_("Social media")
        ),
        MultiFieldPanel(
            [
                FieldPanel("organiser_name"),
                FieldPanel("organiser_logo"),
                FieldPanel("organiser_url"),
                FieldPanel("footer_text"),
            ],
            heading=_("Footer"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
