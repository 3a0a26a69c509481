"""An edition's open data for the city's portal (data.gov.ua): every dataset (sessions,
venues, themes, partners) in CSV and JSON, read back with real parsers (Python's csv
and json, LibreOffice for the CSV), each JSON file validated against the JSON Schema
generated from its own structure file, the passports complete with the licence of the
site settings, only live and public content, a bounded number of queries per file, and
a rollover's new edition with datasets of its own."""

import csv
import datetime
import io
import json
import re
from zoneinfo import ZoneInfo

import jsonschema
import lxml.html
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from events import open_data
from events.factories import (
    DayPageFactory,
    EditionPageFactory,
    EditionPartnerFactory,
    SessionFactory,
    TrackPageFactory,
    build_edition_at_lviv_scale,
)
from events.models import DayPage, EditionPage, EditionPartner, ProgrammePage, TrackPage, Venue
from events.publishing import publish_edition
from events.rollover import Rollover
from home.models import OPEN_DATA_LICENCE_URLS, OpenDataLicence, SiteSettings
from home.spreadsheets import BYTE_ORDER_MARK, neutralise
from tests.test_registration import CSV_AS_EXCEL_READS_IT, by_heading, soffice  # noqa: F401

KYIV = ZoneInfo("Europe/Kyiv")
EDITION_PUBLISHED = datetime.datetime(2017, 5, 20, 10, 0, tzinfo=KYIV)
PROGRAMME_PUBLISHED = datetime.datetime(2017, 6, 1, 12, 30, tzinfo=KYIV)
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")
FORMULA = '=HYPERLINK("http://example.org","Натисніть")'
DATASETS = list(open_data.DATASETS)


def publish(page, moment):
    with time_machine.travel(moment, tick=False):
        page.specific.save_revision().publish()


@pytest.fixture
def site_settings(home_page):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organiser_name = "Житомирська міська рада"
    settings.email = "info@example.org"
    settings.open_data_contact_name = "Петрук Олена Іванівна"
    settings.open_data_contact_email = "opendata@example.org"
    settings.save()
    return settings


@pytest.fixture
def published(edition, site_settings):
    """The conftest's edition with partners, a session whose description a spreadsheet
    would take for a formula, published as the press office does: the edition and its
    themes on 20 May, the programme and its days on 1 June."""
    EditionPartnerFactory(
        edition=edition,
        name="Житомирська міська рада",
        role="organiser",
        url="https://zt.example.org/",
    )
    EditionPartnerFactory(edition=edition, name="ГО «Платформа»", role="partner", url="")
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    SessionFactory(
        page=day1,
        title="Формула",
        description=FORMULA,
        hosts="-Ведучий",
        start_time=datetime.time(16),
        end_time=datetime.time(17),
        venue=None,  # the main venue
    )
    publish(edition, EDITION_PUBLISHED)
    for track in TrackPage.objects.child_of(edition):
        publish(track, EDITION_PUBLISHED)
    programme = ProgrammePage.objects.child_of(edition).get()
    publish(programme, PROGRAMME_PUBLISHED)
    for day in DayPage.objects.child_of(programme):
        publish(day, PROGRAMME_PUBLISHED)
    return EditionPage.objects.get(pk=edition.pk)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def read_csv(response):
    """A CSV file as Excel and Python's csv module read it: UTF-8 after its byte order
    mark, one list per row."""
    text = response.content.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_json(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content.decode("utf-8"))


def file_url(edition, name):
    return f"{edition.url}open-data/{name}"


def validator_for(structure):
    schema = open_data.json_schema(structure)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def cell(value):
    """What a JSON value is as a CSV cell."""
    return str(neutralise("" if value is None else value))


@pytest.mark.parametrize("name", DATASETS)
def test_each_dataset_reads_back_the_same_in_csv_and_json_and_validates_against_its_structure(
    client, published, name
):
    structure = read_json(get(client, file_url(published, f"{name}-structure.json")))
    records = read_json(get(client, file_url(published, f"{name}.json")))
    header, *rows = read_csv(get(client, file_url(published, f"{name}.csv")))

    names = [field["name"] for field in structure["fields"]]
    assert header == names
    assert records, f"{name} is empty"
    validator_for(structure).validate(records)
    # The same records, in the same order, cell by cell (formulas neutralised in CSV).
    assert rows == [[cell(record[field]) for field in names] for record in records]
    # The JSON Schema served beside them is the one generated from the structure.
    assert read_json(get(client, file_url(published, f"{name}-schema.json"))) == (
        open_data.json_schema(structure)
    )


