"""«Перевірте перед публікацією»: what an editor should look at in an edition before
publishing it, compared with the edition before it, each item with a link straight to
the field, the image or the document. Read from the pages as the editor edits them
(their latest revisions), in the order of the edition's pages, in a few queries
whatever the edition's size."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision

from documents.models import DocumentItem, DocumentsPage

from .models import (
    DayPage,
    EditionLink,
    EditionPage,
    EditionPartner,
    QuestionnairePage,
    RegistrationFormPage,
    Session,
    TrackPage,
)
from .yeartext import DateShift, text_fields

FORM_PAGES = (RegistrationFormPage, QuestionnairePage)


@dataclass(frozen=True)
class Item:
    """One thing to check: on which page, in which field (its label), what to do, and
    the admin address that opens it. `kind` is one of KINDS."""

    page: object
    field: str
    what: str
    url: str
    kind: str

    @property
    def on_page(self):
        """Whether the address is the page's editor (not an image's or a document's)."""
        return self.kind not in ("image", "document")


KINDS = ("text", "image", "document", "form", "host")


def edit_url(page, anchor=""):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    return f"{url}#{anchor}" if anchor else url


def field_label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def of_object(model, obj, name):
    """The label of a field of an inline object: «Партнер «GIZ»: логотип»."""
    return _("%(object)s «%(name)s»: %(field)s") % {
        "object": capfirst(model._meta.verbose_name),
        "name": obj,
        "field": model._meta.get_field(name).verbose_name,
    }


def previous_edition(edition):
    """The edition before this one: its sibling that starts last before it."""
    return (
        EditionPage.objects.sibling_of(edition, inclusive=False)
        .filter(start_date__lt=edition.start_date)
        .order_by("-start_date")
        .first()
    )


def as_edited(page, revisions):
    """The page as its editor shows it: its latest revision, or its row without one.
    Built here rather than with `with_content_json`, which asks for the parent of each
    page (a query per page) to set an address this list does not need."""
    revision = revisions.get(page.latest_revision_id)
    if revision is None:
        return page
    # Without checking each foreign key (a query each): an image or a document deleted
    # since is simply not found where the checklist looks them up.
    draft = type(page).from_serializable_data(revision.content, check_fks=False)
    for name in ("pk", "id", "path", "depth", "numchild", "live", "latest_revision_id", "url_path"):
        setattr(draft, name, getattr(page, name))
    return draft


def edited_pages(edition):
    """The edition and its pages, in tree order, as their editor shows them."""
    pages = list(edition.get_descendants(inclusive=True).specific())
    ids = [page.latest_revision_id for page in pages if page.latest_revision_id]
    revisions = Revision.objects.filter(pk__in=ids).only("pk", "content").in_bulk()
    return [as_edited(page, revisions) for page in pages]


def used_files(edition):
    """The ids of the images and documents the (published) edition uses where the
    checklist looks: its hero image, its tracks' images, its partners' logos, the
    documents of its documents page and of its links."""
    images = {edition.hero_image_id}
    images.update(TrackPage.objects.child_of(edition).values_list("image_id", flat=True))
    images.update(EditionPartner.objects.filter(edition=edition).values_list("logo_id", flat=True))
    documents = set(
        DocumentItem.objects.filter(page__in=DocumentsPage.objects.child_of(edition)).values_list(
            "document_id", flat=True
        )
    )
    documents.update(
        EditionLink.objects.filter(edition=edition).values_list("link_document_id", flat=True)
    )
    return images - {None}, documents - {None}


def file_hash(obj):
    """The hash of an image's or a document's file, computed and kept by Wagtail when an
    older upload has none; none for a file that is missing."""
    try:
        return obj.get_file_hash()
    except OSError:
        return ""


def file_places(page):
    """(kind, model, inline object or None, field name, image or document id) of each
    image and document the page uses."""
    if isinstance(page, EditionPage):
        yield "image", EditionPage, None, "hero_image", page.hero_image_id
        for partner in page.partners.all():
            yield "image", EditionPartner, partner, "logo", partner.logo_id
        for link in page.links.all():
            yield "document", EditionLink, link, "link_document", link.link_document_id
    elif isinstance(page, TrackPage):
        yield "image", TrackPage, None, "image", page.image_id
    elif isinstance(page, DocumentsPage):
        for item in page.document_items.all():
            yield "document", DocumentItem, item, "document", item.document_id


