"""The edition (project) page of one yearly City Workshop and what belongs to it:
venues, partners and useful links. Its parts (programme, tracks, documents, forms) are
its child pages, defined in the modules above this one and referred to here by name."""

import re
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail import blocks, hooks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.coreutils import resolve_model_string
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from events import open_data
from events.api_fields import CoordinateField, DocumentFileField, rendition
from home.models import HomePage, SiteSettings
from home.panels import InlinePanel
from home.permissions import ModeratedDeletionMixin

from .mixins import CalendarFeedMixin


def year_slug(year):
    """The rule of the editions' addresses: an edition's slug is its year (/2017/).
    `year` is a year or a date."""
    return str(getattr(year, "year", year))


@dataclass(frozen=True)
class Contacts:
    email: str
    phone: str


class EditionPageForm(WagtailAdminPageForm):
    """The slug of an edition is its year; a second edition in the same year is
    refused on the start date, where the editor can fix it."""

    def clean(self):
        start_date = self.cleaned_data.get("start_date")
        if start_date:
            # Whatever the slug field holds, the year replaces it.
            self._errors.pop("slug", None)
            self.cleaned_data["slug"] = year_slug(start_date)
        cleaned_data = super().clean()
        if start_date and self.has_error("slug"):
            del self.errors["slug"]
            self.add_error(
                "start_date",
                _("An edition of %(year)s already exists.") % {"year": start_date.year},
            )
        return cleaned_data