def test_the_json_schema_refuses_what_the_structure_does_not_allow(client, published):
    structure = read_json(get(client, file_url(published, "sessions-structure.json")))
    validator = validator_for(structure)
    record = read_json(get(client, file_url(published, "sessions.json")))[0]
    validator.validate([record])
    broken = [
        {key: value for key, value in record.items() if key != "title"},  # a field missing
        {**record, "title": ""},  # a required field empty
        {**record, "start": "10:00:00"},  # not HH:MM
        {**record, "date": "12.06.2017"},
        {**record, "id": "1"},  # a number as text
        {**record, "url": "/2017/programme/"},  # not an absolute address
        {**record, "extra": 1},
    ]
    for wrong in broken:
        assert not validator.is_valid([wrong]), wrong


def test_the_sessions_are_the_live_programme_with_their_themes_and_venues(client, published):
    sessions = read_json(get(client, file_url(published, "sessions.json")))
    themes = {t["id"]: t for t in read_json(get(client, file_url(published, "themes.json")))}
    venues = {v["id"]: v for v in read_json(get(client, file_url(published, "venues.json")))}
    by_title = {session["title"]: session for session in sessions}
    assert list(by_title) == ["Відкриття", "Прогулянка дворами", "Формула", "Велопробіг"]

    walk = by_title["Прогулянка дворами"]
    assert (walk["date"], walk["start"], walk["end"]) == ("2017-06-12", "12:00", "13:30")
    assert (walk["starts_at"], walk["ends_at"]) == (
        "2017-06-12T12:00:00+03:00",
        "2017-06-12T13:30:00+03:00",
    )
    assert themes[walk["theme_id"]]["title"] == walk["theme"] == "Громадський простір"
    assert venues[walk["venue_id"]]["name"] == walk["venue"] == "Майданчик біля бібліотеки"
    assert (walk["spot"], walk["hosts"], walk["kind_label"]) == (
        "Намет 1",
        "Олена Петрук",
        "дискусія",
    )
    assert walk["url"].startswith("http://testserver/2017/programme/2017-06-12/sessions/")
    assert get(client, walk["url"].removeprefix("http://testserver"))

    # A session without a venue is at the main venue, which is first among the venues.
    formula = by_title["Формула"]
    assert venues[formula["venue_id"]]["order"] == 1
    assert formula["description"] == FORMULA  # JSON keeps it as written
    assert (formula["theme_id"], formula["theme"]) == (None, "")

    venue = venues[formula["venue_id"]]
    assert (venue["latitude"], venue["longitude"]) == (50.25465, 28.658667)
    partners = read_json(get(client, file_url(published, "partners.json")))
    assert [(p["name"], p["role"], p["role_label"], p["website"]) for p in partners] == [
        ("Житомирська міська рада", "organiser", "організатор", "https://zt.example.org/"),
        ("ГО «Платформа»", "partner", "партнер", ""),
    ]


def test_a_csv_cell_that_looks_like_a_formula_is_text(client, published):
    header, *rows = read_csv(get(client, file_url(published, "sessions.csv")))
    formula = next(dict(zip(header, row, strict=True)) for row in rows if row[6] == "Формула")
    assert formula["description"] == f"'{FORMULA}"
    assert formula["hosts"] == "'-Ведучий"


