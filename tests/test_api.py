"""The content API: every field typed and valued the same in v2 and v3, only live and
public content, a valid OpenAPI document, CORS, caching and bounded queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction, Site

from documents.factories import DocumentFactory, DocumentItemFactory
from documents.models import DocumentsPage
from events.factories import (
    DayPageFactory,
    EditionPageFactory,
    EditionPartnerFactory,
    ImageFactory,
    ProgrammePageFactory,
    SessionFactory,
)
from events.models import (
    DayPage,
    EditionLink,
    EditionPage,
    ProgrammePage,
    RegistrationSubmission,
    TrackPage,
)

V2, V3 = "/api/v2/pages/", "/api/v3/pages/"


@pytest.fixture
def content(edition):
    """The conftest edition, with everything the API serves filled in."""
    edition.hero_image = ImageFactory(title="Заставка")
    programme = ProgrammePage.objects.child_of(edition).get()
    edition.about = f'<p>Про <a linktype="page" id="{programme.pk}">програму</a>.</p>'
    edition.published_on = datetime.date(2017, 6, 1)
    edition.contact_email = "press@example.org"
    edition.goals = [("goal", "Залучати мешканців")]
    edition.save_revision().publish()
    EditionPartnerFactory(edition=edition, name="GIZ", role="funder", logo=ImageFactory())
    EditionLink.objects.create(edition=edition, label="Сайт", link_url="https://zt.example/")
    return EditionPage.objects.get(pk=edition.pk)


def v2(client, page, **params):
    response = client.get(f"{V2}{page.pk}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def v3(client, page, **params):
    response = client.get(f"{V3}{page.pk}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def both(client, page):
    return v2(client, page), v3(client, page)


def test_the_edition_has_every_field_typed_in_both_versions(client, content):
    for data in both(client, content):
        assert data["title"] == content.title
        assert data["meta"]["type"] == "events.EditionPage"
        assert data["city"] == "Житомир"
        assert data["lead"] == content.lead
        assert data["slogan"] == "Живи Житомиром! Створюй Житомир!"
        assert (data["start_date"], data["end_date"]) == ("2017-06-12", "2017-06-17")
        assert data["published_on"] == "2017-06-01"
        # Rich text as display HTML: the internal link resolved to the page's address.
        assert data["about"] == '<p>Про <a href="/2017/programme/">програму</a>.</p>'
        assert data["goals"][0]["value"] == "Залучати мешканців"
        assert data["contact_email"] == "press@example.org"
        assert data["hero_image"]["id"] == content.hero_image_id
        rendition = data["hero_image_rendition"]
        assert (rendition["width"], rendition["height"]) == (1440, 810)
        assert rendition["full_url"].startswith("http") and rendition["alt"]
        venues = data["venues"]
        assert [v["name"] for v in venues] == ["Майданчик біля бібліотеки", "Мобільний павільйон"]
        assert venues[0]["latitude"] == 50.25465 and isinstance(venues[0]["longitude"], float)
        partner = data["partners"][0]
        assert (partner["name"], partner["role"]) == ("GIZ", "funder")
        assert partner["logo_rendition"]["url"].startswith("/media/images/")
        assert data["links"][0]["link_url"] == "https://zt.example/"


def test_a_day_nests_its_sessions_with_times_in_kyiv_and_their_theme(client, content):
    day = DayPage.objects.descendant_of(content).get(date=datetime.date(2017, 6, 12))
    track = TrackPage.objects.get(title="Громадський простір")
    for data in both(client, day):
        assert data["date"] == "2017-06-12"
        first, second = data["sessions"]
        assert first["title"] == "Відкриття"
        assert (first["start_time"], first["end_time"]) == ("10:00:00", "11:00:00")
        assert first["starts_at"] == "2017-06-12T10:00:00+03:00"
        assert first["ends_at"] == "2017-06-12T11:00:00+03:00"
        assert first["track"] is None
        assert second["track"] == {"id": track.pk, "title": track.title, "colour": "#1b5e20"}
        assert second["venue"]["name"] == "Майданчик біля бібліотеки"
        assert (second["spot"], second["hosts"]) == ("Намет 1", "Олена Петрук")
        assert second["kind"] == "discussion"


def test_tracks_and_documents_pages(client, content):
    track = TrackPage.objects.get(title="Громадський простір")
    for data in both(client, track):
        assert data["colour"] == "#1b5e20"
        assert "short_description" in data and "body" in data
    documents = DocumentsPage.objects.child_of(content).get()
    item = documents.document_items.get()
    for data in both(client, documents):
        entry = data["documents"][0]
        assert entry["title"] == "План Майстерні міста 2017"
        assert entry["description"] == item.description
        document = entry["document"]
        assert document["url"] == item.document.url
        assert document["full_url"] == "http://testserver" + item.document.url
        assert document["file_type"] == "application/pdf"
        assert document["file_size"] == item.document.file.size


@pytest.fixture
def hidden(content, home_page):
    """A draft edition, a private page, a document in a private collection and a
    registration: none of them may leave through the API."""
    draft = EditionPageFactory(parent=home_page, start_date=datetime.date(2031, 6, 9))
    draft.unpublish()
    private_day = DayPage.objects.descendant_of(content).get(date=datetime.date(2017, 6, 13))
    PageViewRestriction.objects.create(page=private_day, restriction_type="login")
    private = Collection.get_first_root_node().add_child(name="Внутрішні")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    secret = DocumentFactory(title="Кошторис", collection=private)
    DocumentItemFactory(page=DocumentsPage.objects.child_of(content).get(), document=secret)
    RegistrationSubmission.objects.create(
        page=content.registration_page, form_data={"name": "Олена"}, email="o@example.org"
    )
    return {"draft": draft, "private_day": private_day, "secret": secret}


def test_drafts_private_pages_private_documents_and_submissions_stay_hidden(client, hidden):
    draft, private_day, secret = hidden["draft"], hidden["private_day"], hidden["secret"]
    for base in (V2, V3):
        listed = client.get(base, {"limit": 50}).json()
        ids = {item["id"] for item in listed["items"]}
        assert draft.pk not in ids and private_day.pk not in ids
        for page in (draft, private_day):
            assert client.get(f"{base}{page.pk}/").status_code == 404
        assert client.get(
            f"{base}find/", {"html_path": "/2017/programme/2017-06-13/"}
        ).status_code in (404, 400)
        documents_page = DocumentsPage.objects.get()
        items = client.get(f"{base}{documents_page.pk}/").json()["documents"]
        assert [item["title"] for item in items] == ["План Майстерні міста 2017"]
    documents = client.get("/api/v2/documents/").json()["items"]
    assert secret.pk not in {d["id"] for d in documents}
    assert client.get(f"/api/v2/documents/{secret.pk}/").status_code == 404
    everything = "".join(
        client.get(url).content.decode()
        for url in (f"{V2}?fields=*&limit=50", f"{V3}?limit=50", "/api/v2/documents/")
    )
    assert "o@example.org" not in everything and "Олена" not in everything
    for url in ("/api/v2/submissions/", "/api/v3/submissions/", "/api/v2/forms/"):
        assert client.get(url).status_code == 404


def test_the_v3_openapi_document_is_valid_openapi_3(client, content):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    session = schemas["SessionSchema"]["properties"]
    assert session["track"]["anyOf"][0] == {"$ref": "#/components/schemas/TrackSummary"}
    assert session["start_time"]["format"] == "time"
    assert {"type": "string"} in session["starts_at"]["anyOf"]
    assert schemas["DocumentFile"]["properties"]["file_size"]
    assert client.get("/api/v3/docs/").status_code == 200


def test_list_endpoints_cost_the_same_queries_for_10_or_40_editions(
    client, home_page, django_assert_max_num_queries
):
    def count(url):
        client.get(url)  # the site's root paths are cached on the first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add_editions(number, start):
        for offset in range(number):
            edition = EditionPageFactory(
                parent=home_page, start_date=datetime.date(start + offset, 6, 1)
            )
            programme = ProgrammePageFactory(parent=edition)
            day = DayPageFactory(parent=programme, date=edition.start_date)
            SessionFactory(page=day)

    urls = [
        f"{V2}?type=events.EditionPage&fields=*",
        f"{V2}?type=events.DayPage&fields=sessions",
        f"{V3}?type=events.EditionPage",
        "/api/v2/documents/",
    ]
    add_editions(20, 2000)
    small = [count(url) for url in urls]
    add_editions(60, 2030)
    assert [count(url) for url in urls] == small
    # A listing with every field reads each listed page's rows: bounded by the page
    # size (20 by default, WAGTAILAPI_LIMIT_MAX at most), never by the site's size.
    assert max(small) <= 5 * 20 + 10


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_cors_lets_the_allowed_origins_read_and_nothing_more(client, content):
    allowed = client.get(V2, headers={"origin": "https://app.example.org"})
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = client.get(V2, headers={"origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        V2,
        headers={
            "origin": "https://app.example.org",
            "access-control-request-method": "POST",
        },
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    page = client.get("/2017/", headers={"origin": "https://app.example.org"})
    assert "Access-Control-Allow-Origin" not in page  # only the API


def test_no_origin_is_allowed_by_default(client, content):
    response = client.get(V2, headers={"origin": "https://app.example.org"})
    assert "Access-Control-Allow-Origin" not in response


def test_api_answers_are_cacheable_and_revalidate(client, content, admin_client):
    for url in (V2, f"{V3}{content.pk}/", "/api/v2/documents/"):
        response = client.get(url)
        assert "public" in response["Cache-Control"]
        assert "max-age=300" in response["Cache-Control"]
        etag = response["ETag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert "private" in admin_client.get(V2)["Cache-Control"]


@pytest.mark.parametrize("base", [V2, V3, "/api/v2/documents/", "/api/v3/redirects/"])
def test_an_absurd_offset_is_a_400_not_a_server_error(client, content, base):
    # PostgreSQL refuses an OFFSET past 64 bits; schemathesis found this one.
    response = client.get(base, {"offset": "67615402244421602855828659896320"})
    assert response.status_code == 400


def test_every_address_in_both_versions_is_the_canonical_one(client, content):
    """Whatever host a request came in by, `detail_url` (WAGTAILAPI_BASE_URL, the
    SITE_URL) and `html_url` (the Site record, synced from it) start with the site's
    canonical address, and so do the files' `full_url` and v3's download addresses."""
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == settings.SITE_URL == "http://testserver"
    documents = DocumentsPage.objects.child_of(content).get()
    elsewhere = {"HTTP_HOST": "127.0.0.1"}
    for base in (V2, V3):
        for page in (content, documents):
            data = client.get(f"{base}{page.pk}/", **elsewhere).json()
            assert data["meta"]["detail_url"] == f"http://testserver{base}{page.pk}/"
            assert data["meta"]["html_url"] == "http://testserver" + page.url
        entry = data["documents"][0]["document"]
        assert entry["full_url"] == "http://testserver" + entry["url"]
        listed = client.get(base, {"type": "events.EditionPage"}, **elsewhere).json()
        assert listed["items"][0]["meta"]["detail_url"].startswith("http://testserver/api/")
    for kind in ("documents", "images"):
        for item in client.get(f"/api/v3/{kind}/", **elsewhere).json()["items"]:
            assert item["meta"]["detail_url"].startswith(f"http://testserver/api/v3/{kind}/")
            assert item["meta"]["download_url"].startswith("http://testserver/")


def test_v3_gives_the_home_page_no_parent_and_every_other_page_its_own(client, content):
    """The tree's root, above the home page, is not served: v3 says null (as v2 does)
    instead of a `detail_url` that would be a 404."""
    home = content.get_parent()
    for base in (V2, V3):
        assert client.get(f"{base}{home.pk}/").json()["meta"]["parent"] is None
        parent = client.get(f"{base}{content.pk}/").json()["meta"]["parent"]
        assert parent["id"] == home.pk
        assert client.get(parent["meta"]["detail_url"]).status_code == 200


def test_v3_images_download_as_their_largest_rendition_as_in_v2(client, content):
    """nginx serves only renditions under /media/ (an original may be in a restricted
    collection): an image's download address is its max-2400x2400 rendition."""
    image = content.hero_image
    v2_image = client.get(f"/api/v2/images/{image.pk}/").json()
    v3_image = client.get(f"/api/v3/images/{image.pk}/").json()
    rendition = image.get_rendition("max-2400x2400")
    assert v2_image["meta"]["download_url"] == rendition.url
    assert v3_image["meta"]["download_url"] == "http://testserver" + rendition.url
    assert "/original_images/" not in v3_image["meta"]["download_url"]