class ChecklistPanel(Panel):
    """«Перевірте перед публікацією» at the top of a draft edition's editor: what the
    rollover could not settle, each item a link to its field. Not shown once the
    edition is live, nor while the list is empty.
    The list is made by events/checklist.py, which reads these models and so is
    imported after them: it reaches the panel as the `edition_checklist` hook
    (events/wagtail_hooks.py), a function of the edition that gives the items grouped
    by page."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/panels/checklist.html"

        @cached_property
        def groups(self):
            return [
                group
                for edition_checklist in hooks.get_hooks("edition_checklist")
                for group in edition_checklist(self.instance)
            ]

        def is_shown(self):
            return bool(self.instance.pk) and not self.instance.live and bool(self.groups)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["groups"] = self.groups
            context["count"] = sum(len(items) for _page, items in self.groups)
            return context


class EditionPage(ModeratedDeletionMixin, CalendarFeedMixin, Page):
    """One yearly City Workshop: what it is, where and when, who runs it, and how to
    take part. Its programme, tracks, documents and forms are its child pages."""

    published_on = models.DateField(
        _("announcement date"),
        null=True,
        blank=True,
        help_text=_("The date the edition was announced, shown under the title."),
    )
    city = models.CharField(_("city"), max_length=100, help_text=_("For example: Житомир."))
    lead = models.TextField(
        _("lead"),
        max_length=400,
        help_text=_("One or two sentences shown under the title and in search results."),
    )
    slogan = models.CharField(_("slogan"), max_length=200, blank=True)
    about = RichTextField(
        _("what it is"), blank=True, help_text=_("What the City Workshop is, for a newcomer.")
    )
    start_date = models.DateField(
        _("start date"), help_text=_("The web address of the edition is its year: /2017/.")
    )
    end_date = models.DateField(_("end date"))
    free_entry = models.BooleanField(
        _("free entry"),
        default=True,
        help_text=_(
            "Every session is free to attend. Search engines show the events as free, at no price."
        ),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A wide photo or poster, at least 1600 pixels wide."),
    )
    goals = StreamField(
        [("goal", blocks.CharBlock(label=_("Goal"), max_length=300))],
        verbose_name=_("goals"),
        blank=True,
        help_text=_("One goal per item; drag to reorder."),
    )
    audience = StreamField(
        [("group", blocks.CharBlock(label=_("Who"), max_length=300))],
        verbose_name=_("who is invited"),
        blank=True,
        help_text=_("One group of people per item: NGOs, artists, students…"),
    )
    how_to_take_part = RichTextField(
        _("how to take part"),
        blank=True,
        help_text=_(
            "Explain how to take part and link the registration form "
            "(the link button in the toolbar can choose the form page)."
        ),
    )
    history = RichTextField(_("history"), blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Leave empty to use the site-wide e-mail.")
    )
    contact_phone = models.CharField(
        _("contact phone"),
        max_length=40,
        blank=True,
        help_text=_("Leave empty to use the site-wide phone."),
    )

    base_form_class = EditionPageForm

    parent_page_types = ["home.HomePage"]
    subpage_types = [
        "events.ProgrammePage",
        "events.TrackPage",
        "documents.DocumentsPage",
        "events.RegistrationFormPage",
        "events.QuestionnairePage",
    ]
    template = "pages/edition_page.html"

    api_fields = [
        APIField("published_on"),
        APIField("city"),
        APIField("lead"),
        APIField("slogan"),
        APIField("about"),
        APIField("start_date"),
        APIField("end_date"),
        APIField("hero_image"),
        APIField("hero_image_rendition", serializer=rendition("hero_image")),
        APIField("goals"),
        APIField("audience"),
        APIField("how_to_take_part"),
        APIField("history"),
        APIField("contact_email"),
        APIField("contact_phone"),
        APIField("venues"),
        APIField("partners"),
        APIField("links"),
        APIField("open_data", serializer=open_data.OpenDataField()),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("city"),
        index.SearchField("lead"),
        index.SearchField("slogan"),
        index.SearchField("about"),
        index.SearchField("history"),
        index.FilterField("start_date"),
    ]

    content_panels = [
        ChecklistPanel(heading=_("Check before publishing")),
        *Page.content_panels,
        FieldPanel("published_on"),
        FieldPanel("city"),
        FieldPanel("lead"),
        FieldPanel("slogan"),
        FieldPanel("hero_image"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("free_entry"),
        FieldPanel("about"),
        FieldPanel("goals"),
        FieldPanel("audience"),
        FieldPanel("how_to_take_part"),
        FieldPanel("history"),
    ]
    venue_panels = [
        InlinePanel(
            "venues",
            heading=_("Venues"),
            label=_("Venue"),
            add_label=_("Add a venue"),
            min_num=1,
            help_text=_("The main venue first: sessions take place there unless chosen otherwise."),
        ),
    ]
    people_panels = [
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone")], heading=_("Contacts")
        ),
        InlinePanel(
            "partners",
            heading=_("Organisers, partners and funders"),
            label=_("Partner"),
            add_label=_("Add a partner"),
        ),
        InlinePanel("links", heading=_("Useful links"), label=_("Link"), add_label=_("Add a link")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(venue_panels, heading=_("Venues")),
            ObjectList(people_panels, heading=_("Partners, contacts, links")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self):
        return self.title

    def get_admin_display_title(self):
        """In the explorer, the choosers and the dashboard: the title with the year, as
        every edition of a city has the same title («Майстерня міста Житомир (2018)»).
        The year is the slug (always loaded, even on a deferred page, where the start
        date would cost a query per row); the public title is left as it is."""
        title = super().get_admin_display_title()
        if self.slug.isdigit():
            year = self.slug
        elif self.start_date:
            year = year_slug(self.start_date)
        else:  # a new edition, not saved yet
            return title
        if re.search(rf"(?<!\d){year}(?!\d)", title):
            return title
        return f"{title} ({year})"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    def full_clean(self, *args, **kwargs):
        # The year is the address: /2017/. Set before Wagtail checks the slug.
        if self.start_date:
            self.slug = year_slug(self.start_date)
        super().full_clean(*args, **kwargs)

    @property
    def edition(self):
        return self

    def calendar_sessions(self):
        return resolve_model_string("events.Session").objects.of_edition(self).for_calendar()

    def get_contacts(self):
        site_settings = SiteSettings.for_site(self.get_site())
        return Contacts(
            email=self.contact_email or site_settings.email,
            phone=self.contact_phone or site_settings.phone,
        )

    @cached_property
    def parts(self):
        """The live, public child pages (programme, tracks, documents, registration) as
        their own types, in the editor's order; a few queries whatever their number."""
        parts = list(self.get_children().live().public().specific())
        for part in parts:
            part.edition = self  # they need not look for it again
        return parts

    def parts_of_type(self, page_type):
        """The parts of one page type, given by name ("events.TrackPage"): the page
        types of the parts are defined above this module, which imports none of them."""
        model = resolve_model_string(page_type)
        return [part for part in self.parts if isinstance(part, model)]

    def first_part(self, page_type):
        return next(iter(self.parts_of_type(page_type)), None)

    @cached_property
    def programme_page(self):
        return self.first_part("events.ProgrammePage")

    @cached_property
    def documents_page(self):
        return self.first_part("documents.DocumentsPage")

    @cached_property
    def registration_page(self):
        return self.first_part("events.RegistrationFormPage")

    @cached_property
    def questionnaire_page(self):
        return self.first_part("events.QuestionnairePage")

    @cached_property
    def tracks(self):
        return self.parts_of_type("events.TrackPage")

    @cached_property
    def main_venue(self):
        """The first venue. A session whose venue is empty takes place there
        (`Session.place`)."""
        return self.venues.first()

    def is_past(self, today=None):
        return self.end_date < (today or timezone.localdate())

    def get_cached_paths(self):
        """Its own addresses, which a change of it invalidates (home/freshness.py): the
        page, its calendar, its open-data page and every open-data file."""
        files = [
            dataset.file_name(part, extension)
            for dataset in open_data.DATASETS.values()
            for part, extensions in open_data.PARTS.items()
            for extension in extensions
        ]
        return [
            "/",
            self.reverse_subpage("calendar").rstrip("/"),
            self.reverse_subpage("open_data"),
            *(self.reverse_subpage("open_data_file", args=[name]).rstrip("/") for name in files),
        ]

    def get_showing_pages(self):
        """The pages that show the edition: the home page (its current edition) and
        every live page inside it (its title, navigation, venues and partners)."""
        return [*self.get_ancestors().filter(depth__gt=1), *self.get_descendants().live()]

    def shows_now_and_next(self, today, context=None):
        """Whether the page shows «Зараз/Далі» on `today` (home/freshness.py keeps it a
        minute at most then): during the event days."""
        return self.start_date <= today <= self.end_date

    def current_edition(self):
        """The edition the site leads with now, when it is not this one."""
        home = HomePage.objects.parent_of(self).first()
        current = home.current_edition() if home else None
        return current if current and current.pk != self.pk else None

    def navigation(self):
        """The parts of the edition, in the order the public expects them."""
        items = [(_("About"), self.url)]
        if self.programme_page:
            items.append((_("Programme"), self.programme_page.url))
        if self.tracks:
            items.append((_("Themes"), f"{self.url}#themes"))
        if self.documents_page:
            items.append((_("Documents"), self.documents_page.url))
        if self.registration_page:
            items.append((_("Registration"), self.registration_page.url))
        if self.questionnaire_page:
            items.append((_("Your project"), self.questionnaire_page.url))
        return items

    @path("open-data/", name="open_data")
    def open_data_page(self, request):
        """«Відкриті дані»: the edition's datasets (events/open_data.py), each with its
        files, passport, structure, licence and the time of its latest change."""
        return open_data.page_response(self, request)

    @path("open-data/<str:file_name>/", name="open_data_file")
    def open_data_file(self, request, file_name):
        """A file of the open data: `sessions.csv`, `venues-passport.json`…"""
        return open_data.file_response(self, request, file_name)

    def get_open_data_context(self, request):
        """The page's context without the edition page's own (its programme, partners,
        documents): what the open-data page's template needs of the edition."""
        context = super().get_context(request)
        context["edition"] = self
        return context

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        partners = list(self.partners.select_related("logo"))
        context.update(
            edition=self,
            happening=self.programme_page.now_and_next() if self.programme_page else None,
            contacts=self.get_contacts(),
            venues=list(self.venues.all()),
            partner_groups=[
                (label, [p for p in partners if p.role == role])
                for role, label in EditionPartner.Role.choices
                if any(p.role == role for p in partners)
            ],
            links=list(self.links.select_related("link_page", "link_document")),
            # A summary per day (its number of sessions), not every session: the
            # programme and the day pages carry those.
            days=(
                list(self.programme_page.live_days().annotate(session_count=Count("sessions")))
                if self.programme_page
                else []
            ),
            documents=(self.documents_page.get_documents() if self.documents_page else []),
            open_data_url=self.get_url(request) + self.reverse_subpage("open_data"),
        )
        return context