@pytest.mark.parametrize("name", DATASETS)
def test_the_passport_has_every_element_the_resolution_asks_for(client, published, name):
    passport = read_json(get(client, file_url(published, f"{name}-passport.json")))
    assert list(passport) == [key for key, _label in open_data.PASSPORT_ELEMENTS]
    empty = [key for key, value in passport.items() if not value]
    assert empty == []

    assert passport["identifier"] == f"maisternia-mista-2017-{name}"
    assert passport["title"].endswith("Майстерня міста Житомир 2017")
    assert "«Майстерня міста Житомир 2017»" in passport["description"]
    assert passport["language"] == "українська"
    assert passport["formats"] == ["CSV", "JSON"]
    assert passport["accrual_periodicity"] == "Відразу після внесення змін"
    assert {"Майстерня міста", "Житомир"} <= set(passport["keywords"])
    assert passport["publisher"] == "Житомирська міська рада"
    assert passport["contact_point"] == "Петрук Олена Іванівна"
    assert passport["contact_email"] == "opendata@example.org"
    assert (
        passport["license"]
        == "Creative Commons «Із зазначенням авторства» 4.0 Міжнародна (CC BY 4.0)"
    )
    assert passport["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert passport["landing_page"] == "http://testserver/2017/open-data/"
    # When: the edition's for its venues and partners, its themes' for the themes, the
    # programme's latest publication for the sessions (their themes' and venues' too).
    issued = datetime.datetime.fromisoformat(passport["issued"])
    modified = datetime.datetime.fromisoformat(passport["modified"])
    assert issued == EDITION_PUBLISHED
    assert modified == (PROGRAMME_PUBLISHED if name == "sessions" else EDITION_PUBLISHED)
    assert modified.utcoffset() == datetime.timedelta(hours=3)  # Kyiv's summer time
    assert passport["valid"] == modified.date().isoformat()
    # Its links lead to the data and the structure.
    assert passport["distribution"] == [
        f"http://testserver/2017/open-data/{name}.csv",
        f"http://testserver/2017/open-data/{name}.json",
    ]
    for url in [*passport["distribution"], *passport["structure"]]:
        get(client, url.removeprefix("http://testserver"))

    # The CSV passport: the same elements, with their Ukrainian names.
    header, *rows = read_csv(get(client, file_url(published, f"{name}-passport.csv")))
    assert header == ["Поле", "Назва елемента набору даних", "Значення"]
    assert [row[0] for row in rows] == list(passport)
    assert all(CYRILLIC.search(row[1]) for row in rows)
    values = {row[0]: row[2] for row in rows}
    assert values["keywords"] == "; ".join(passport["keywords"])
    assert values["contact_email"] == "opendata@example.org"


def test_taking_a_day_or_a_theme_away_is_a_change_of_the_data(client, published):
    """A day or a theme unpublished leaves the data: the sessions' and the themes'
    passports say when, as a portal that harvests by the latest change needs."""
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    taken_away = datetime.datetime(2017, 6, 5, 18, 15, tzinfo=KYIV)
    with time_machine.travel(taken_away, tick=False):
        day.unpublish()
    sessions = read_json(get(client, file_url(published, "sessions-passport.json")))
    assert datetime.datetime.fromisoformat(sessions["modified"]) == taken_away
    themes = read_json(get(client, file_url(published, "themes-passport.json")))
    assert datetime.datetime.fromisoformat(themes["modified"]) == EDITION_PUBLISHED

    theme = TrackPage.objects.get(title="Велотранспорт")
    later = taken_away + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        theme.unpublish()
    themes = read_json(get(client, file_url(published, "themes-passport.json")))
    assert datetime.datetime.fromisoformat(themes["modified"]) == later
    assert datetime.datetime.fromisoformat(themes["issued"]) == EDITION_PUBLISHED
    assert [t["title"] for t in read_json(get(client, file_url(published, "themes.json")))] == [
        "Громадський простір"
    ]


def test_the_current_edition_s_files_have_an_address_that_stays(client, published):
    """/current/open-data/… leads to the current edition's file, as every /current/
    address does: a portal may point to it once."""
    response = client.get("/current/open-data/sessions.csv")
    assert (response.status_code, response["Location"]) == (302, "/2017/open-data/sessions.csv")
    assert read_csv(client.get(response["Location"]))[0][0] == "id"


@pytest.mark.parametrize("name", DATASETS)
def test_the_structure_describes_every_field_in_ukrainian(client, published, name):
    structure = read_json(get(client, file_url(published, f"{name}-structure.json")))
    header, *rows = read_csv(get(client, file_url(published, f"{name}-structure.csv")))
    assert header == ["name", "title", "description", "datatype", "required"]
    assert [row[0] for row in rows] == [field["name"] for field in structure["fields"]]
    for row, field in zip(rows, structure["fields"], strict=True):
        assert row == [
            field["name"],
            field["title"],
            field["description"],
            field["type"],
            "true" if field["constraints"]["required"] else "false",
        ]
        assert CYRILLIC.search(field["title"]), field
        assert CYRILLIC.search(field["description"]), field
        assert field["type"] in {"integer", "number", "string", "date", "time", "datetime"}
    assert structure["primaryKey"] == ["id"]


@pytest.mark.parametrize("licence", list(OpenDataLicence))
def test_the_licence_is_the_one_of_the_site_settings(client, published, site_settings, licence):
    site_settings.open_data_licence = licence
    site_settings.save()
    for name in DATASETS:
        passport = read_json(get(client, file_url(published, f"{name}-passport.json")))
        assert passport["license_url"] == OPEN_DATA_LICENCE_URLS[licence]
        response = get(client, file_url(published, f"{name}.csv"))
        assert response["Link"] == f'<{OPEN_DATA_LICENCE_URLS[licence]}>; rel="license"'
    page = lxml.html.fromstring(get(client, f"{published.url}open-data/").content)
    (link,) = page.xpath("//a[@rel='license']")
    assert link.get("href") == OPEN_DATA_LICENCE_URLS[licence]
    assert link.text_content() == passport["license"]


def test_without_a_responsible_person_the_passport_names_the_organiser(
    client, published, site_settings
):
    site_settings.open_data_contact_name = ""
    site_settings.open_data_contact_email = ""
    site_settings.organiser_name = ""
    site_settings.save()
    passport = read_json(get(client, file_url(published, "venues-passport.json")))
    # The edition's organisers hold the data; the site-wide e-mail answers for them.
    assert passport["publisher"] == "Житомирська міська рада"
    assert passport["contact_email"] == "info@example.org"


def test_what_is_not_live_and_public_is_not_in_the_data(client, published):
    programme = ProgrammePage.objects.child_of(published).get()
    hidden_theme = TrackPageFactory(parent=published, title="Напрям-чернетка", live=False)
    draft_day = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 14), live=False)
    SessionFactory(page=draft_day, title="Подія чернетки")
    private_day = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 15))
    SessionFactory(page=private_day, title="Подія для своїх")
    PageViewRestriction.objects.create(page=private_day, restriction_type="login")
    day1 = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    SessionFactory(page=day1, title="Подія напряму-чернетки", track=hidden_theme)
    # The edition's draft: a partner and a venue the press office has not published.
    edition = EditionPage.objects.get(pk=published.pk)
    edition.partners = [EditionPartner(name="Партнер із чернетки", role="partner")]
    edition.venues = [*edition.venues.all(), Venue(name="Місце з чернетки")]
    edition.save_revision()

    sessions = read_json(get(client, file_url(published, "sessions.json")))
    titles = {session["title"] for session in sessions}
    assert titles.isdisjoint({"Подія чернетки", "Подія для своїх"})
    of_hidden_theme = next(s for s in sessions if s["title"] == "Подія напряму-чернетки")
    assert (of_hidden_theme["theme_id"], of_hidden_theme["theme"]) == (None, "")
    themes = read_json(get(client, file_url(published, "themes.json")))
    assert "Напрям-чернетка" not in {theme["title"] for theme in themes}
    partners = read_json(get(client, file_url(published, "partners.json")))
    assert "Партнер із чернетки" not in {partner["name"] for partner in partners}
    venues = read_json(get(client, file_url(published, "venues.json")))
    assert "Місце з чернетки" not in {venue["name"] for venue in venues}
    everything = b"".join(
        get(client, file_url(published, f"{name}.csv")).content for name in DATASETS
    ).decode()
    for secret in ("чернетк", "Подія для своїх"):
        assert secret not in everything.replace("Подія напряму-чернетки", "")


