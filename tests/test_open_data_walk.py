"""The journey of a portal's editor on the demo site (2017 and the upcoming edition):
from each edition's page to its open data, every file downloaded and read as the
portal's importer reads it: Python's csv and json, each JSON file validated against the
JSON Schema generated from its own structure. The demo is loaded once for the module."""

import lxml.html
import pytest

from events import open_data
from events.models import EditionPage
from tests.test_open_data import get, read_csv, read_json, validator_for


@pytest.fixture
def demo(module_demo, db):
    return module_demo


def test_a_portal_editor_takes_every_file_of_the_demo_s_editions(client, demo):
    editions = EditionPage.objects.live().order_by("start_date")
    assert len(editions) == 2  # 2017 and the upcoming one
    for edition in editions:
        page = lxml.html.fromstring(get(client, edition.url).content)
        (href,) = page.xpath("//section[h2='Відкриті дані']//a/@href")
        listing = lxml.html.fromstring(get(client, href).content)
        for section in listing.xpath("//li[@class='dataset']"):
            files = {
                a.text_content(): a.get("href")
                for a in section.xpath(".//ul[@class='dataset__files']//a")
            }
            assert len(files) == 7
            taken = {
                label: get(client, url.removeprefix("http://testserver"))
                for label, url in files.items()
            }
            structure = read_json(taken["Структура (JSON)"])
            records = read_json(taken["Дані (JSON)"])
            validator_for(structure).validate(records)
            header, *rows = read_csv(taken["Дані (CSV)"])
            assert header == [field["name"] for field in structure["fields"]]
            assert len(rows) == len(records) > 0
            passport = read_json(taken["Паспорт (JSON)"])
            assert passport["identifier"].endswith(
                f"-{edition.start_date.year}-{section.get('id')}"
            )
            assert passport["license"]
            read_csv(taken["Паспорт (CSV)"])
            read_csv(taken["Структура (CSV)"])
            assert read_json(taken["JSON-схема (JSON)"]) == open_data.json_schema(structure)
