"""Next year's edition from this one: a draft copy of the edition's tree with every
date shifted by one offset, the sessions' themes and venues pointing at the copies,
the internal links of its texts remapped, and nothing of the old edition touched.

Built on Wagtail's own page copy (`CopyPageAction`: child rows, revisions, the log,
page permissions), one part at a time, in one transaction."""

import datetime
import io
import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.actions.copy_page import CopyPageAction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry
from wagtail.utils.file import hash_filelike

from documents.models import DocumentsPage

from .indexing import references_indexed_once
from .models import (
    DayPage,
    EditionPage,
    ProgrammePage,
    QuestionnairePage,
    RegistrationFormPage,
    TrackPage,
    year_slug,
)
from .yeartext import DateShift

# What an editor may leave out, in the order of the form and the command's --without.
PARTS = {
    "tracks": _("Thematic tracks"),
    "programme": _("Programme days"),
    "sessions": _("Sessions of the programme days"),
    "documents": _("Links to the documents (without them, an empty documents page)"),
    "forms": _("Registration form and project questionnaire: fields and texts"),
    "partners": _("Partners, contacts and links"),
    "texts": _("Texts: what it is, goals, audience, history"),
}
FORM_PAGES = (RegistrationFormPage, QuestionnairePage)
# Texts the rollover does not rewrite: the format's history is true of the old year
# (the checklist lists it).
KEPT_TEXTS = {EditionPage: ("history",)}
LINK_TAG = re.compile(r"<a\b[^>]*>")
LINK_ID = re.compile(r'(\sid=")(\d+)(")')


class RolloverError(Exception):
    """The rollover cannot be done as asked; the message is for the editor."""


# The last date a copy may have: a moment on it exists in every time zone (on the
# calendar's very last day, Kyiv's time would run past the year 9999).
LAST_DATE = datetime.date.max - datetime.timedelta(days=1)


def copy_image(image, user=None, filename=None, **texts):
    """A copy of an image with a file of its own (same collection, focal point and
    tags), with `texts` (title, description) instead of the image's."""
    with image.open_file() as file:
        data = file.read()
    copy = type(image)(
        **{"title": image.title, "description": image.description, **texts},
        collection_id=image.collection_id,
        focal_point_x=image.focal_point_x,
        focal_point_y=image.focal_point_y,
        focal_point_width=image.focal_point_width,
        focal_point_height=image.focal_point_height,
        uploaded_by_user=user or image.uploaded_by_user,
        file_size=len(data),
        file_hash=hash_filelike(io.BytesIO(data)),
    )
    filename = filename or os.path.basename(image.file.name)
    copy.file.save(filename, ContentFile(data), save=False)
    copy.width, copy.height = image.width, image.height
    copy.save()
    copy.tags.add(*image.tags.all())
    return copy


def next_start_date(edition, year):
    """The start in `year` on the same weekday as the edition's, as near as possible to
    the same calendar date (Monday 12 June 2017 → Monday 11 June 2018)."""
    start = edition.start_date
    try:
        try:
            same_date = start.replace(year=year)
        except ValueError:  # 29 February
            same_date = start.replace(year=year, day=28)
        shift = (start.weekday() - same_date.weekday() + 3) % 7 - 3
        return same_date + datetime.timedelta(days=shift)
    except (ValueError, OverflowError) as error:  # a year past the calendar's
        raise RolloverError(
            _("The year %(year)s is outside the calendar: choose a year up to %(last)s.")
            % {"year": year, "last": LAST_DATE.year}
        ) from error


def address_taken(home, year):
    """What to say when the new edition's address, /<year>/, is taken under the home
    page: by the edition of that year, or by another page with that slug."""
    page = home.get_children().filter(slug=year_slug(year)).first()
    if page is None:
        return None
    if page.specific_class is EditionPage:
        return _("The %(year)s edition already exists: nothing was created.") % {"year": year}
    return _(
        "The address /%(year)s/ is taken by the page «%(title)s»: change that page's "
        "slug (on its «Promote» tab) or delete it, then create the edition. Nothing was "
        "created."
    ) % {"year": year, "title": page.get_admin_display_title()}