def test_an_edition_that_is_not_live_has_no_open_data(client, home_page, published):
    draft = EditionPageFactory(
        parent=home_page,
        start_date=datetime.date(2019, 6, 10),
        end_date=datetime.date(2019, 6, 14),
        live=False,
    )
    for name in ("", "sessions.csv", "sessions.json", "venues-passport.json"):
        get(client, f"/2019/open-data/{name}", status=404)
    api = read_json(get(client, "/api/v2/pages/?type=events.EditionPage&fields=open_data"))
    assert [item["id"] for item in api["items"]] == [published.pk]
    assert draft.pk not in {item["id"] for item in api["items"]}


@pytest.mark.parametrize(
    "name",
    [
        "sessions.xml",
        "sessions-schema.csv",
        "submissions.csv",
        "SESSIONS.csv",
        "sessions-passport",
        "sessions-passport.pdf",
        "sessions--passport.csv",
        "venues-structure.json.json",
    ],
)
def test_a_file_that_is_not_there_is_a_ukrainian_not_found(client, published, name):
    response = client.get(file_url(published, name), follow=True)
    assert response.status_code == 404
    assert "Сторінку не знайдено" in response.content.decode()


def test_the_open_data_page_lists_each_dataset_with_its_files_passport_and_licence(
    client, published
):
    page = lxml.html.fromstring(get(client, "/2017/").content)
    (link,) = page.xpath(
        "//a[normalize-space()=$label]",
        label=("Події, місця, напрями й партнери випуску як відкриті дані (CSV, JSON)"),
    )
    assert link.get("href") == "/2017/open-data/"

    response = get(client, link.get("href"))
    page = lxml.html.fromstring(response.content)
    assert page.findtext(".//title") == "Відкриті дані · Майстерня міста Житомир"
    assert page.xpath("string(//h1)") == "Відкриті дані"
    sections = page.xpath("//li[@class='dataset']")
    assert [section.get("id") for section in sections] == DATASETS
    assert [section.xpath("string(h2)") for section in sections] == [
        "Події програми",
        "Місця проведення",
        "Напрями",
        "Організатори, партнери та донори",
    ]
    for section in sections:
        name = section.get("id")
        files = {
            a.text_content(): a.get("href")
            for a in section.xpath(".//ul[@class='dataset__files']//a")
        }
        assert files == {
            "Дані (CSV)": f"http://testserver/2017/open-data/{name}.csv",
            "Дані (JSON)": f"http://testserver/2017/open-data/{name}.json",
            "Паспорт (CSV)": f"http://testserver/2017/open-data/{name}-passport.csv",
            "Паспорт (JSON)": f"http://testserver/2017/open-data/{name}-passport.json",
            "Структура (CSV)": f"http://testserver/2017/open-data/{name}-structure.csv",
            "Структура (JSON)": f"http://testserver/2017/open-data/{name}-structure.json",
            "JSON-схема (JSON)": f"http://testserver/2017/open-data/{name}-schema.json",
        }
        passport = {
            row.xpath("string(th)"): row.xpath("string(td)") for row in section.xpath(".//tr")
        }
        assert passport["Відповідальна особа"] == "Петрук Олена Іванівна"
        assert passport["Ліцензія"].startswith("Creative Commons")
        assert passport["Періодичність оновлення набору даних"] == "Відразу після внесення змін"
        (updated,) = section.xpath(".//p[@class='meta']/time")
        expected = PROGRAMME_PUBLISHED if name == "sessions" else EDITION_PUBLISHED
        assert datetime.datetime.fromisoformat(updated.get("datetime")) == expected
    assert "1 червня 2017" in sections[0].xpath("string(.//p[@class='meta'])")
    text = page.text_content()
    assert "opendata@example.org" in text
    assert "Відразу після внесення змін" in text


