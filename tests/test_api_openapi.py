"""API v3's OpenAPI document as its consumers' tools read it, on a served demo site:
Redocly's linter finds nothing (redocly.yaml turns off the two rules Wagtail's API
cannot meet, docs/api.md says why), and a typed client that openapi-python-client
generates from it reads every page type and every file, and every link it is given
answers."""

import datetime
import importlib
import json
import os
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.helpers import ROOT, DemoSite, demo_copy, require

pytestmark = pytest.mark.checkers

REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
# Every page type of the tree (docs/architecture.md), as the generated client names
# its schema: the demo has each at least once.
PAGE_TYPES = {
    "home.HomePage": "HomePageSchema",
    "events.EditionPage": "EditionPageSchema",
    "events.ProgrammePage": "ProgrammePageSchema",
    "events.DayPage": "DayPageSchema",
    "events.TrackPage": "TrackPageSchema",
    "documents.DocumentsPage": "DocumentsPageSchema",
    "events.RegistrationFormPage": "RegistrationFormPageSchema",
    "events.QuestionnairePage": "QuestionnairePageSchema",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo site, served on a port of its own: its address is its SITE_URL."""
    database_url, media_root = demo_copy(tmp_path_factory.mktemp("site"))
    with DemoSite(database_url, media_root, loaded=True).serve() as url:
        yield url


def test_redocly_finds_nothing_wrong_in_the_served_openapi_document(site, tmp_path):
    require(REDOCLY.exists(), "Redocly CLI (npm ci)")
    document = tmp_path / "openapi.json"
    document.write_bytes(httpx.get(f"{site}/api/v3/openapi.json").raise_for_status().content)
    run = subprocess.run(
        [
            REDOCLY,
            "lint",
            "--config",
            ROOT / "redocly.yaml",
            "--format",
            "json",
            "--max-problems",
            "1000",
            document,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    report = json.loads(run.stdout)
    problems = [
        (problem["ruleId"], problem["message"], problem["location"][0]["pointer"])
        for problem in report["problems"]
    ]
    assert problems == []
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}
    assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def api_client(site, tmp_path_factory):
    """The package openapi-python-client generates from the served document (with
    `--fail-on-warning`: an operation it cannot generate fails here), imported."""
    workdir = tmp_path_factory.mktemp("client")
    config = workdir / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--url",
            f"{site}/api/v3/openapi.json",
            "--meta",
            "none",
            "--config",
            config,
            "--output-path",
            workdir / "wagtail_api_client",
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module("wagtail_api_client")
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name.startswith("wagtail_api_client")]:
            del sys.modules[name]


def urls_in(data, key=""):
    """Every address an answer gives: the values of its `…url` keys, at any depth."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from urls_in(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from urls_in(value, key)
    elif isinstance(data, str) and key.endswith("url"):
        yield data


def every(list_operation, client):
    """All the items of a listing, page after page of WAGTAILAPI_LIMIT_MAX."""
    items, offset = [], 0
    while True:
        answer = list_operation.sync(client=client, limit=50, offset=offset)
        items += answer.items
        offset += 50
        if offset >= answer.count:
            return items


@pytest.mark.slow
def test_a_generated_typed_client_reads_everything_and_every_link_answers(site, api_client):
    from wagtail_api_client.api.documents import documents_detail, documents_list
    from wagtail_api_client.api.images import images_detail, images_list
    from wagtail_api_client.api.pages import pages_detail, pages_list
    from wagtail_api_client.models import ProblemDetail

    # Anonymous reading: openapi-python-client annotates these operations with
    # AuthenticatedClient, reading the optional token (`security: [{Bearer}, {}]`)
    # as a required one (docs/api.md); the plain Client is what they call.
    client = api_client.Client(base_url=site, raise_on_unexpected_status=True)
    answers = []
    for listed in every(pages_list, client):
        answers.append(listed)
        page = pages_detail.sync(listed.id, client=client)
        assert type(page).__name__ == PAGE_TYPES[page.meta.type_]
        answers.append(page)
    read = {type(answer).__name__ for answer in answers}
    assert set(PAGE_TYPES.values()) <= read

    # The typed values a consumer's code relies on, through the generated models.
    days = [answer for answer in answers if type(answer).__name__ == "DayPageSchema"]
    sessions = [session for day in days for session in day.sessions]
    # Moments with their offset (Kyiv's, +02:00 or +03:00 by the season).
    offsets = {
        datetime.datetime.fromisoformat(session.starts_at).utcoffset() for session in sessions
    }
    kyiv = {datetime.timedelta(hours=2), datetime.timedelta(hours=3)}
    assert sessions and offsets <= kyiv
    edition = next(answer for answer in answers if type(answer).__name__ == "EditionPageSchema")
    assert all(isinstance(venue.latitude, float) for venue in edition.venues)
    documents_page = next(a for a in answers if type(a).__name__ == "DocumentsPageSchema")
    assert documents_page.documents and documents_page.documents[0].document.full_url

    for list_operation, detail_operation in (
        (documents_list, documents_detail),
        (images_list, images_detail),
    ):
        listed = every(list_operation, client)
        assert listed
        for item in listed:
            answers += [item, detail_operation.sync(item.id, client=client)]

    # Every address is the canonical one (the served site's SITE_URL, its Site record)
    # or another website's (partners, useful links), and each of ours answers 200.
    links = {urljoin(site + "/", url) for answer in answers for url in urls_in(answer.to_dict())}
    ours = {url for url in links if url.startswith(site + "/")}
    assert {urlsplit(url).scheme for url in links} <= {"http", "https"}
    meta = [answer.to_dict()["meta"] for answer in answers]
    for key in ("detail_url", "html_url"):
        given = [item[key] for item in meta if key in item]
        assert given and all(url.startswith(site + "/") for url in given), key
    assert any("/documents/" in url and url.endswith(".pdf") for url in ours)
    assert any("/media/images/" in url for url in ours)
    with httpx.Client() as browser:
        failing = {url: browser.get(url).status_code for url in sorted(ours)}
    assert {url: status for url, status in failing.items() if status != 200} == {}

    # A refused query is a typed problem document, as the document says.
    refused = pages_list.sync_detailed(client=client, search="a\x00b")
    assert refused.status_code == 400
    assert isinstance(refused.parsed, ProblemDetail)
    assert "control characters" in refused.parsed.detail
