"""The page tree is a contract: each page type lives only where it belongs."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from documents.models import DocumentsPage
from events.factories import EditionPageFactory, ProgrammePageFactory
from events.models import (
    DayPage,
    EditionPage,
    ProgrammePage,
    QuestionnairePage,
    RegistrationFormPage,
    TrackPage,
)
from home.models import HomePage


class PageTreeTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_and_holds_editions(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {EditionPage})

    def test_edition_lives_under_home_and_holds_its_parts(self):
        self.assertAllowedParentPageTypes(EditionPage, {HomePage})
        self.assertAllowedSubpageTypes(
            EditionPage,
            {ProgrammePage, TrackPage, DocumentsPage, RegistrationFormPage, QuestionnairePage},
        )

    def test_programme_holds_only_days_and_days_hold_nothing(self):
        self.assertAllowedParentPageTypes(ProgrammePage, {EditionPage})
        self.assertAllowedSubpageTypes(ProgrammePage, {DayPage})
        self.assertAllowedParentPageTypes(DayPage, {ProgrammePage})
        self.assertAllowedSubpageTypes(DayPage, set())

    def test_tracks_documents_and_forms_are_leaves_of_an_edition(self):
        for model in (TrackPage, DocumentsPage, RegistrationFormPage, QuestionnairePage):
            with self.subTest(model=model.__name__):
                self.assertAllowedParentPageTypes(model, {EditionPage})
                self.assertAllowedSubpageTypes(model, set())

    def test_only_one_home_page_can_exist(self):
        root = Page.get_first_root_node()
        self.assertFalse(HomePage.can_create_at(root))

    def test_an_edition_has_at_most_one_programme_documents_page_and_registration_form(self):
        edition = EditionPageFactory(parent=HomePage.objects.get())
        ProgrammePageFactory(parent=edition)
        self.assertFalse(ProgrammePage.can_create_at(edition))
        self.assertTrue(DocumentsPage.can_create_at(edition))
        self.assertTrue(RegistrationFormPage.can_create_at(edition))
        self.assertTrue(QuestionnairePage.can_create_at(edition))
        self.assertTrue(TrackPage.can_create_at(edition))
