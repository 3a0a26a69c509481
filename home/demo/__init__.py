"""Demo content: the first City Workshop in Zhytomyr, 12–17 June 2017, built from the
page the city council published about it (the seed), and from it, with the rollover,
an upcoming demonstration edition. `manage.py load_demo` calls `load_demo()`.

The facts (names, dates, place, themes, goals, audiences, partners, contacts, links)
come from the seed; the prose is written for the demo. The per-day programme is not
in the seed: its sessions are invented and marked as demo content on every day. The
images and the PDF documents are drawn with Pillow when the demo is loaded.

The package, from the bottom up:
- content.json: every text, date and colour of the demo (UTF-8), read and checked by
  content.py (`read_content`, `DemoContentError`);
- drawing.py: fonts, wrapped text, the hero, the logos and the track icons;
- sheets.py: the PDF documents (poster, plan, questionnaire);
- builders.py: the images, documents and pages of the 2017 edition;
- upcoming.py: the upcoming edition, rolled over from 2017 and published;
- here: `load_demo`, which does it all in one transaction, and its `Outcome`.
"""

from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision, Site

from events.models import (
    DayPage,
    EditionPage,
    QuestionnaireFormField,
    RegistrationFormField,
    Session,
    TrackPage,
    year_slug,
)
from home.models import HomePage

from .builders import DemoLoader
from .content import CONTENT_FILE, Content, DemoContentError, read_content
from .upcoming import UPCOMING_STARTS_IN, create_upcoming_edition, upcoming_start

__all__ = [
    "CONTENT_FILE",
    "UPCOMING_STARTS_IN",
    "Content",
    "DemoContentError",
    "Outcome",
    "load_demo",
    "read_content",
    "upcoming_start",
]


@dataclass
class Outcome:
    created: bool
    message: str
    counts: dict = field(default_factory=dict)


def find_home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        raise CommandError("No home page is the default site's root: run migrate first.")
    return home


def summary(edition, stored):
    """What the demo consists of, counted in the database."""
    pages = edition.get_descendants(inclusive=True)
    page_ids = [str(pk) for pk in [*pages.values_list("pk", flat=True), edition.get_parent().pk]]
    days = DayPage.objects.descendant_of(edition)
    return {
        "pages": pages.count(),
        "page revisions (with the home page)": Revision.page_revisions.filter(
            object_id__in=page_ids
        ).count(),
        "tracks": TrackPage.objects.child_of(edition).count(),
        "programme days": days.count(),
        "sessions": Session.objects.filter(page__in=days).count(),
        "venues": edition.venues.count(),
        "partners": edition.partners.count(),
        "links": edition.links.count(),
        "images": sum(isinstance(item, get_image_model()) for item in stored),
        "documents": sum(isinstance(item, get_document_model()) for item in stored),
        "form fields": RegistrationFormField.objects.filter(page__in=pages).count()
        + QuestionnaireFormField.objects.filter(page__in=pages).count(),
    }


def load_demo(if_empty=False, today=None):
    """Build the 2017 Zhytomyr edition unless it (or, with if_empty, any edition)
    exists, and from it, with the rollover, an upcoming demonstration edition that
    starts three weeks after `today` (Kyiv), published: open forms and a current
    edition, 2017 in the archive."""
    home = find_home()
    if if_empty and EditionPage.objects.exists():
        return Outcome(False, "An edition already exists: the demo was not loaded.")
    content = read_content()
    slug = year_slug(content.edition["start_date"])
    if EditionPage.objects.child_of(home).filter(slug=slug).exists():
        return Outcome(False, f"The {slug} edition already exists: nothing to do.")

    loader = DemoLoader(content)
    try:
        # The dates drawn in the PDFs are worded in Ukrainian, whatever the active language.
        with translation.override("uk"), transaction.atomic():
            edition = loader.load(home)
            upcoming = create_upcoming_edition(content, home, edition, today)
    except Exception:
        loader.remove_stored_files()
        raise
    message = f"Created the demo edition «{edition.title}» at {edition.url} (past)"
    counts = summary(edition, loader.stored)
    if upcoming is None:
        year = upcoming_start(today).year
        message += f"; no upcoming edition: {year} is the demo's year or already taken"
    else:
        message += (
            f", and from it with the rollover the upcoming demonstration edition at "
            f"{upcoming.url}, from {upcoming.start_date}, published"
        )
        counts["upcoming edition's pages (published)"] = (
            upcoming.get_descendants(inclusive=True).live().count()
        )
        counts["upcoming edition's programme days"] = DayPage.objects.descendant_of(
            upcoming
        ).count()
    return Outcome(True, message, counts)
