"""Every JSON-LD block of every public page type of the demo, as a search engine reads
it: each @type and each property is schema.org's (its own vocabulary file, on a type
that admits the property), and each Event has what Google's Event rich result
requires and recommends."""

import datetime
import json
import re

import pytest

from events.models import DayPage, EditionPage, Session
from home.models import HomePage

from .helpers import require
from .schema_vocabulary import Vocabulary, nodes, vocabulary_file

pytestmark = pytest.mark.django_db

KYIV = datetime.timezone(datetime.timedelta(hours=2))  # winter time
TODAY = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=KYIV)
DEMO_LOADED_AT = TODAY  # tests/conftest.py's module_demo: loaded once, on that day
SITE = "http://testserver"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
# schema.org's EventStatusType, as `Session.status` says it.
STATUSES = {
    "planned": "https://schema.org/EventScheduled",
    "changed": "https://schema.org/EventRescheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


@pytest.fixture(scope="module")
def vocabulary():
    path = vocabulary_file()
    require(path is not None, "schema.org's vocabulary (tests/data/README.md)")
    return Vocabulary(path)


@pytest.fixture
def demo(module_demo, home_page):
    return EditionPage.objects.get(slug="2017")


def public_pages():
    """(kind, address) of every public page of the demo that is a Wagtail page or a
    session's page, every edition's."""
    yield "home", HomePage.objects.get().url
    for edition in EditionPage.objects.live().order_by("start_date"):
        yield "edition", edition.url
        for track in edition.tracks:
            yield "track", track.url
        for part in (edition.programme_page, edition.documents_page):
            yield type(part).__name__, part.url
        for form in ("registration_page", "questionnaire_page"):
            if (page := getattr(edition, form, None)) is not None:
                yield form, page.url
    for day in DayPage.objects.live().order_by("date"):
        yield "day", day.url
    for session in Session.objects.published().filter(page__live=True):
        yield "session", session.get_url()


def blocks(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    scripts = JSON_LD.findall(response.content.decode())
    assert len(scripts) == 1, url
    return json.loads(scripts[0])


@pytest.fixture
def every_block(client, demo):
    return {(kind, url): blocks(client, url) for kind, url in public_pages()}


def test_every_page_type_gives_json_ld_in_schema_org_terms_only(every_block, vocabulary):
    kinds = {kind for kind, _url in every_block}
    assert kinds >= {
        "home",
        "edition",
        "track",
        "ProgrammePage",
        "DocumentsPage",
        "registration_page",
        "questionnaire_page",
        "day",
        "session",
    }
    problems = [
        f"{url} {problem}"
        for (_kind, url), data in every_block.items()
        for problem in vocabulary.problems(data)
    ]
    assert problems == []


def test_the_vocabulary_check_finds_what_is_not_schema_org(vocabulary):
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Event", "name": "x", "streetAddress": "Новий бульвар, 4"},
            {"@type": "Evnt", "nam": "x"},
            {"@type": "Event", "eventStatus": "https://schema.org/EventPostponedd"},
            {"@type": "Festival", "location": {"@type": "Place", "address": "x"}},
        ],
    }
    assert vocabulary.problems(data) == [
        "$.@graph[0]: 'streetAddress' is not a property of Event",
        "$.@graph[1]: @type 'Evnt' is no class of schema.org",
        "$.@graph[1]: 'nam' is no property of schema.org",
        "$.@graph[2].eventStatus: https://schema.org/EventPostponedd is no term of schema.org",
    ]


def assert_google_event(event, where):
    """Google's Event rich result: the required properties, then the recommended ones
    (https://developers.google.com/search/docs/appearance/structured-data/event)."""
    for key in ("name", "startDate", "location"):
        assert event.get(key), f"{where}: {key} is required"
    places = event["location"] if isinstance(event["location"], list) else [event["location"]]
    for place in places:
        assert place["@type"] == "Place" and place["name"], where
        address = place["address"]
        assert address["@type"] == "PostalAddress", where
        assert address["addressCountry"] == "UA", where
        assert address["addressLocality"], where
    for key in (
        "description",
        "endDate",
        "eventAttendanceMode",
        "eventStatus",
        "image",
        "offers",
        "organizer",
    ):
        assert event.get(key), f"{where}: {key} is recommended"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["startDate"] <= event["endDate"], where
    for image in event["image"]:
        assert re.fullmatch(rf"{SITE}/media/images/.+\.\w+", image), where
    offer = event["offers"]
    assert offer["@type"] == "Offer", where
    assert (offer["price"], offer["priceCurrency"]) == (0, "UAH"), where
    assert offer["availability"].startswith("https://schema.org/"), where
    assert offer["url"].startswith(f"{SITE}/"), where
    assert event["isAccessibleForFree"] is True, where
    organisers = (
        event["organizer"] if isinstance(event["organizer"], list) else [event["organizer"]]
    )
    for organiser in organisers:
        assert organiser["name"] and organiser["url"], where
    if "performer" in event:
        assert all(performer["name"] for performer in event["performer"]), where
    if (
        event["eventStatus"] == "https://schema.org/EventRescheduled"
        and "previousStartDate" in event
    ):
        assert event["previousStartDate"] != event["startDate"], where
    assert event["url"].startswith(f"{SITE}/"), where


