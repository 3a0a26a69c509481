"""`load_demo` builds the 2017 Zhytomyr edition from the seed, once."""

import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from events.models import DayPage, EditionPage, Session, TrackPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(home_page):
    call_command("load_demo", verbosity=0)
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