def test_v3_lists_of_images_and_documents_cost_the_same_queries_for_3_or_12(
    client, content, django_assert_max_num_queries
):
    def count(url):
        client.get(url)  # renditions are made on the first request, then read together
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ["/api/v3/images/", "/api/v3/documents/", f"{V3}{content.pk}/"]
    small = [count(url) for url in urls]
    for number in range(9):
        ImageFactory(title=f"Фото {number}")
        DocumentFactory(title=f"Документ {number}")
    assert [count(url) for url in urls] == small
    with django_assert_max_num_queries(small[0]):
        client.get("/api/v3/images/", {"limit": 20})


def test_the_openapi_document_names_the_canonical_server_and_types_refusals(client, db):
    document = client.get("/api/v3/openapi.json").json()
    assert document["servers"] == [{"url": settings.SITE_URL}]
    assert document["info"]["license"]["name"] == "MIT"
    listing = document["paths"]["/api/v3/pages/"]["get"]["responses"]
    assert listing["400"] == {"$ref": "#/components/responses/BadRequest"}
    refused = client.get(V3, {"search": "a\x00b"})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert set(refused.json()) <= set(
        document["components"]["schemas"]["ProblemDetail"]["properties"]
    )


def test_the_v3_docs_page_loads_only_the_sites_own_static_files(client, db):
    """Swagger UI's script, style and icons are django-ninja's files among the site's
    static files (collected with the rest), under the public policy; no CDN."""
    response = client.get("/api/v3/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"} <= {
        asset.rpartition("/")[2] for asset in assets
    }
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert "<script>" not in html  # no inline script: the policy would refuse it
    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().partition(" ")[::2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'", policy
    assert "unsafe" not in policy