def year_taken(home, year):
    return address_taken(home, year) is not None


def two_days_on_one_date(edition):
    """What to say when the programme has two days on one date (the page editor refuses
    that now; older programmes may have it): their copies could not be kept apart."""
    date = (
        DayPage.objects.descendant_of(edition)
        .values("date")
        .annotate(days=Count("pk"))
        .filter(days__gt=1)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if date is None:
        return None
    return _(
        "The programme has two days on %(date)s: change the date of one of them or "
        "delete it, then create the next edition. Nothing was created."
    ) % {"date": date.strftime("%d.%m.%Y")}


def days_outside_dates(edition):
    """What to say when a programme day is outside the edition's dates (the page editor
    refuses that now; older programmes may have it): moved by the offset it would still
    be outside, and in the new edition nobody could save it."""
    day = (
        DayPage.objects.descendant_of(edition)
        .exclude(date__range=(edition.start_date, edition.end_date))
        .order_by("date")
        .first()
    )
    if day is None:
        return None
    return _(
        "The programme day «%(title)s» is on %(date)s, outside the edition's dates "
        "(%(start)s – %(end)s): change the date of the day or of the edition, then create "
        "the next edition. Nothing was created."
    ) % {
        "title": day.title,
        "date": day.date.strftime("%d.%m.%Y"),
        "start": edition.start_date.strftime("%d.%m.%Y"),
        "end": edition.end_date.strftime("%d.%m.%Y"),
    }


def past_the_calendar(edition, start_date):
    """What to say when a date of the copy (the end, a day, a form's opening or closing)
    would fall past the last date there is."""
    offset = start_date - edition.start_date
    latest = [edition.end_date, edition.published_on]
    latest.append(DayPage.objects.descendant_of(edition).aggregate(Max("date"))["date__max"])
    for model in FORM_PAGES:
        times = model.objects.descendant_of(edition).aggregate(Max("opens_at"), Max("closes_at"))
        latest += [timezone.localtime(moment).date() for moment in times.values() if moment]
    latest = max(date for date in latest if date)
    if offset.days <= 0 or (LAST_DATE - latest).days >= offset.days:
        return None
    return _(
        "From this start date the new edition would have dates past %(last)s (this "
        "edition's dates run to %(latest)s): choose an earlier year or start date."
    ) % {"last": LAST_DATE.strftime("%d.%m.%Y"), "latest": latest.strftime("%d.%m.%Y")}


@dataclass
class Rollover:
    """One rollover: `edition` to the edition that starts on `start_date`, without the
    parts named in `without` (keys of PARTS), as `user` (None: no permission checks, as
    in the management command). `progress` hears a line per part."""

    edition: EditionPage
    start_date: datetime.date
    without: frozenset = frozenset()
    user: object = None
    progress: object = None
    counts: dict = field(default_factory=dict)

    def __post_init__(self):
        self.offset = self.start_date - self.edition.start_date
        self.old_year = year_slug(self.edition.start_date)
        self.new_year = year_slug(self.start_date)
        self.home = self.edition.get_parent().specific
        self.pages = {}  # old page id → its copy
        self.tracks = {}  # old track id → its copy
        self.images = {}  # old image id → the new edition's copy with shifted texts

    @cached_property
    def dates(self):
        # On first use, after `refusals`: with dates past the calendar it cannot be made.
        return DateShift(self.edition.start_date, self.edition.end_date, self.start_date)

    def includes(self, part):
        return part not in self.without

    def refusals(self):
        """What stops this rollover, as (the form's field, the message for the editor):
        the form shows them next to its fields, `run` refuses with the first."""
        if message := address_taken(self.home, self.new_year):
            yield "year", message
        if message := past_the_calendar(self.edition, self.start_date):
            yield "start_date", message
        if self.includes("programme"):
            for check in (two_days_on_one_date, days_outside_dates):
                if message := check(self.edition):
                    yield "parts", message

    def run(self):
        unknown = self.without - PARTS.keys()
        if unknown:
            raise RolloverError(f"Unknown parts: {', '.join(sorted(unknown))}")
        if self.user and not self.home.permissions_for_user(self.user).can_add_subpage():
            raise PermissionDenied
        if refusal := next(self.refusals(), None):
            raise RolloverError(refusal[1])
        try:
            with transaction.atomic(), references_indexed_once():
                edition = self.copy_edition()
                for child in self.edition.get_children().specific():
                    self.copy_part(child, edition)
                self.remap_edition_links(edition)
        except OverflowError as error:  # a date in a text moved past the calendar's end
            self.discard_files()
            raise RolloverError(
                _(
                    "From this start date a date in the edition's texts would fall past "
                    "%(last)s: choose an earlier year or start date. Nothing was created."
                )
                % {"last": LAST_DATE.strftime("%d.%m.%Y")}
            ) from error
        except BaseException:
            self.discard_files()
            raise
        return edition

    def discard_files(self):
        """The files of the images copied for the new edition, when the copy is not kept
        (it failed, or a dry run rolled it back): the database forgets them, the storage
        does not."""
        for image in self.images.values():
            image.file.storage.delete(image.file.name)
        self.images.clear()

    # One page ------------------------------------------------------------------------

    def texts(self, page):
        """The page's text fields (title, SEO title and description, rich and plain
        text) with the old edition's year and dates moved to the new edition's."""
        return self.dates.shifted_fields(page, KEPT_TEXTS.get(type(page), ()))

    def copy(self, page, to, update=None, exclude=(), process=None):
        def process_row(old, copy, relation, row):
            # Each copied row's texts as the page's, in the same pass (no query).
            self.dates.shift_object(row)
            if process:
                process(old, copy, relation, row)

        copy = CopyPageAction(
            page,
            to=to,
            update_attrs={
                **self.texts(page),
                "go_live_at": None,
                "expire_at": None,
                **(update or {}),
            },
            exclude_fields=list(exclude),
            keep_live=False,  # a draft, whatever the original
            copy_revisions=False,  # the new edition's history starts here
            user=self.user,
            process_child_object=process_row,
        ).execute(skip_permission_checks=self.user is None)
        self.pages[page.pk] = copy
        return copy.specific

    def shifted(self, value):
        return value + self.offset if value else value

    def say(self, message):
        if self.progress:
            self.progress(message)

    def count(self, name, number=1):
        self.counts[name] = self.counts.get(name, 0) + number

    # The images and documents the user may use ----------------------------------------

    def usable(self, obj, policy):
        if obj is None or self.user is None or self.user.is_superuser:
            return obj
        if policy.user_has_permission_for_instance(self.user, "choose", obj):
            return obj
        return None

    def image(self, image):
        return self.dated_image(self.usable(image, policy_registry.get_by_type(get_image_model())))

    def dated_image(self, image):
        """An image whose title or alt text mentions the old year: for the new edition,
        a copy of its own (its own file, same collection) with the texts shifted; the old
        edition keeps its image."""
        if image is None or not (
            self.dates.mentions(image.title) or self.dates.mentions(image.description)
        ):
            return image
        if image.pk not in self.images:
            self.images[image.pk] = copy_image(
                image,
                user=self.user,
                # its file's name says the new year too, as the image's URLs do
                filename=re.sub(
                    rf"(?<!\d){self.old_year}(?!\d)",
                    self.new_year,
                    os.path.basename(image.file.name),
                ),
                title=self.dates.shift(image.title),
                description=self.dates.shift(image.description),
            )
            self.count("images")
        return self.images[image.pk]

    def document(self, document):
        return self.usable(document, policy_registry.get_by_type(get_document_model()))

    # The parts ---------------------------------------------------------------------

    def copy_edition(self):
        old = self.edition
        update = {
            "slug": self.new_year,
            "start_date": self.start_date,
            "end_date": self.shifted(old.end_date),
            "published_on": self.shifted(old.published_on),
            "hero_image": self.image(old.hero_image),
        }
        exclude = []
        if not self.includes("texts"):
            update.update(about="", history="", goals=[], audience=[])
        if not self.includes("partners"):
            update.update(contact_email="", contact_phone="")
            exclude += ["partners", "links"]

        def process(page, copy, relation, child):
            name = relation.get_accessor_name()
            if name == "partners":
                child.logo = self.image(child.logo)
            elif name == "links":
                child.link_document = self.document(child.link_document)

        edition = self.copy(old, self.home, update, exclude, process)
        self.venues = dict(
            zip(
                old.venues.order_by("sort_order", "pk").values_list("pk", flat=True),
                edition.venues.order_by("sort_order", "pk"),
                strict=True,
            )
        )
        self.count("venues", len(self.venues))
        self.count("partners", edition.partners.count())
        self.count("links", edition.links.count())
        self.say(f"Edition «{edition.title}» at /{self.new_year}/, from {self.start_date}")
        return edition

    def copy_part(self, page, edition):
        if page.pk in self.pages:
            return
        if isinstance(page, TrackPage) and self.includes("tracks"):
            copy = self.copy(page, edition, {"image": self.image(page.image)})
            self.tracks[page.pk] = copy
            self.count("tracks")
            self.say(f"Theme «{copy.title}»")
        elif isinstance(page, ProgrammePage) and self.includes("programme"):
            self.copy_programme(page, edition)
        elif isinstance(page, DocumentsPage):
            self.copy_documents(page, edition)
        elif isinstance(page, FORM_PAGES) and self.includes("forms"):
            update = {"opens_at": self.shifted(page.opens_at)}
            update["closes_at"] = self.shifted(page.closes_at)
            copy = self.copy(page, edition, update)
            self.count("forms")
            self.say(f"Form «{copy.title}» with {copy.form_fields.count()} fields")

    def copy_programme(self, programme, edition):
        # Themes are copied before the programme whatever the editor's order of pages.
        for track in TrackPage.objects.child_of(self.edition).exclude(pk__in=self.pages):
            self.copy_part(track, edition)
        copy = self.copy(programme, edition)
        sessions = self.includes("sessions")

        def process(day, day_copy, relation, session):
            if relation.get_accessor_name() == "sessions":
                session.track = self.tracks.get(session.track_id)
                session.venue = self.venues.get(session.venue_id)
                # A new edition starts planned: last year's cancellations and moves
                # (and their change log, which is not copied) stay last year's.
                session.status = session.Status.PLANNED
                session.status_note = ""

        for day in DayPage.objects.child_of(programme).specific():
            date = self.shifted(day.date)
            update = {"date": date, "slug": date.isoformat()}
            day_copy = self.copy(day, copy, update, [] if sessions else ["sessions"], process)
            self.count("days")
            self.count("sessions", day_copy.sessions.count())
            self.say(f"Day {date}: {day_copy.sessions.count()} sessions")

    def copy_documents(self, page, edition):
        links = self.includes("documents")

        def process(old, copy, relation, item):
            # A document in a collection the user may not use is left out.
            if relation.get_accessor_name() != "document_items":
                return
            if not self.document(item.document):
                copy.document_items.remove(item)
            elif not item.title and self.dates.mentions(item.document.title):
                # The document's own title would say the old year: the item's says the new.
                item.title = self.dates.shift(item.document.title)

        exclude = [] if links else ["document_items"]
        copy = self.copy(page, edition, exclude=exclude, process=process)
        self.count("documents", copy.document_items.count())
        self.say(f"Documents page with {copy.document_items.count()} documents")

    def amend(self, page, change):
        """Change a copied draft: its row, its child rows and a new revision alike."""
        draft = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
        change(draft)
        draft.save(clean=False)
        draft.save_revision(user=self.user, clean=False, changed=False)

    def remap_edition_links(self, edition):
        """The edition's texts and links point at the new edition's pages, not the old."""
        mapping = {str(old): str(new.pk) for old, new in self.pages.items()}

        def remap_tag(tag):
            if 'linktype="page"' not in tag[0]:
                return tag[0]
            return LINK_ID.sub(lambda m: m[1] + mapping.get(m[2], m[2]) + m[3], tag[0])

        def remap(html):
            return LINK_TAG.sub(remap_tag, html)

        def change(draft):
            for name in ("about", "how_to_take_part", "history"):
                setattr(draft, name, remap(getattr(draft, name)))
            for link in draft.links.all():
                if link.link_page_id in self.pages:
                    link.link_page = self.pages[link.link_page_id]

        self.amend(edition, change)