class Checklist:
    """The checklist of one edition; `items()` builds it."""

    def __init__(self, edition):
        self.edition = edition
        self.previous = previous_edition(edition)
        self.dates = self.previous and DateShift(
            self.previous.start_date, self.previous.end_date, edition.start_date
        )

    def items(self):
        pages = edited_pages(self.edition)
        carried = self.carried_files(pages)
        items = []
        for page in pages:
            items += self.text_items(page)
            items += self.file_items(page, carried)
            items += self.page_items(page)
        return items

    # Texts that still speak of the previous edition -------------------------------------

    def text_items(self, page):
        if self.dates is None:
            return
        for field in text_fields(page):
            phrases = self.dates.mentions(field.value)
            if not phrases:
                continue
            yield Item(
                page,
                field.label,
                _("Still says %(phrases)s: write it for %(year)s.")
                % {
                    "phrases": ", ".join(f"«{phrase}»" for phrase in dict.fromkeys(phrases)),
                    "year": self.edition.start_date.year,
                },
                edit_url(page, field.anchor),
                "text",
            )

    # Images and documents carried over -------------------------------------------------

    def carried_files(self, pages):
        """{"image": {id: image}, "document": {id: document}} of those this edition
        shares with the previous one: the same object, or a copy of its file (the
        rollover gives an image whose texts it rewrites a copy of its own, whose pixels
        still say what the old one's said). Each document item of the pages is given
        its document, whose title names a row without a title of its own."""
        if self.previous is None:
            return {"image": {}, "document": {}}
        old = dict(zip(("image", "document"), used_files(self.previous), strict=True))
        used = {"image": set(), "document": set()}
        for page in pages:
            for kind, *_place, pk in file_places(page):
                used[kind].add(pk)
        carried = {}
        for kind, model in (("image", get_image_model()), ("document", get_document_model())):
            objects = model.objects.in_bulk(used[kind] | old[kind])
            carried[kind] = {pk: objects[pk] for pk in used[kind] & old[kind] if pk in objects}
            others = [objects[pk] for pk in used[kind] - old[kind] if pk in objects]
            if any(obj.file_hash for obj in others):
                hashes = set(
                    filter(None, (file_hash(objects[pk]) for pk in old[kind] if pk in objects))
                )
                carried[kind].update((obj.pk, obj) for obj in others if obj.file_hash in hashes)
        for page in pages:
            if isinstance(page, DocumentsPage):
                for item in page.document_items.all():
                    if item.document_id in objects:
                        item.document = objects[item.document_id]
        return carried

    def file_items(self, page, carried):
        year = self.previous.start_date.year if self.previous else None
        for kind, model, inline, name, pk in file_places(page):
            obj = carried[kind].get(pk)
            if obj is None:
                continue
            if inline is None:
                label = field_label(model, name)
            elif isinstance(inline, DocumentItem):  # its own title, or the document's
                label = of_object(model, inline.title or obj.title, name)
            else:
                label = of_object(model, inline, name)
            if kind == "image":
                what = _(
                    "The image «%(title)s» is carried over from the %(year)s edition: "
                    "check what it shows (dates may be drawn in its pixels)."
                )
                url = reverse("wagtailimages:edit", args=[obj.pk])
            else:
                what = _(
                    "The document «%(title)s» is carried over from the %(year)s "
                    "edition: check its content or upload this year's version."
                )
                url = reverse("wagtaildocs:edit", args=[obj.pk])
            yield Item(page, label, what % {"title": obj.title, "year": year}, url, kind)

    # What the page itself lacks --------------------------------------------------------

    def page_items(self, page):
        if isinstance(page, FORM_PAGES) and page.opens_at is None:
            yield Item(
                page,
                field_label(type(page), "opens_at"),
                _(
                    "The form has no opening time: it opens as soon as it is published. "
                    "Set when it opens."
                ),
                edit_url(page, "id_opens_at"),
                "form",
            )
        if isinstance(page, DayPage):
            # In the order of the editor's forms: the sessions' own (start, end, id).
            for index, session in enumerate(page.sessions.all()):
                if session.hosts.strip() or session.kind == Session.Kind.BREAK:
                    continue
                yield Item(
                    page,
                    of_object(Session, session, "hosts"),
                    _("The session has no host: name its hosts and speakers."),
                    edit_url(page, f"id_sessions-{index}-hosts"),
                    "host",
                )


def edition_checklist(edition):
    """The list of Items to check in `edition` before publishing it."""
    return Checklist(edition).items()


def grouped(items):
    """[(page, [items])] in the order of the pages."""
    groups = []
    for item in items:
        if groups and groups[-1][0].pk == item.page.pk:
            groups[-1][1].append(item)
        else:
            groups.append((item.page, [item]))
    return groups


def checklist_summary(items):
    """What the rollover's message says of the checklist."""
    if not items:
        return _("Nothing is left to check before publishing.")
    return ngettext(
        "«Check before publishing» at the top of the new edition lists %(count)s thing to check.",
        "«Check before publishing» at the top of the new edition lists %(count)s things to check.",
        len(items),
    ) % {"count": len(items)}


def checklist_lines(items, base_url="", with_urls=True):
    """The checklist as text, for the management commands: each page, then its items
    (field: what to do) with their addresses (`base_url` in front), unless
    `with_urls` is false (a dry run, whose pages and image copies are gone)."""
    lines = []
    for page, page_items in grouped(items):
        lines.append(page.title)
        for item in page_items:
            lines.append(f"  - {item.field}: {item.what}")
            if with_urls:
                lines.append(f"    {base_url}{item.url}")
    return lines