coordinate_help = _("Decimal degrees, as OpenStreetMap shows them: 50.254650")


class Venue(Orderable):
    """A place where sessions happen. The first one is the main venue."""

    edition = ParentalKey(EditionPage, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(
        _("name"), max_length=200, help_text=_("For example: the square by the library.")
    )
    # The postal address in its parts, as search engines and maps read it (schema.org's
    # PostalAddress): the street and house, the postcode, the city (empty: the
    # edition's) and the region; the country is the site's, Ukraine.
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("The street and house, without the city: Новий бульвар, 4."),
    )
    postal_code = models.CharField(
        _("postcode"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A Ukrainian postcode has five digits."))],
        help_text=_("Five digits: 10014."),
    )
    locality = models.CharField(
        _("city or village"),
        max_length=100,
        blank=True,
        help_text=_("Empty means the edition's city."),
    )
    region = models.CharField(
        _("region"),
        max_length=100,
        blank=True,
        help_text=_("For example: Житомирська область."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=coordinate_help,
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Decimal degrees: 28.658667"),
    )
    access_note = models.TextField(
        _("accessibility"),
        max_length=500,
        blank=True,
        help_text=_("Steps and ramps, toilets, shade, seating: what a visitor should know."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("postal_code"), FieldPanel("locality"), FieldPanel("region")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldPanel("access_note"),
    ]

    api_fields = [
        APIField("name"),
        APIField("address"),
        APIField("postal_code"),
        APIField("locality"),
        APIField("region"),
        APIField("latitude", serializer=CoordinateField()),
        APIField("longitude", serializer=CoordinateField()),
        APIField("access_note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})

    def city(self, edition):
        """The city or village of the venue: its own, else the edition's."""
        return self.locality or edition.city

    def postal_address(self, edition):
        """The address on one line, as a calendar's LOCATION gives it: «Новий бульвар,
        4, Житомир, 10014»; the city alone when the street is not given."""
        parts = [self.address, self.city(edition), self.postal_code]
        return ", ".join(part for part in parts if part)

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def osm_url(self):
        if not self.has_location:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map=18/{self.latitude}/{self.longitude}"
        )


class EditionPartner(Orderable):
    """An organiser, partner or funder of the edition, with its logo."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        PARTNER = "partner", _("partner")
        FUNDER = "funder", _("funding")

    edition = ParentalKey(EditionPage, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.URLField(_("website"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("logo"), FieldPanel("url")]

    api_fields = [
        APIField("name"),
        APIField("role"),
        APIField("url"),
        APIField("logo"),
        APIField("logo_rendition", serializer=rendition("logo", "max-400x200")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class EditionLink(Orderable):
    """A useful link: a page of this site, a document, or another website."""

    edition = ParentalKey(EditionPage, on_delete=models.CASCADE, related_name="links")
    # A context of its own: Wagtail's form fields have a "label" too, translated otherwise.
    label = models.CharField(pgettext_lazy("useful link", "label"), max_length=200)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page of this site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.URLField(_("other website"), blank=True)

    panels = [
        FieldPanel("label"),
        FieldPanel("link_page"),
        FieldPanel("link_document"),
        FieldPanel("link_url"),
    ]

    api_fields = [
        APIField("label"),
        APIField("link_page"),
        APIField("link_document", serializer=DocumentFileField()),
        APIField("link_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        targets = [self.link_page_id, self.link_document_id, self.link_url]
        if sum(1 for target in targets if target) != 1:
            raise ValidationError(
                {"link_url": _("Choose exactly one: a page, a document or a web address.")}
            )

    @property
    def url(self):
        if self.link_page_id:
            return self.link_page.url
        if self.link_document_id:
            return self.link_document.url
        return self.link_url

    @property
    def is_external(self):
        return bool(self.link_url)
