"""The rollover's speed (benchmarks/rollover.py times it at Lviv's scale): Wagtail's
reference index is updated once per copied object (events/indexing.py), not at every
save of every row, and ends up as a full rebuild would make it."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, ReferenceIndex

from events.factories import EditionPartnerFactory, ImageFactory, SessionFactory
from events.indexing import references_indexed_once
from events.models import DayPage, EditionLink, EditionPage, RegistrationFormPage
from events.rollover import Rollover


def index_rows():
    return set(
        ReferenceIndex.objects.values_list(
            "content_type",
            "base_content_type",
            "object_id",
            "to_content_type",
            "to_object_id",
            "model_path",
            "content_path",
        )
    )


@pytest.fixture
def linked_edition(edition):
    """The small edition with what the reference index records: a partner's logo, a
    link to a page, a page linked from the text, documents, sessions' tracks."""
    EditionPartnerFactory(edition=edition, logo=ImageFactory())
    form = RegistrationFormPage.objects.child_of(edition).get()
    EditionLink.objects.create(edition=edition, label="Реєстрація", link_page=form)
    edition.how_to_take_part = f'<p><a linktype="page" id="{form.pk}">Зареєструйтеся</a></p>'
    edition.save_revision().publish()
    return EditionPage.objects.get(pk=edition.pk)


def test_the_reference_index_after_a_rollover_is_what_a_rebuild_makes(linked_edition):
    new = Rollover(linked_edition, datetime.date(2018, 6, 11)).run()
    after = index_rows()
    new_pages = {str(pk) for pk in new.get_descendants(inclusive=True).values_list("pk", flat=True)}
    paths = {row[5] for row in after if row[2] in new_pages}
    # The copies' references are there: logo, page links (row and text), documents, tracks.
    assert {"partners.item.logo", "links.item.link_page", "how_to_take_part."} <= paths
    assert {"document_items.item.document", "sessions.item.track"} <= paths
    call_command("rebuild_references_index", verbosity=0)
    assert index_rows() == after


def test_a_block_that_fails_indexes_nothing_and_deletions_are_indexed(linked_edition):
    day = DayPage.objects.descendant_of(linked_edition).first()
    rows = index_rows()
    with pytest.raises(RuntimeError), references_indexed_once():
        SessionFactory(page=day, track=None, title="Нова")
        raise RuntimeError
    assert index_rows() == rows  # nothing indexed for the block that failed
    logo = linked_edition.partners.get().logo
    with references_indexed_once():
        logo.delete()  # the partner's logo: the reference to it goes at once
    assert not [row for row in index_rows() if row[5] == "partners.item.logo"]


def test_the_rollover_costs_one_query_more_per_session(edition):
    """Before: some thirteen queries per session (its day's index built again)."""
    days = list(DayPage.objects.descendant_of(edition))
    counts = []
    for start in (datetime.date(2018, 6, 11), datetime.date(2019, 6, 10)):
        with CaptureQueriesContext(connection) as queries:
            Rollover(edition, start).run()
        counts.append(len(queries))
        for day in days:  # ten sessions more on each day for the second rollover
            for number in range(10):
                SessionFactory(page=day, title=f"Подія {number}")
    added = 10 * len(days)
    assert counts[1] - counts[0] <= added + 5, counts
    assert Page.objects.type(EditionPage).count() == 3
