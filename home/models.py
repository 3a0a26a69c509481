"""The home page of the site and the site-wide settings."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.coreutils import resolve_model_string
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.search import index

from home.dates import format_time
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

    @classmethod
    def for_request(cls, request):
        """The home page of the request's site (of the default site when no site
        matches), or None when the site's root is not a home page."""
        site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        root = site.root_page.specific if site else None
        return root if isinstance(root, cls) else None

    def all_editions(self):
        """Every edition, in any state. The edition page type sits above this module
        (it is the only subpage type), so it is named, not imported."""
        return resolve_model_string(self.subpage_types[0]).objects.child_of(self)

    def editions(self):
        """The live, public editions, the latest first, as the archive lists them."""
        return self.all_editions().live().public().order_by("-start_date")

    def current_edition(self, editions=None, drafts=False):
        """The rule of «the current edition», which the home page, every edition's
        notice, `/current/…` and the admin's dashboard go by: the featured edition
        while it is live, else the latest live edition (the first of `editions`, when
        the caller has them). With `drafts`, for the admin: when no edition is live,
        the latest edition in any state."""
        if self.featured_edition_id and self.featured_edition.live:
            return self.featured_edition
        current = self.editions().first() if editions is None else next(iter(editions), None)
        if current is None and drafts:
            current = self.all_editions().order_by("-start_date").first()
        return current

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        editions = list(self.editions().prefetch_related("venues"))
        context["current_edition"] = self.current_edition(editions)
        context["editions"] = editions
        return context

    def get_showing_pages(self):
        """No other page shows the home page's own content (a new title or slug
        changes every page: home/signals.py)."""
        return []

    def shows_now_and_next(self, today, context=None):
        """During the current edition's event days (home/freshness.py)."""
        edition = (context or {}).get("current_edition") or self.current_edition()
        return edition is not None and edition.start_date <= today <= edition.end_date


class OpenDataLicence(models.TextChoices):
    """The open licences an edition's open data may be published under (those the
    national portal data.gov.ua offers), each with the address of its text
    (`OPEN_DATA_LICENCE_URLS`). CC BY 4.0 is the portal's own default: use and
    redistribution with a reference to the source."""

    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 International (CC BY 4.0)")
    CC_BY_SA = (
        "cc-by-sa-4.0",
        _("Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)"),
    )
    CC0 = "cc0-1.0", _("Creative Commons Zero 1.0, public domain (CC0 1.0)")
    ODBL = "odbl-1.0", _("Open Data Commons Open Database License 1.0 (ODbL 1.0)")


OPEN_DATA_LICENCE_URLS = {
    OpenDataLicence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    OpenDataLicence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    OpenDataLicence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    OpenDataLicence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


@dataclass(frozen=True)
class Licence:
    code: str
    name: str
    url: str


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
    editors_post_notices = models.BooleanField(
        _("editors may post the urgent notice"),
        default=False,
        help_text=_("Moderators always may. Tick to let editors post and withdraw it too."),
    )
    open_data_licence = models.CharField(
        _("licence of the open data"),
        max_length=20,
        choices=OpenDataLicence.choices,
        default=OpenDataLicence.CC_BY,
        help_text=_("The datasets of every edition (sessions, venues, themes, partners)."),
    )
    open_data_contact_name = models.CharField(
        _("person responsible for the open data"),
        max_length=200,
        blank=True,
        help_text=_("Surname, name and patronymic, as the dataset passports give them."),
    )
    open_data_contact_email = models.EmailField(
        _("e-mail of the person responsible for the open data"),
        blank=True,
        help_text=_("Leave empty to use the site-wide e-mail."),
    )

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
        MultiFieldPanel([FieldPanel("editors_post_notices")], heading=_("Urgent notice")),
        MultiFieldPanel(
            [
                FieldPanel("open_data_licence"),
                FieldPanel("open_data_contact_name"),
                FieldPanel("open_data_contact_email"),
            ],
            heading=_("Open data"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    @property
    def licence(self):
        """The open data's licence: its code, name and the address of its text."""
        try:
            code = OpenDataLicence(self.open_data_licence)
        except ValueError:  # a code no longer offered
            code = OpenDataLicence.CC_BY
        return Licence(code=code.value, name=str(code.label), url=OPEN_DATA_LICENCE_URLS[code])

    @property
    def open_data_contact(self):
        """(name, e-mail) of whom the passports name as responsible: the person set for
        the open data, else the organiser; their e-mail, else the site-wide one."""
        return (
            self.open_data_contact_name or self.organiser_name,
            self.open_data_contact_email or self.email,
        )


class UrgentNotice(models.Model):
    """A notice shown at the top of every public page, the venue screen and the API
    («Повітряна тривога: програму призупинено…»). Rows are never deleted: they are
    the notices' history. The one shown is `UrgentNotice.current()` (home/notice.py
    caches it)."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Attention")
        ALARM = "alarm", _("Alarm")

    text = models.CharField(_("text"), max_length=300)
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.INFO)
    link_url = models.URLField(
        _("link"), blank=True, help_text=_("For example, the nearest shelter on a map.")
    )
    link_text = models.CharField(_("link text"), max_length=80, blank=True)
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, help_text=_("Empty: until it is withdrawn.")
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("urgent notice")
        verbose_name_plural = _("urgent notices")
        ordering = ["-posted_at", "-pk"]
        permissions = [("post_urgentnotice", "Can post and withdraw the urgent notice")]

    def __str__(self):
        return self.text

    @classmethod
    def in_force(cls, now=None):
        """The notices neither withdrawn nor ended at `now`."""
        now = now or timezone.now()
        return cls.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now), withdrawn_at__isnull=True
        )

    @classmethod
    def current(cls, now=None):
        """The rule of «the notice shown now»: the latest posted of those in force."""
        return cls.in_force(now).order_by("-posted_at", "-pk").first()

    def end_wording(self):
        """«18:30» when it ends today (Kyiv time), «3 грудня 2026, 09:00» otherwise."""
        if self.ends_at is None:
            return ""
        end = timezone.localtime(self.ends_at)
        if end.date() == timezone.localdate():
            return format_time(end)
        return date_format(end, "DATETIME_FORMAT")

    def is_in_force(self, now=None):
        now = now or timezone.now()
        return self.withdrawn_at is None and (self.ends_at is None or self.ends_at > now)
