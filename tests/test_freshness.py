"""A cache that survives publishing, and 304s that cost nothing (home/freshness.py).

Publishing a day invalidates what the day shows (its pages and feeds, the programme's,
the edition's, its tracks', the home page, the API listings) and nothing else; the
CDN is asked to purge exactly those URLs; a calendar client polling with its ETag
gets a 304 with no query until something it shows changes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import home.freshness
from home.freshness import urls_shown_by
from tests.test_cache_resilience import RedisServer, production_caches, require_redis_server
from tests.test_programme import build_programme

KYIV = ZoneInfo("Europe/Kyiv")
PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fresh"},
}
BEFORE_THE_EVENT = datetime.datetime(2017, 6, 1, 12, tzinfo=KYIV)


@pytest.fixture
def page_cache():
    with override_settings(CACHES=PAGE_CACHE):
        caches["pages"].clear()
        caches["default"].clear()
        yield
        caches["pages"].clear()


@pytest.fixture
def day(edition):
    return edition.programme_page.live_days().first()


def queries_of(client, url, **headers):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return len(queries), response


def publish_new_title(day, title="Відкриття (перенесено)"):
    session = day.sessions.order_by("start_time").first()
    session.title = title
    session.save()
    day.save_revision().publish()
    return title


def addresses(edition, day, other):
    """What the tests read: the day's, programme's, edition's addresses, a filtered
    programme, and others that the day does not show."""
    programme = edition.programme_page
    session = day.sessions.order_by("start_time").first()
    track = edition.tracks[0]
    shown = [
        day.url,
        f"{day.url}calendar.ics",
        f"{day.url}sessions/{session.pk}/",
        programme.url,
        f"{programme.url}?track={track.slug}",
        f"{programme.url}schedule.json",
        f"{programme.url}schedule.xml",
        f"{programme.url}programme.csv",
        f"{programme.url}changes/",
        f"{programme.url}now/",
        f"{programme.url}embed/",
        edition.url,
        f"{edition.url}calendar.ics",
        "/",
        "/api/v2/pages/",
        f"/api/v2/pages/?type=events.DayPage&fields=*&child_of={programme.pk}",
        "/api/v3/pages/",
        "/sitemap.xml",
    ]
    other_programme = other.programme_page
    kept = [
        edition.documents_page.url,
        other.url,
        other_programme.url,
        f"{other_programme.url}schedule.json",
        f"{other.url}calendar.ics",
    ]
    return shown, kept


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_publishing_a_day_empties_what_it_shows_and_keeps_the_rest(
    client, edition, day, home_page, page_cache
):
    other = build_programme(home_page, 2016, 2, 3)
    shown, kept = addresses(edition, day, other)
    for url in shown + kept:
        assert client.get(url).status_code == 200, url
    for url in shown + kept:
        assert queries_of(client, url)[0] == 0, f"{url} is not kept by the page cache"

    title = publish_new_title(day)

    for url in shown:
        count, response = queries_of(client, url)
        assert count > 0, f"{url} was not invalidated"
    for url in (day.url, edition.programme_page.url, f"{day.url}calendar.ics"):
        assert title in client.get(url).content.decode()
    for url in kept:
        assert queries_of(client, url)[0] == 0, f"{url} was emptied by another edition's day"


def test_the_purge_of_a_day_holds_exactly_the_addresses_it_shows(edition, day):
    programme = edition.programme_page
    sessions = list(day.sessions.values_list("pk", flat=True))
    tracks = {s.track for s in day.sessions.all() if s.track}
    base = "http://testserver"
    expected = {
        f"{base}{day.url}",
        f"{base}{day.url}calendar.ics",
        *(f"{base}{day.url}sessions/{pk}/" for pk in sessions),
        *(f"{base}{day.url}sessions/{pk}/calendar.ics" for pk in sessions),
        *(
            f"{base}{programme.url}{path}"
            for path in (
                "",
                "embed/",
                "now/",
                "changes/",
                "changes.atom",
                "schedule.json",
                "schedule.xml",
                "programme.csv",
                "my/",
                "my/calendar.ics",
            )
        ),
        f"{base}{edition.url}",
        f"{base}{edition.url}calendar.ics",
        f"{base}{edition.url}open-data/",
        *(
            f"{base}{edition.url}open-data/{name}"
            for name in (
                f"{dataset}{part}.{extension}"
                for dataset in ("sessions", "venues", "themes", "partners")
                for part, extensions in (
                    ("", ("csv", "json")),
                    ("-passport", ("csv", "json")),
                    ("-structure", ("csv", "json")),
                    ("-schema", ("json",)),
                )
                for extension in extensions
            )
        ),
        *(f"{base}{track.url}" for track in tracks),
        *(f"{base}{track.url}calendar.ics" for track in tracks),
        f"{base}/",
        *(
            f"{base}/api/{version}/pages/{page.pk}/"
            for page in (day, programme, edition, edition.get_parent(), *tracks)
            for version in ("v2", "v3")
        ),
        f"{base}/api/v2/pages/",
        f"{base}/api/v3/pages/",
        f"{base}/sitemap.xml",
        f"{base}/search/",
    }
    assert tracks  # the day's sessions have a track
    assert urls_shown_by([day]) == expected


def test_a_publication_purges_the_same_addresses_from_the_cdn_after_the_commit(
    edition, day, monkeypatch, django_capture_on_commit_callbacks
):
    purged = []
    monkeypatch.setattr(home.freshness, "purge_urls_from_cache", purged.extend)
    proxy = {"proxy": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend"}}
    expected = urls_shown_by([day])
    with (
        override_settings(WAGTAILFRONTENDCACHE=proxy),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_new_title(day)
        assert purged == []  # not before the commit
    assert set(purged) == expected
    assert len(purged) == len(expected)


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_a_calendar_client_polling_gets_304s_without_a_query_until_a_publication(
    client, edition, day
):
    url = f"{edition.url}calendar.ics"
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]

    count, polled = queries_of(client, url, if_none_match=etag)
    assert (count, polled.status_code) == (0, 304)
    assert polled["ETag"] == etag and polled["Last-Modified"] == modified
    count, polled = queries_of(client, url, if_modified_since=modified)
    assert (count, polled.status_code) == (0, 304)

    title = publish_new_title(day)
    count, fresh = queries_of(client, url, if_none_match=etag)
    assert fresh.status_code == 200 and count > 0
    assert title in fresh.content.decode()
    assert fresh["ETag"] != etag
    count, again = queries_of(client, url, if_none_match=fresh["ETag"])
    assert (count, again.status_code) == (0, 304)


@pytest.mark.parametrize("path", ["", "schedule.json", "schedule.xml", "programme.csv", "?track=x"])
@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_pages_feeds_and_exports_carry_validators_and_answer_304_from_the_cache(
    client, edition, path
):
    url = f"{edition.programme_page.url}{path}"
    first = client.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    count, again = queries_of(client, url, if_none_match=first["ETag"])
    assert (count, again.status_code) == (0, 304)
    # The browser's copy keeps its own policy (with its inline style's nonce): a 304
    # carries none that would replace it.
    assert "Content-Security-Policy" not in again


@pytest.mark.parametrize("path", ["/api/v2/pages/", "/api/v3/pages/", "open-data/"])
@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_the_api_and_the_open_data_answer_304_from_the_cache(client, edition, path):
    url = path if path.startswith("/") else f"{edition.url}{path}"
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("ETag")
    count, again = queries_of(client, url, if_none_match=first["ETag"])
    assert (count, again.status_code) == (0, 304)


def test_a_new_day_gives_new_validators(client, edition):
    track = edition.tracks[0]
    with time_machine.travel(BEFORE_THE_EVENT, tick=False):
        etag = client.get(track.url)["ETag"]
        assert queries_of(client, track.url, if_none_match=etag)[0] == 0
    with time_machine.travel(BEFORE_THE_EVENT + datetime.timedelta(days=1), tick=False):
        count, response = queries_of(client, track.url, if_none_match=etag)
        assert count > 0  # yesterday's validator is not trusted: the page is made again


def test_during_the_event_pages_showing_now_and_next_hold_a_minute_at_most(
    client, edition, home_page
):
    during = datetime.datetime(2017, 6, 12, 10, 30, tzinfo=KYIV)
    today = edition.programme_page.live_days().first()
    pages = [home_page.url, edition.url, edition.programme_page.url, today.url]
    with time_machine.travel(during, tick=False) as traveller:
        etags = {}
        for url in pages:
            response = client.get(url)
            assert "max-age=0" in response["Cache-Control"]  # browsers: BROWSER_SECONDS
            assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 60, url
            etags[url] = response["ETag"]
        traveller.shift(30)
        for url in pages:
            assert queries_of(client, url, if_none_match=etags[url])[0] == 0, url
        traveller.shift(31)
        for url in pages:
            assert queries_of(client, url, if_none_match=etags[url])[0] > 0, url
    # A track page does not show «Зараз/Далі»: its validator holds all day.
    with time_machine.travel(during, tick=False) as traveller:
        etag = client.get(edition.tracks[0].url)["ETag"]
        traveller.shift(3600)
        assert queries_of(client, edition.tracks[0].url, if_none_match=etag)[0] == 0


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_an_urgent_notice_changes_every_validator(
    client, edition, admin_user, django_capture_on_commit_callbacks
):
    from home.notice import post_notice

    etag = client.get(edition.url)["ETag"]
    assert queries_of(client, edition.url, if_none_match=etag)[0] == 0
    with django_capture_on_commit_callbacks(execute=True):
        post_notice(admin_user, text="Зміна місця: усе переноситься до бібліотеки.")
    count, response = queries_of(client, edition.url, if_none_match=etag)
    assert count > 0 and response.status_code == 200
    assert "Зміна місця" in response.content.decode()


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_no_validator_based_304_with_credentials_or_other_cookies(client, admin_client, edition):
    etag = client.get(edition.url)["ETag"]
    count, response = queries_of(admin_client, edition.url, if_none_match=etag)
    assert count > 0 and "private" in response["Cache-Control"]
    client.cookies["messages"] = "something to show"
    assert queries_of(client, edition.url, if_none_match=etag)[0] > 0


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_settings_change_every_page(client, edition, home_page):
    from home.models import SiteSettings

    etag = client.get(edition.url)["ETag"]
    settings = SiteSettings.for_site(home_page.get_site())
    settings.footer_text = "Новий підвал"
    settings.save()
    assert queries_of(client, edition.url, if_none_match=etag)[0] > 0


@time_machine.travel(BEFORE_THE_EVENT, tick=False)
def test_a_document_change_empties_the_pages_that_show_it_only(client, edition):
    documents_page = edition.documents_page
    item = (
        documents_page.document_items.first() if hasattr(documents_page, "document_items") else None
    )
    if item is None:
        pytest.skip("the fixture's documents page has no document")
    track = edition.tracks[0]
    etags = {url: client.get(url)["ETag"] for url in (documents_page.url, track.url)}
    item.document.title = "Положення (нове)"
    item.document.save()
    assert queries_of(client, documents_page.url, if_none_match=etags[documents_page.url])[0] > 0
    assert queries_of(client, track.url, if_none_match=etags[track.url])[0] == 0


def test_with_redis_stopped_pages_answer_200_and_no_304_is_claimed(
    client, edition, day, tmp_path, monkeypatch
):
    require_redis_server()
    monkeypatch.setattr("cms.cache.clock", lambda: 0.0)
    server = RedisServer(tmp_path)
    server.start()
    try:
        with override_settings(CACHES=production_caches(server.url(0))):
            url = f"{edition.url}calendar.ics"
            etag = client.get(url)["ETag"]
            assert queries_of(client, url, if_none_match=etag)[0] == 0
            server.kill()
            publish_new_title(day)  # cannot be written: the cache empties when back
            count, response = queries_of(client, url, if_none_match=etag)
            assert count > 0  # made again, never claimed from a version
            assert response.status_code == 200
            assert "ETag" in response  # the content's own, from ConditionalGetMiddleware
            assert client.get(edition.url).status_code == 200
    finally:
        server.kill()
