"""The documents page of an edition: an ordered list of downloadable documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from events.api_fields import DocumentItemsField
from events.models import EditionChildMixin
from home.panels import InlinePanel


class DocumentsPage(EditionChildMixin, Page):
    """The edition's documents (the programme poster, the plan, the questionnaire…),
    each with a title and a short description, to read and download."""

    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["events.EditionPage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "pages/documents_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.RelatedFields(
            "document_items",
            [
                index.SearchField("title"),
                index.SearchField("description"),
                index.RelatedFields("document", [index.SearchField("title")]),
            ],
        ),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "document_items",
            heading=_("Documents"),
            label=_("Document"),
            add_label=_("Add a document"),
        ),
    ]
    api_fields = [
        APIField("intro"),
        APIField("documents", serializer=DocumentItemsField(source="document_items")),
    ]

    class Meta:
        verbose_name = _("documents page")
        verbose_name_plural = _("documents pages")

    def get_documents(self):
        return list(self.document_items.select_related("document"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["documents"] = self.get_documents()
        return context


class DocumentItem(Orderable):
    """One document on the documents page, as the public sees it."""

    page = ParentalKey(DocumentsPage, on_delete=models.CASCADE, related_name="document_items")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Empty: the document's own title.")
    )
    description = models.TextField(_("short description"), max_length=500, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.document.title

    @property
    def file_type(self):
        return self.document.file_extension.upper()