def test_the_api_gives_each_edition_s_datasets(client, published):
    for url in (f"/api/v2/pages/{published.pk}/", f"/api/v3/pages/{published.pk}/"):
        data = read_json(get(client, url))
        links = data["open_data"]
        assert links["page"] == "http://testserver/2017/open-data/"
        assert [dataset["name"] for dataset in links["datasets"]] == DATASETS
        for dataset in links["datasets"]:
            urls = [
                *dataset["data"].values(),
                *dataset["passport"].values(),
                *dataset["structure"].values(),
                dataset["json_schema"],
            ]
            assert len(urls) == 7
            for address in urls:
                assert address.startswith("http://testserver/2017/open-data/")
                get(client, address.removeprefix("http://testserver"))
    schema = read_json(get(client, "/api/v3/openapi.json"))
    assert "OpenDataLinks" in json.dumps(schema)


def count_queries(client, url):
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The queries of the open-data page and of each kind of file, for the small edition of
# the conftest: the site, the page and its view restrictions (Wagtail's serve), the
# settings (the licence); then what the file reads: the edition's parts (a query per
# page type), the days with their sessions and their changes, the venues, the partners;
# a passport also the days' publication times and the latest unpublication.
QUERY_BUDGET = {
    "open-data/": 21,
    "open-data/sessions.csv": 17,
    "open-data/sessions.json": 17,
    "open-data/venues.csv": 8,
    "open-data/themes.json": 13,
    "open-data/partners.csv": 8,
    "open-data/sessions-passport.json": 16,
    "open-data/venues-passport.csv": 7,
    "open-data/sessions-structure.csv": 7,
    "open-data/themes-schema.json": 7,
}