def test_every_event_on_every_page_is_complete_for_google(every_block, demo):
    events = [
        (url, event) for (_kind, url), data in every_block.items() for event in nodes(data, "Event")
    ]
    # Each session (in its own page, its day and its track's; the programme and the
    # edition page list days, not every session), each edition (on each page inside
    # it and on the home page).
    assert len(events) > Session.objects.count() * 2
    for url, event in events:
        assert_google_event(event, f"{url} {event['name']}")


def test_the_demo_edition_gives_itself_with_the_real_address_its_days_their_sessions(client, demo):
    data = blocks(client, demo.url)
    # The edition alone: its page does not carry every session (issue 18).
    assert len(list(nodes(data, "Event"))) == 1
    assert "subEvent" not in data
    main = data["location"]
    assert main["name"] == "Майданчик біля бібліотеки ім. Олега Ольжича"
    assert main["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Новий бульвар, 4",
        "addressLocality": "Житомир",
        "postalCode": "10014",
        "addressRegion": "Житомирська область",
        "addressCountry": "UA",
    }
    assert data["organizer"][0] == {
        "@type": "Organization",
        "name": "Житомирська міська рада",
        "url": "https://zt-rada.gov.ua/",
        **({"logo": data["organizer"][0]["logo"]} if "logo" in data["organizer"][0] else {}),
    }
    statuses = {session.pk: session.status for session in Session.objects.all()}
    # Its sessions are on its days' pages, each a part of it.
    sessions = [
        event
        for day in DayPage.objects.descendant_of(demo).live()
        for event in blocks(client, day.url)["@graph"]
        if "/sessions/" in event["url"]
    ]
    assert len(sessions) == Session.objects.filter(page__in=demo.get_descendants()).count()
    for event in sessions:
        pk = int(re.search(r"/sessions/(\d+)/", event["url"])[1])
        assert event["eventStatus"] == STATUSES[statuses[pk]]
        assert event["superEvent"] == {"@id": f"{SITE}{demo.url}#event"}


def test_a_page_inside_an_edition_points_to_the_edition_it_is_about(every_block, demo):
    edition = f"{SITE}{demo.url}#event"
    for (kind, url), data in every_block.items():
        if kind in {"home", "edition"} or not url.startswith(demo.url):
            continue
        graph = data["@graph"]
        assert [node["@id"] for node in graph if node["@type"] == "Event"][-1] == edition, url
        if kind in {"registration_page", "questionnaire_page"}:
            (page,) = [node for node in graph if node["@type"] == "WebPage"]
            assert page["about"] == {"@id": edition}
            assert page["url"] == f"{SITE}{url}"
        if kind == "DocumentsPage":
            (page,) = [node for node in graph if node["@type"] == "CollectionPage"]
            documents = [item["item"] for item in page["mainEntity"]["itemListElement"]]
            assert len(documents) == 3
            for document in documents:
                assert document["@type"] == "DigitalDocument"
                assert document["encodingFormat"] == "application/pdf"
                assert document["url"].startswith(f"{SITE}/documents/")
        if kind == "ProgrammePage":
            (programme,) = [node for node in graph if node["@type"] == "ItemList"]
            # Its days, each a page with its sessions' Events.
            items = programme["itemListElement"]
            days = DayPage.objects.child_of(demo.programme_page).live().order_by("date")
            assert programme["numberOfItems"] == len(items) == days.count() > 0
            assert [item["position"] for item in items] == list(range(1, days.count() + 1))
            assert [item["url"] for item in items] == [f"{SITE}{day.url}" for day in days]
