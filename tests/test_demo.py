"""`load_demo` builds the 2017 Zhytomyr edition from the seed, once, and from it with
the rollover an upcoming demonstration edition three weeks ahead."""

import ast
import datetime
import json
import tomllib
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

import home.demo
from events.models import DayPage, EditionPage, RegistrationSubmission, Session, TrackPage
from home.demo import CONTENT_FILE, DemoContentError, read_content

from .helpers import ROOT, registration

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
        "Програма (постер)",  # 14 documents
        "План Майстерні міста 2017",
        "Анкета опису проєкту",
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


def test_demo_content_is_read_with_its_dates_times_and_kinds():
    content = read_content()
    start = datetime.date(2017, 6, 12)
    assert content.edition["start_date"] == start
    assert content.edition["published_on"] == datetime.date(2017, 6, 8)
    assert [day["date"] for day in content.days] == [
        start + datetime.timedelta(days=i) for i in range(6)
    ]
    opening = content.days[0]["sessions"][0]
    assert (opening["start"], opening["end"]) == (datetime.time(15), datetime.time(15, 30))
    assert opening["kind"] is Session.Kind.OPENING
    assert opening["track"] is None and opening["spot"] == "Сцена"


def content_with(tmp_path, change):
    """A copy of the demo's content.json with `change` made to its data."""
    data = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def session(day, index, **values):
    return lambda data: data["days"][day]["sessions"][index].update(values)


def day(index, **values):
    return lambda data: data["days"][index].update(values)


DAY_3_BREAK = "days[2] «День 3. Велотранспорт» › sessions[3] «Перерва»"
DAY_1_LECTURE = (
    "days[0] «День 1. Громадський простір» › "
    "sessions[1] «Місто для людей: що робить громадський простір живим»"
)
MISTAKES = {
    "end before start": (
        session(2, 3, end="17:00"),
        f"content.json, {DAY_3_BREAK}: end 17:00 is not after start 17:30",
    ),
    "time not HH:MM": (
        session(2, 3, start="17.30"),
        f"{DAY_3_BREAK}: start '17.30' is not a time written HH:MM",
    ),
    "time of no day": (
        session(2, 3, end="24:30"),
        f"{DAY_3_BREAK}: end '24:30' is not a time of the day",
    ),
    "unknown kind": (
        session(0, 1, kind="talk"),
        f"{DAY_1_LECTURE}: kind 'talk' is not one of: discussion, workshop, lecture,",
    ),
    "unknown track": (
        session(0, 1, track="parks"),
        f"{DAY_1_LECTURE}: track 'parks' is not a track's key",
    ),
    "misspelt key": (
        session(0, 1, decription="…"),
        f"{DAY_1_LECTURE}: unknown keys: decription",
    ),
    "date not YYYY-MM-DD": (
        day(1, date="13.06.2017"),
        "days[1] «День 2. Міська культура»: date '13.06.2017' is not a date written YYYY-MM-DD",
    ),
    "date of no calendar": (
        day(1, date="2017-06-31"),
        "days[1] «День 2. Міська культура»: date '2017-06-31' is not a date of the calendar",
    ),
    "day after the edition": (
        day(5, date="2017-06-18"),
        "days[5] «День 6. Створюй Житомир!»: date 2017-06-18 is outside the edition's dates",
    ),
    "edition date": (
        lambda data: data["edition"].update(published_on="2017-6-8"),
        "content.json, edition: published_on '2017-6-8' is not a date written YYYY-MM-DD",
    ),
    "partner role": (
        lambda data: data["partners"][2].update(role="sponsor"),
        "partners[2] «Уряд Федеративної Республіки Німеччина»: role 'sponsor' is not one of: "
        "organiser, partner, funder",
    ),
    "form field type": (
        lambda data: data["registration"]["fields"][1].update(field_type="mail"),
        "registration › fields[1] «Електронна пошта»: field_type 'mail' is not one of:",
    ),
    "link with both targets": (
        lambda data: data["links"][0].update(url="https://example.org/"),
        "links[0] «Анкета опису проєкту (PDF)»: give exactly one of document or url",
    ),
}


@pytest.mark.parametrize(("change", "message"), MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_in_the_demo_content_is_reported_with_its_entry(tmp_path, change, message):
    with pytest.raises(DemoContentError) as error:
        read_content(content_with(tmp_path, change))
    assert message in str(error.value)


def test_load_demo_with_a_mistake_in_its_content_stops_with_the_entry_and_creates_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(
        home.demo.content, "CONTENT_FILE", content_with(tmp_path, session(2, 3, kind="pause"))
    )
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("load_demo", verbosity=0)
    assert f"{DAY_3_BREAK}: kind 'pause' is not one of" in str(error.value)
    assert counts() == before


def test_demo_content_file_is_shipped_with_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert CONTENT_FILE.name in package_data["home.demo"]
    assert CONTENT_FILE.is_file()


def test_the_demo_drawing_and_pdf_code_import_no_models():
    """Only the builders create pages: the drawing library and the PDF sheets take
    words and colours."""
    for name in ("drawing", "sheets"):
        tree = ast.parse(Path(home.demo.__file__).with_name(f"{name}.py").read_text())
        imported = {
            module
            for node in ast.walk(tree)
            for module in (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
        }
        models = {
            module
            for module in imported
            if module.split(".")[0] in {"events", "documents", "wagtail"}
            or module.endswith("models")
        }
        assert models == set(), name
