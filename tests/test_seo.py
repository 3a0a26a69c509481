"""What search engines and social networks read: schema.org Events in JSON-LD, Open
Graph and Twitter cards, the sitemap and robots.txt."""

import csv
import datetime
import importlib
import io
import json
import re
from html.parser import HTMLParser

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail_factories import ImageFactory

from documents.factories import DocumentItemFactory, DocumentsPageFactory
from events.factories import (
    EditionPageFactory,
    EditionPartnerFactory,
    RegistrationFormPageFactory,
    SessionFactory,
    VenueFactory,
    build_edition_at_lviv_scale,
)
from events.models import DayPage, EditionPartner, Session, TrackPage
from events.templatetags import schema_org
from home.models import SiteSettings
from home.templatetags import seo_tags

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html):
    """The page's one JSON-LD script, parsed."""
    scripts = JSON_LD.findall(html)
    assert len(scripts) == 1
    return json.loads(scripts[0])


class HeadParser(HTMLParser):
    """The <meta> tags (by property or name) and the canonical link of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.canonical, self.title, self.in_title = {}, None, "", False

    def handle_data(self, data):
        if self.in_title:
            self.title += data

    def handle_endtag(self, tag):
        self.in_title = self.in_title and tag != "title"

    def handle_starttag(self, tag, attrs):
        self.in_title = tag == "title"
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]


def sessions_of(data):
    """The session Events of a page inside an edition (its @graph ends with the
    edition's Event)."""
    *sessions, edition = data["@graph"]
    assert edition["@id"].endswith("/#event")
    return sessions


def head(html):
    parser = HeadParser()
    parser.feed(html[: html.index("</head>")])
    return parser


def session(title):
    return Session.objects.select_related("page").get(title=title)


@pytest.fixture
def hero(edition):
    edition.hero_image = ImageFactory(
        title="Майданчик біля бібліотеки", file__width=1600, file__height=900
    )
    edition.save()
    return edition.hero_image


@pytest.fixture
def partners(edition):
    logo = ImageFactory(title="Логотип міськради", file__width=400, file__height=200)
    EditionPartnerFactory(
        edition=edition,
        name="Житомирська міська рада",
        role=EditionPartner.Role.ORGANISER,
        url="https://zt-rada.gov.ua/",
        logo=logo,
    )
    EditionPartnerFactory(edition=edition, name="Уряд Швейцарії", role="funder")
    EditionPartnerFactory(edition=edition, name="Бібліотека", role="partner")


# schema.org


def test_the_edition_is_an_event_with_place_dates_organisers_and_image(
    client, edition, hero, partners
):
    data = json_ld(get(client, "/2017/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Майстерня міста Житомир"
    assert data["description"] == edition.lead
    assert (data["startDate"], data["endDate"]) == ("2017-06-12", "2017-06-17")
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["inLanguage"] == "uk"
    assert data["url"] == "http://testserver/2017/"
    [image] = data["image"]
    assert re.fullmatch(r"http://testserver/media/images/.+\.fill-1200x630\.\w+", image)
    # The site's organiser (no name in the settings: the site's), then the edition's.
    site, organiser = data["organizer"]
    assert site == {"@type": "Organization", "name": "Майстерня міста", "url": "http://testserver/"}
    assert organiser["@type"] == "Organization"
    assert organiser["name"] == "Житомирська міська рада"
    assert organiser["url"] == "https://zt-rada.gov.ua/"
    assert organiser["logo"].startswith("http://testserver/media/")
    assert data["isAccessibleForFree"] is True
    assert data["offers"] == {
        "@type": "Offer",
        "price": 0,
        "priceCurrency": "UAH",
        "availability": "https://schema.org/InStock",
        "url": "http://testserver/2017/",
    }
    assert [funder["name"] for funder in data["funder"]] == ["Уряд Швейцарії"]


def test_an_edition_with_several_venues_lists_them_all_as_places(client, edition):
    venues = json_ld(get(client, "/2017/"))["location"]
    assert [venue["name"] for venue in venues] == [
        "Майданчик біля бібліотеки",
        "Мобільний павільйон",
    ]
    main = venues[0]
    assert main["@type"] == "Place"
    assert main["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Новий бульвар, 4",
        "addressLocality": "Житомир",
        "postalCode": "10014",
        "addressRegion": "Житомирська область",
        "addressCountry": "UA",
    }
    assert main["geo"] == {"@type": "GeoCoordinates", "latitude": 50.25465, "longitude": 28.658667}


def test_an_edition_with_one_venue_has_it_as_its_place(client, home_page):
    edition = EditionPageFactory(parent=home_page, start_date=datetime.date(2018, 6, 11))
    VenueFactory(edition=edition, name="Сквер", latitude=None, longitude=None)
    location = json_ld(get(client, edition.url))["location"]
    assert location["name"] == "Сквер"
    assert "geo" not in location


def test_the_sessions_are_events_in_kyiv_time_on_their_days_not_on_the_edition(client, edition):
    # The edition's page is the edition's Event alone (at Lviv's scale a list of every
    # session made most of its bytes); each day gives its sessions.
    assert "subEvent" not in json_ld(get(client, "/2017/"))
    sub_events = [
        event
        for day in DayPage.objects.filter(date__lte=datetime.date(2017, 6, 13)).order_by("date")
        for event in sessions_of(json_ld(get(client, day.url)))
    ]
    assert [event["name"] for event in sub_events] == [
        "Відкриття",
        "Прогулянка дворами",
        "Велопробіг",
    ]
    walk = sub_events[1]
    assert walk["@type"] == "Event"
    assert walk["startDate"] == "2017-06-12T12:00:00+03:00"
    assert walk["endDate"] == "2017-06-12T13:30:00+03:00"
    assert walk["url"] == f"http://testserver{session('Прогулянка дворами').get_url()}"
    assert walk["location"]["name"] == "Майданчик біля бібліотеки"
    assert walk["about"]["name"] == walk["keywords"] == "Громадський простір"
    assert "about" not in sub_events[0]


def test_a_day_gives_its_sessions_as_events_of_the_edition(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    data = json_ld(get(client, day.url))
    assert data["@context"] == "https://schema.org"
    edition_event = data["@graph"][-1]
    assert edition_event["name"] == "Майстерня міста Житомир"
    assert edition_event["url"] == "http://testserver/2017/"
    assert edition_event["location"]["name"] == "Майданчик біля бібліотеки"  # the main one
    events = sessions_of(data)
    assert [event["name"] for event in events] == ["Відкриття", "Прогулянка дворами"]
    for event in events:
        assert event["@type"] == "Event"
        assert event["superEvent"] == {"@id": "http://testserver/2017/#event"}
    assert events[0]["startDate"] == "2017-06-12T10:00:00+03:00"
    assert events[0]["url"] == f"http://testserver{session('Відкриття').get_url()}"


def test_a_track_gives_its_sessions_across_days_as_events(client, edition):
    track = TrackPage.objects.get(title="Громадський простір")
    events = sessions_of(json_ld(get(client, track.url)))
    assert [event["name"] for event in events] == ["Прогулянка дворами", "Велопробіг"]
    assert events[1]["startDate"].startswith("2017-06-13T")
    assert all(event["keywords"] == "Громадський простір" for event in events)
    assert all(event["superEvent"]["@id"] == "http://testserver/2017/#event" for event in events)


def test_a_session_page_is_an_event_of_the_edition(client, edition):
    walk = session("Прогулянка дворами")
    html = get(client, walk.get_url())
    [data] = sessions_of(json_ld(html))
    assert data["@type"] == "Event"
    assert data["name"] == "Прогулянка дворами"
    assert data["url"] == head(html).canonical
    assert data["superEvent"]["@id"] == "http://testserver/2017/#event"
    assert "Олена Петрук" in data["description"]


def test_a_session_without_a_venue_takes_place_at_the_main_venue_for_every_reader(client, edition):
    """One rule (`Session.place`), read by the page's JSON-LD, the day's, the track's
    and the session's calendars (a real iCalendar parser), the frab schedule and the
    CSV export alike."""
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    picnic = SessionFactory(
        page=day,
        title="Пікнік",
        venue=None,
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        track=edition.tracks[0],
    )
    main = "Майданчик біля бібліотеки"
    assert sessions_of(json_ld(get(client, day.url)))[-1]["location"]["name"] == main
    assert sessions_of(json_ld(get(client, picnic.get_url())))[0]["location"]["name"] == main
    for feed in (
        f"{day.url}calendar.ics",
        f"{edition.tracks[0].url}calendar.ics",
        f"{edition.url}calendar.ics",
        picnic.get_calendar_url(),
    ):
        calendar = icalendar.Calendar.from_ical(get(client, feed))
        (event,) = [e for e in calendar.walk("VEVENT") if e["summary"] == "Пікнік"]
        assert str(event["location"]).startswith(main), feed
    programme = edition.programme_page.url
    frab = json.loads(get(client, f"{programme}schedule.json"))
    rooms = frab["schedule"]["conference"]["days"][1]["rooms"]
    assert [
        room for room, events in rooms.items() if any(e["title"] == "Пікнік" for e in events)
    ] == [main]
    rows = list(
        csv.DictReader(io.StringIO(get(client, f"{programme}programme.csv").lstrip("\ufeff")))
    )
    (row,) = [row for row in rows if "Пікнік" in row.values()]
    assert main in row.values()


def test_the_home_page_is_the_site_and_a_list_of_its_editions(client, edition, home_page):
    site, editions = json_ld(get(client, "/"))["@graph"]
    assert site["@type"] == "WebSite"
    assert site["name"] == editions["name"] == "Майстерня міста"
    assert site["url"] == "http://testserver/"
    assert editions["@type"] == "ItemList"
    [item] = editions["itemListElement"]
    assert item["position"] == 1
    sub_event = item["item"]
    assert sub_event["name"] == "Майстерня міста Житомир"
    assert (sub_event["startDate"], sub_event["endDate"]) == ("2017-06-12", "2017-06-17")
    assert sub_event["url"] == "http://testserver/2017/"
    assert sub_event["location"][0]["name"] == "Майданчик біля бібліотеки"


def test_nothing_in_the_data_can_close_its_script_element(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    title = "Кава & чай </script><script>alert(1)</script>"
    SessionFactory(page=day, title=title, start_time=datetime.time(20))
    html = get(client, day.url)
    assert "<script>alert(1)" not in html
    assert sessions_of(json_ld(html))[-1]["name"] == title


# Open Graph and Twitter cards


def edition_pages(edition):
    walk = session("Прогулянка дворами")
    return {
        "home": "/",
        "edition": edition.url,
        "programme": edition.programme_page.url,
        "day": walk.page.url,
        "session": walk.get_url(),
        "track": edition.tracks[0].url,
        "documents": edition.documents_page.url,
        "registration": edition.registration_page.url,
        "search": "/search/?q=місто",
    }


def test_a_pages_routes_are_their_own_canonical_address(client, edition):
    for path in (f"{edition.programme_page.url}changes/", f"{edition.url}open-data/"):
        tags = head(get(client, path + "?utm_source=facebook"))
        assert tags.canonical == f"http://testserver{path}"
        assert tags.meta["og:url"] == tags.canonical


def test_every_page_can_be_shared_with_title_description_and_canonical_address(
    client, edition, hero
):
    for name, url in edition_pages(edition).items():
        tags = head(get(client, url))
        meta = tags.meta
        path = url.split("?")[0]
        assert tags.canonical == f"http://testserver{path}", name
        assert meta["og:url"] == tags.canonical, name
        assert meta["og:type"] == "website"
        assert meta["og:locale"] == "uk_UA"
        assert meta["og:site_name"] == "Майстерня міста"
        assert meta["og:title"] and meta["twitter:title"] == meta["og:title"], name
        if name != "search":  # a view's <title> says what it shows: «Пошук: місто»
            assert tags.title == meta["og:title"], name  # one rule for both
        assert meta["og:description"] == meta["twitter:description"], name
        if name != "search":  # which asks not to be indexed instead
            assert meta["og:description"] == meta["description"], name
        if name == "search":  # no page, no edition: the organiser's logo, here none
            assert meta["twitter:card"] == "summary"
            continue
        assert meta["twitter:card"] == "summary_large_image", name
        assert re.fullmatch(
            r"http://testserver/media/images/.+\.fill-1200x630\.\w+", meta["og:image"]
        )
        assert meta["twitter:image"] == meta["og:image"]
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert meta["og:image:alt"] == "Майданчик біля бібліотеки"


def test_a_shared_page_inside_an_edition_names_the_edition(client, edition):
    walk = session("Прогулянка дворами")
    walk.description = "Старі двори\nцентру міста."
    walk.save()
    meta = head(get(client, walk.get_url())).meta
    assert meta["og:title"] == (
        "Прогулянка дворами · 12 червня 2017, понеділок · Майстерня міста Житомир"
    )
    assert meta["og:description"] == meta["description"] == "Старі двори центру міста."
    assert head(get(client, "/2017/programme/")).meta["og:title"] == (
        "Програма · Майстерня міста Житомир"
    )
    # The edition itself: its title and the site's name.
    assert head(get(client, "/2017/")).meta["og:title"] == (
        "Майстерня міста Житомир · Майстерня міста"
    )


def test_a_track_is_shared_with_its_own_photo_but_not_its_icon(client, edition, hero):
    track = edition.tracks[0]
    track.image = ImageFactory(title="Значок", file__width=256, file__height=256)
    track.save()
    assert head(get(client, track.url)).meta["og:image:alt"] == "Майданчик біля бібліотеки"
    track.image = ImageFactory(title="Двір на Михайлівській", file__width=1600, file__height=1000)
    track.save()
    assert head(get(client, track.url)).meta["og:image:alt"] == "Двір на Михайлівській"


def test_without_any_image_the_card_is_a_summary_or_the_organisers_logo(client, edition):
    meta = head(get(client, "/2017/")).meta
    assert meta["twitter:card"] == "summary"
    assert "og:image" not in meta
    site_settings = SiteSettings.for_site(edition.get_site())
    site_settings.organiser_logo = ImageFactory(title="Логотип", file__width=800, file__height=320)
    site_settings.save()
    meta = head(get(client, "/2017/")).meta
    assert meta["twitter:card"] == "summary_large_image"
    assert re.fullmatch(r"http://testserver/media/images/.+\.max-1200x630\.\w+", meta["og:image"])
    assert (meta["og:image:width"], meta["og:image:height"]) == ("800", "320")


def test_the_description_of_a_page_is_its_introduction_as_plain_text(client, edition):
    programme = edition.programme_page
    programme.intro = "<p>Шість днів &amp; шість ночей.</p><ul><li>Лекції</li><li>Ігри</li></ul>"
    programme.save()
    meta = head(get(client, programme.url)).meta
    assert meta["description"] == "Шість днів & шість ночей. Лекції Ігри"


# sitemap.xml and robots.txt


def test_the_sitemap_lists_the_public_pages_of_the_edition(client, edition):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
    pages = [
        edition,
        edition.programme_page,
        *DayPage.objects.live(),
        *edition.tracks,
        edition.documents_page,
    ]
    for page in pages:
        assert page.full_url in locations
    for session in Session.objects.all():
        assert f"{session.page.full_url}sessions/{session.pk}/" in locations


def test_draft_pages_stay_out_of_the_sitemap(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    url = day.full_url
    day.unpublish()
    assert url not in client.get("/sitemap.xml").content.decode()


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /django-admin/" in lines
    assert "Disallow: /" not in lines


# Query budget


@pytest.fixture
def lviv_scale(home_page):
    edition = build_edition_at_lviv_scale(home_page)
    edition.hero_image = ImageFactory(file__width=1600, file__height=900)
    edition.save()
    for role in ("organiser", "organiser", "funder", "partner"):
        EditionPartnerFactory(edition=edition, role=role, logo=ImageFactory())
    documents = DocumentsPageFactory(parent=edition)
    for number in range(12):
        DocumentItemFactory(page=documents, document__title=f"Документ {number}")
    RegistrationFormPageFactory(parent=edition)
    return edition


@pytest.mark.parametrize(
    "part",
    ["edition", "day", "track", "session", "home", "programme", "documents", "registration"],
)
def test_search_and_share_data_cost_at_most_two_queries_at_lviv_scale(
    client, lviv_scale, part, monkeypatch, django_assert_max_num_queries
):
    day = DayPage.objects.order_by("date").first()
    url = {
        "edition": lviv_scale.url,
        "day": day.url,
        "track": lviv_scale.tracks[0].url,
        "session": day.sessions.first().get_url(),
        "home": "/",
        "programme": lviv_scale.programme_page.url,
        "documents": lviv_scale.documents_page.url,
        "registration": lviv_scale.registration_page.url,
    }[part]
    client.get(url)  # warm the site and settings caches, make the renditions
    with monkeypatch.context() as patch:
        patch.setattr(schema_org, "data_for", lambda context, site_name: None)
        patch.setattr(seo_tags, "share_image_of", lambda request, page, edition: None)
        with CaptureQueriesContext(connection) as without:
            client.get(url)
    with django_assert_max_num_queries(len(without) + 2):
        html = get(client, url)
    assert "og:image" in html


def test_an_address_that_was_only_the_city_is_no_longer_given_as_the_street(home_page):
    """The migration that split the venue's address empties an address that says only
    the city («м. Житомир», the demo's before), and keeps a street."""
    from django.apps import apps

    migration = importlib.import_module(
        "events.migrations.0010_venue_postal_address_and_free_entry"
    )
    edition = EditionPageFactory(parent=home_page, city="Житомир")
    city = VenueFactory(edition=edition, address="м. Житомир")
    street = VenueFactory(edition=edition, address="Новий бульвар, 4")
    migration.city_only_addresses_emptied(apps, None)
    city.refresh_from_db()
    street.refresh_from_db()
    assert (city.address, street.address) == ("", "Новий бульвар, 4")
    assert city.postal_address(edition) == "Житомир, 10014"
