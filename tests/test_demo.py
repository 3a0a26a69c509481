"""`load_demo` builds the 2017 Zhytomyr edition from the seed, once, and from it with
the rollover an upcoming demonstration edition three weeks ahead."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from events.models import DayPage, EditionPage, RegistrationSubmission, Session, TrackPage

from .helpers import registration

pytestmark = pytest.mark.django_db

KYIV = datetime.timezone(datetime.timedelta(hours=2))  # winter time
TODAY = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=KYIV)
DEMO_LOADED_AT = TODAY  # tests/conftest.py's module_demo: loaded once, on that day


@pytest.fixture
def demo(module_demo, home_page):
    """The demo as `manage.py load_demo` builds it (once for the module)."""
    return EditionPage.objects.get(slug="2017")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Page, Revision, Session, get_image_model(), get_document_model())
    }


def test_load_demo_is_idempotent(demo):
    before = counts()
    call_command("load_demo", verbosity=0)
    call_command("load_demo", "--if-empty", verbosity=0)
    assert counts() == before


def test_demo_edition_renders_at_its_year_with_six_days(client, demo):
    response = client.get("/2017/")
    assert response.status_code == 200
    days = DayPage.objects.descendant_of(demo).live().order_by("date")
    assert [day.date.day for day in days] == [12, 13, 14, 15, 16, 17]
    assert all(day.sessions.exists() for day in days)
    programme = client.get(f"{demo.url}programme/")
    assert programme.status_code == 200
    for day in days:
        assert client.get(day.url).status_code == 200


def test_demo_edition_page_shows_every_item_of_the_seed(client, demo):
    html = client.get("/2017/").content.decode()
    seed_items = [
        "Майстерня міста Житомир",  # 1 title
        "8 червня 2017",  # 1 publication date
        "Громадський простір",  # 3 the four themes
        "Міська культура",
        "Велотранспорт",
        "Екологія та енергоощадність",
        "Живи Житомиром! Створюй Житомир!",  # 4 slogan
        "GIZ",  # 5 organisers, partners, funders
        "Житомирська міська рада",
        "Німеччин",
        "Швейцарськ",
        "Ольжича",  # 6 venue
        "12–17 червня 2017",  # 7 dates
        "2012",  # 11 history
        "+38 097 7583244",  # 12 contacts
        "@example.org",
        "http://www.maisterniamista.org.ua/",  # 13 useful links
        "https://www.facebook.com/UrbanWorkshopZhytomyr/",
        "Програма постер",  # 14 documents
        "ПЛАН МАЙСТЕРНЯ МІСТА 2017",
        "Анкета опису проекту",
    ]
    missing = [item for item in seed_items if item not in html]
    assert missing == []
    assert len(demo.goals) == 7  # 8 goals
    assert len(demo.audience) == 6  # 9 who is invited
    for block in [*demo.goals, *demo.audience]:
        assert str(block.value).replace("'", "&#x27;") in html
    assert demo.registration_page.url in html  # 10 how to take part
    assert demo.about  # 2 what it is
    assert TrackPage.objects.child_of(demo).count() == 4


def test_demo_documents_are_real_pdf_files(demo):
    documents = demo.documents_page.get_documents()
    assert len(documents) == 3
    for item in documents:
        with item.document.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"


def test_demo_registration_form_has_readable_field_names(demo):
    names = {field.clean_name for field in demo.registration_page.form_fields.all()}
    assert {"name", "email"} <= names


def test_demo_has_two_editions_the_upcoming_one_rolled_over_three_weeks_ahead(module_demo, db):
    outcome = module_demo
    assert outcome.created
    editions = EditionPage.objects.order_by("start_date")
    assert [edition.slug for edition in editions] == ["2017", "2026"]
    past, upcoming = editions
    assert upcoming.start_date == datetime.date(2026, 12, 23)
    assert upcoming.end_date - upcoming.start_date == past.end_date - past.start_date
    # Published whole, and marked as demonstration content.
    pages = upcoming.get_descendants(inclusive=True)
    assert pages.count() == past.get_descendants(inclusive=True).count()
    assert not pages.not_live().exists()
    assert not pages.filter(has_unpublished_changes=True).exists()
    assert upcoming.about.startswith("<p><b>Демонстраційний випуск.</b>")
    assert "/2026/" in outcome.message and "2026-12-23" in outcome.message
    assert outcome.counts["upcoming edition's pages (published)"] == pages.count()
    assert outcome.counts["upcoming edition's programme days"] == 6


def test_the_upcoming_demo_edition_is_current_with_open_forms_and_2017_archived(client, demo):
    with time_machine.travel(TODAY):
        assert client.get("/current/")["Location"] == "/2026/"
        form = client.get("/current/registration/", follow=True)
        assert form.redirect_chain == [("/2026/registration/", 302)]
        html = form.content.decode()
        assert "Демонстраційна форма." in html and "<form" in html.split("<main", 1)[1]
        sent = client.post(
            "/2026/registration/",
            registration(name="Олена", email="o@example.org", participation="Учасник"),
        )
        assert sent.status_code == 303
        closed = client.get("/2017/registration/").content.decode()
        home = client.get("/").content.decode()
        about = client.get("/2026/").content.decode()
    assert RegistrationSubmission.objects.get().page.url == "/2026/registration/"
    assert "Реєстрацію закрито." in closed
    assert 'href="/2026/registration/"' in closed
    assert 'href="/2017/"' in home and 'href="/2026/"' in home
    assert "Демонстраційний випуск." in about
