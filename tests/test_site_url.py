"""One public address (home/site_url.py). The site is reached by another host than its
own here (127.0.0.1, as behind a proxy that does not pass the host on, or a health
check), while SITE_URL says https://maisternia.example.org: every absolute address in
every output (pages with their canonical link, Open Graph and JSON-LD, the sitemap and
robots.txt, the feeds and their identifiers, the API, the mails, the password reset)
is on that one host, and every address of the sitemap, valid against the sitemaps.org
schema, answers 200 there."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from lxml import etree
from wagtail.models import Site

from events.models import DayPage, EditionPage, Session
from home.site_url import absolute_url, parse_site_url, sync_site
from tests.helpers import registration

CANONICAL = "https://maisternia.example.org"
HOST = "maisternia.example.org"
# The host requests come in by: not the site's own.
OTHER = {"HTTP_HOST": "127.0.0.1"}
SITEMAP_XSD = Path(__file__).parent / "data" / "sitemap.xsd"
# Addresses of other sites that a page may give (schemas, vocabularies, social
# networks, the organiser's and partners' sites of the demo).
URL = re.compile(r"""https?://[^\s"'<>\\)]+""")
OURS = {HOST, "127.0.0.1", "testserver", "localhost"}


def ours(text):
    """The absolute addresses in a text that point at this site by any of its hosts."""
    return [url for url in URL.findall(text) if urlsplit(url).hostname in OURS]


def assert_canonical(text, what):
    found = ours(text)
    assert found, f"{what}: no address of the site"
    wrong = [url for url in found if not url.startswith(CANONICAL + "/")]
    assert wrong == [], f"{what} gives other hosts: {sorted(set(wrong))[:5]}"


@pytest.fixture
def canonical(module_demo, db):
    with override_settings(
        SITE_URL=CANONICAL,
        WAGTAILADMIN_BASE_URL=CANONICAL,
        WAGTAILAPI_BASE_URL=CANONICAL,
        ALLOWED_HOSTS=["127.0.0.1", HOST, "testserver"],
    ):
        sync_site()
        yield module_demo


def test_parse_site_url_gives_the_site_records_hostname_and_port():
    assert parse_site_url("https://maisternia.example.org") == (HOST, 443)
    assert parse_site_url("http://127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_site_url("http://example.org/") == ("example.org", 80)
    for wrong in (
        "maisternia.example.org",
        "ftp://example.org",
        "https://example.org:8443",
        "https://example.org/zhytomyr/",
    ):
        with pytest.raises(ImproperlyConfigured):
            parse_site_url(wrong)


def test_migrate_and_the_command_write_site_url_into_the_site_record(db):
    # The test database was migrated with the test settings' SITE_URL.
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("testserver", 80)
    with override_settings(SITE_URL=CANONICAL):
        output = io.StringIO()
        call_command("sync_site_url", stdout=output)
        assert output.getvalue() == f"Site address: {CANONICAL} (set)\n"
        site.refresh_from_db()
        assert site.root_url == CANONICAL
        assert absolute_url("/2017/") == f"{CANONICAL}/2017/"
        # An address that is already absolute (a rendition on the object storage).
        assert absolute_url("https://cdn.example.net/x.jpg") == "https://cdn.example.net/x.jpg"
        assert sync_site() is False


def test_every_page_and_file_gives_the_one_public_address(client, canonical):
    edition = EditionPage.objects.live().get(slug="2017")
    day = DayPage.objects.live().descendant_of(edition).first()
    session = Session.objects.filter(page=day).first()
    pages = [
        "/",
        edition.url,
        edition.programme_page.url,
        day.url,
        session.get_url(),
        edition.tracks[0].url,
        edition.documents_page.url,
        "/current/registration/",
    ]
    programme = edition.programme_page.url
    files = [
        "/sitemap.xml",
        "/robots.txt",
        f"{edition.url}calendar.ics",
        f"{programme}schedule.json",
        f"{programme}schedule.xml",
        f"{programme}changes.atom",
        "/api/v2/pages/?type=events.DayPage&fields=date",
        f"/api/v2/pages/{edition.pk}/",
        "/api/v2/documents/",
        f"/api/v3/pages/{edition.pk}/",
    ]
    for path in pages + files:
        response = client.get(path, follow=True, **OTHER)
        assert response.status_code == 200, path
        assert_canonical(response.content.decode(), path)

    ics = client.get(f"{edition.url}calendar.ics", **OTHER).content.decode()
    uids = re.findall(r"^UID:(.*)$", ics.replace("\r\n ", ""), flags=re.M)
    assert uids and all(uid.strip().endswith(f"@{HOST}") for uid in uids)


def test_the_mails_and_the_password_reset_give_the_one_public_address(
    client, canonical, django_user_model
):
    form = client.get("/current/registration/", follow=True, **OTHER)
    path = form.redirect_chain[-1][0]
    response = client.post(
        path,
        registration(name="Олена", email="olena@example.org", participation="Учасник"),
        **OTHER,
    )
    assert response.status_code == 303, response.context["form"].errors
    to_person = next(message for message in mail.outbox if message.to == ["olena@example.org"])
    assert_canonical(to_person.body, "the confirmation")
    to_press = next(message for message in mail.outbox if message is not to_person)
    assert_canonical(to_press.body, "the press office's copy")

    mail.outbox.clear()
    django_user_model.objects.create_user("olena", "olena@example.org", "a-long-password-1")
    response = client.post("/admin/password_reset/", {"email": "olena@example.org"}, **OTHER)
    assert response.status_code == 302
    [reset] = mail.outbox
    assert_canonical(reset.body, "the password reset")


def test_the_sitemap_is_valid_and_every_address_answers_on_the_public_host(client, canonical):
    response = client.get("/sitemap.xml", **OTHER)
    document = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(SITEMAP_XSD))
    assert schema.validate(document), schema.error_log
    locations = [
        element.text
        for element in document.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert len(locations) > 40
    for location in locations:
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}" == CANONICAL, location
        answer = client.get(parts.path, HTTP_HOST=HOST, secure=True)
        assert answer.status_code == 200, location
