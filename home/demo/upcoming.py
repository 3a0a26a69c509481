"""The upcoming demonstration edition: built from the 2017 edition by the rollover,
as next year's team would, three weeks after today, and published whole, so that the
demo has open forms, a /current/ edition and 2017 in the archive.
"""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from events.models import EditionPage, QuestionnairePage, RegistrationFormPage
from events.publishing import publish_edition
from events.rollover import Rollover, year_taken

UPCOMING_STARTS_IN = datetime.timedelta(days=21)


def upcoming_start(today=None):
    """The upcoming edition's first day: three weeks after today in Kyiv."""
    return (today or timezone.localdate()) + UPCOMING_STARTS_IN


def create_upcoming_edition(content, home, edition, today=None):
    """The upcoming demonstration edition, rolled over from `edition` and published
    whole; None (and nothing created) when its year is the edition's or already has
    an edition."""
    start = upcoming_start(today)
    if start.year == edition.start_date.year or year_taken(home, start.year):
        return None
    # As the admin would: the edition as stored (its images with their sizes).
    upcoming = Rollover(EditionPage.objects.get(pk=edition.pk), start).run()
    mark_as_demonstration(content, upcoming)
    # «Опублікувати випуск», as an editor would: every page, parents first.
    report = publish_edition(upcoming)
    if report.drafts:
        left = "; ".join(f"{result.page.title}: {result.reason}" for result in report.drafts)
        raise CommandError(f"The upcoming demo edition could not be published: {left}")
    return EditionPage.objects.get(pk=upcoming.pk)


def mark_as_demonstration(content, upcoming):
    """Say on the edition's page and on its forms that they are demonstration content
    (its programme days say so already, as 2017's do). Written after the rollover, so
    that nothing of it is taken for a date to move."""
    notices = content.notices
    for page, field_name, notice in [
        (upcoming, "about", notices["upcoming_edition"]),
        *(
            (form, "intro", notices["upcoming_form"])
            for model in (RegistrationFormPage, QuestionnairePage)
            for form in model.objects.child_of(upcoming)
        ),
    ]:
        draft = page.get_latest_revision_as_object()
        setattr(draft, field_name, notice + getattr(draft, field_name))
        draft.save_revision()