def test_each_file_costs_a_fixed_number_of_queries_whatever_the_edition_s_size(
    client, home_page, published, django_assert_num_queries, django_assert_max_num_queries
):
    # 144 sessions over 12 days, six venues, four themes (and fewer kinds of parts).
    lviv = build_edition_at_lviv_scale(home_page)
    for part, budget in QUERY_BUDGET.items():
        for edition, assert_queries in (
            (published, django_assert_num_queries),
            (lviv, django_assert_max_num_queries),
        ):
            url = f"{edition.url}{part}"
            client.get(url)  # warm the caches
            with assert_queries(budget):
                assert client.get(url).status_code == 200, url


def test_the_api_s_open_data_costs_no_query(client, published, home_page):
    plain = count_queries(client, "/api/v2/pages/?type=events.EditionPage&fields=city")
    with_links = count_queries(client, "/api/v2/pages/?type=events.EditionPage&fields=open_data")
    assert with_links == plain


def test_a_rollover_s_new_edition_has_datasets_of_its_own(client, published):
    before = {name: get(client, file_url(published, f"{name}.json")).content for name in DATASETS}
    new = Rollover(published, datetime.date(2018, 6, 11)).run()
    get(client, "/2018/open-data/", status=404)  # a draft until it is published
    with time_machine.travel(datetime.datetime(2018, 3, 1, 9, tzinfo=KYIV), tick=False):
        publish_edition(EditionPage.objects.get(pk=new.pk))
    new = EditionPage.objects.get(pk=new.pk)

    sessions = read_json(get(client, file_url(new, "sessions.json")))
    themes = read_json(get(client, file_url(new, "themes.json")))
    venues = read_json(get(client, file_url(new, "venues.json")))
    old_sessions = json.loads(before["sessions"])
    assert [s["title"] for s in sessions] == [s["title"] for s in old_sessions]
    assert {s["date"] for s in sessions} == {"2018-06-11", "2018-06-12"}
    assert {s["id"] for s in sessions}.isdisjoint({s["id"] for s in old_sessions})
    assert all(s["url"].startswith("http://testserver/2018/programme/") for s in sessions)
    # The sessions refer to the new edition's own themes and venues.
    assert {s["theme_id"] for s in sessions if s["theme_id"]} <= {t["id"] for t in themes}
    assert {s["venue_id"] for s in sessions} <= {v["id"] for v in venues}
    assert {t["id"] for t in themes}.isdisjoint({t["id"] for t in json.loads(before["themes"])})
    passport = read_json(get(client, file_url(new, "sessions-passport.json")))
    assert passport["identifier"] == "maisternia-mista-2018-sessions"
    assert passport["landing_page"] == "http://testserver/2018/open-data/"
    assert passport["modified"].startswith("2018-03-01T09:00:00")
    # 2017's datasets are as they were.
    for name in DATASETS:
        assert get(client, file_url(published, f"{name}.json")).content == before[name]


def test_libreoffice_reads_the_csv_files_as_excel_would(client, published, soffice):  # noqa: F811
    content = get(client, file_url(published, "sessions.csv")).content
    # A control row, not neutralised: this reader does run a formula.
    rows = by_heading(soffice("sessions.csv", content + b"=1+2\r\n", CSV_AS_EXCEL_READS_IT))
    *sessions, control = rows
    assert control["id"]["formula"] is not None  # formulas would run
    formula = next(row for row in sessions if row["title"]["text"] == "Формула")
    assert formula["description"]["formula"] is None
    assert formula["description"]["type"] == "string"
    assert FORMULA in formula["description"]["text"]
    assert [row["title"]["text"] for row in sessions] == [
        "Відкриття",
        "Прогулянка дворами",
        "Формула",
        "Велопробіг",
    ]
    assert sessions[1]["spot"]["text"] == "Намет 1"

    venues = by_heading(
        soffice(
            "venues.csv",
            get(client, file_url(published, "venues.csv")).content,
            CSV_AS_EXCEL_READS_IT,
        )
    )
    assert [(v["latitude"]["type"], v["latitude"]["value"]) for v in venues][0] == (
        "float",
        "50.25465",
    )
    structure = by_heading(
        soffice(
            "sessions-structure.csv",
            get(client, file_url(published, "sessions-structure.csv")).content,
            CSV_AS_EXCEL_READS_IT,
        )
    )
    assert structure[6]["title"]["text"] == "Назва"
