"""The urgent notice (home/notice.py): posted from the dashboard by moderators (and
editors when the site settings allow), on every public page and in the API within
seconds with the page cache on, gone when withdrawn or ended, its history kept."""

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client, override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

import cms.cache
import home.freshness
import home.notice
from cms.cache import site_caches
from home.models import SiteSettings, UrgentNotice
from home.notice import current_notice, post_notice
from tests.helpers import free_port
from tests.test_mail_queue import BlackHole, run_worker

KYIV = ZoneInfo("Europe/Kyiv")
EVENT_DAY = datetime.datetime(2017, 6, 13, 14, 0, tzinfo=KYIV)  # day 2 of the edition
# The test settings' middleware (cms/settings/base.py, as production's) with the page
# cache kept in memory, as test_page_cache_privacy.py does.
PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "notice"},
}
ALARM = "Повітряна тривога: програму призупинено, пройдіть до укриття."
SHELTER = "https://maps.example.org/shelter/12"


@pytest.fixture
def page_cache():
    with override_settings(CACHES=PAGE_CACHE):
        caches["pages"].clear()
        caches["default"].clear()
        yield caches["pages"]
        caches["pages"].clear()


@pytest.fixture
def event_day():
    with time_machine.travel(EVENT_DAY, tick=False) as traveller:
        yield traveller


def member(django_user_model, group):
    user = django_user_model.objects.create_user(f"user-{group}", password="x")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def moderator(django_user_model):
    client = Client()
    client.force_login(member(django_user_model, "Модератори"))
    return client


@pytest.fixture
def editor(django_user_model):
    client = Client()
    client.force_login(member(django_user_model, "Редактори"))
    return client


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def post(client, **fields):
    data = {"text": ALARM, "level": "alarm", "link_url": SHELTER, "link_text": "Укриття"}
    return client.post("/admin/urgent-notice/", {**data, **fields})


def test_the_notice_appears_on_a_cached_page_within_two_seconds_of_posting(
    client, moderator, edition, page_cache, django_capture_on_commit_callbacks
):
    assert "urgent-notice" not in client.get(edition.url).content.decode()
    # The page is kept: a change that publishes nothing does not reach readers.
    type(edition).objects.filter(pk=edition.pk).update(title="Не опубліковано")
    assert "Не опубліковано" not in client.get(edition.url).content.decode()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(moderator, next="dashboard")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    html = client.get(edition.url).content.decode()
    elapsed = time.monotonic() - started
    assert ALARM in html
    assert elapsed < 2, elapsed
    # Every public page: the home page, the programme, the API.
    assert ALARM in client.get("/").content.decode()
    assert ALARM in client.get(edition.programme_page.url).content.decode()
    assert client.get("/api/v2/notice/").json()["notice"]["text"] == ALARM


def test_a_withdrawn_notice_leaves_the_cached_pages_at_once(
    client, moderator, edition, page_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(moderator)
    assert ALARM in client.get(edition.url).content.decode()
    assert client.get("/api/v2/notice/").json()["notice"]["level"] == "alarm"  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post("/admin/urgent-notice/", {"withdraw": "1"})
    assert response.status_code == 302
    assert ALARM not in client.get(edition.url).content.decode()
    assert client.get("/api/v2/notice/").json() == {"notice": None}
    notice = UrgentNotice.objects.get()  # kept in the history
    assert notice.withdrawn_at is not None
    assert notice.withdrawn_by.username == "user-Модератори"


def test_an_ended_notice_leaves_the_cached_pages_by_itself(
    client, moderator, edition, page_cache, event_day, django_capture_on_commit_callbacks
):
    ends = EVENT_DAY + datetime.timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        post(moderator, ends_at=ends.strftime("%Y-%m-%dT%H:%M"), level="warning")
    # A theme's page: the edition's shows «Зараз/Далі» on an event day, kept a minute at
    # most (tests/test_freshness.py).
    track = edition.tracks[0]
    page = client.get(track.url)
    html = page.content.decode()
    assert ALARM in html
    assert "До 14:02" in html  # the end, in Kyiv time
    # Kept (by the page cache, a CDN) no longer than the notice has left; browsers
    # revalidate.
    assert cache_control(page) >= {"s-maxage=120", "max-age=0"}
    api = client.get("/api/v2/notice/")
    assert "max-age=10" in cache_control(api)
    event_day.move_to(ends - datetime.timedelta(seconds=5))
    assert "s-maxage=5" in cache_control(client.get("/"))
    # The page cache's copy of the edition has 5 s left: so has a CDN's.
    assert "s-maxage=5" in cache_control(client.get(track.url))
    event_day.move_to(ends + datetime.timedelta(seconds=1))  # nobody purged anything
    assert ALARM not in client.get(track.url).content.decode()
    assert client.get("/api/v2/notice/").json() == {"notice": None}
    assert "s-maxage=300" in cache_control(client.get(track.url))  # as before


def test_a_cdn_keeps_a_page_no_longer_than_the_page_cache_and_browsers_revalidate(
    client, edition, page_cache, event_day
):
    track = edition.tracks[0]  # not the edition's page: see above
    first = client.get(track.url)
    assert cache_control(first) >= {"max-age=0", "s-maxage=300"}
    assert first.has_header("ETag")
    event_day.shift(100)
    again = client.get(track.url)  # the page cache's copy
    assert "s-maxage=200" in cache_control(again)
    revalidated = client.get(track.url, headers={"if-none-match": first["ETag"]})
    assert revalidated.status_code == 304
    api = client.get("/api/v2/pages/")  # JSON keeps the API's own rule
    assert "s-maxage=300" not in cache_control(api)


def test_one_notice_at_a_time_and_every_one_is_kept(
    moderator, home_page, event_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(moderator, text="Вхід з вулиці Київської закрито.", level="info")
        event_day.shift(60)
        post(moderator)
    first, second = UrgentNotice.objects.order_by("posted_at")
    assert first.withdrawn_at == EVENT_DAY + datetime.timedelta(seconds=60)  # replaced
    assert UrgentNotice.current() == second
    history = moderator.get("/admin/urgent-notice/").content.decode()
    assert "Вхід з вулиці Київської закрито." in history
    assert ALARM in history


def test_reading_the_notice_costs_one_query_then_none(home_page, django_assert_num_queries, rf):
    post_notice(None, text=ALARM, level=UrgentNotice.Level.ALARM)
    caches["default"].clear()
    request = rf.get("/")
    with django_assert_num_queries(1):
        assert current_notice(request).text == ALARM
        assert current_notice(request).text == ALARM  # the same request: kept on it
    with django_assert_num_queries(0):
        assert current_notice(rf.get("/")).text == ALARM  # the next request: cached


def test_a_page_with_the_notice_costs_no_query_for_it_once_cached(
    client, edition, django_assert_max_num_queries, django_assert_num_queries
):
    post_notice(None, text=ALARM, level=UrgentNotice.Level.INFO)
    client.get(edition.url)  # fills the caches
    with django_assert_max_num_queries(100) as with_notice:
        assert ALARM in client.get(edition.url).content.decode()
    UrgentNotice.objects.update(text="Інший текст")  # no purge: still the cached one
    with django_assert_num_queries(len(with_notice.captured_queries)):
        assert ALARM in client.get(edition.url).content.decode()
    assert not any("home_urgentnotice" in q["sql"] for q in with_notice.captured_queries)


def test_the_alarm_is_announced_and_the_other_levels_are_a_region(client, home_page):
    notice = post_notice(None, text=ALARM, level=UrgentNotice.Level.ALARM, link_url=SHELTER)
    html = client.get("/").content.decode()
    assert 'role="alert"' in html
    assert 'aria-labelledby="urgent-notice-title"' in html
    assert '<h2 class="urgent-notice__level" id="urgent-notice-title">Тривога</h2>' in html
    assert f'<a href="{SHELTER}">Докладніше</a>' in html
    # The notice comes first, before the header.
    assert html.index("urgent-notice") < html.index("site-header")
    UrgentNotice.objects.filter(pk=notice.pk).update(level=UrgentNotice.Level.WARNING)
    caches["default"].clear()
    html = client.get("/").content.decode()
    assert 'role="alert"' not in html
    assert ">Увага</h2>" in html


def test_the_api_gives_the_notice_or_null(
    client, home_page, event_day, django_capture_on_commit_callbacks
):
    assert client.get("/api/v2/notice/").json() == {"notice": None}
    ends = EVENT_DAY + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        post_notice(
            None, text=ALARM, level="alarm", link_url=SHELTER, link_text="Укриття", ends_at=ends
        )
    response = client.get("/api/v2/notice/")
    assert response.json() == {
        "notice": {
            "text": ALARM,
            "level": "alarm",
            "level_label": "Тривога",
            "link": {"url": SHELTER, "text": "Укриття"},
            "posted_at": EVENT_DAY.astimezone(datetime.UTC).isoformat(),
            "ends_at": ends.astimezone(datetime.UTC).isoformat(),
        }
    }
    assert "public" in response["Cache-Control"]
    assert "max-age=10" in response["Cache-Control"]


def test_moderators_post_from_the_dashboard(moderator, home_page):
    dashboard = moderator.get("/admin/").content.decode()
    assert "Термінове повідомлення" in dashboard
    assert 'action="/admin/urgent-notice/"' in dashboard
    assert 'name="next" value="dashboard"' in dashboard


def test_editors_post_only_when_the_site_settings_allow(editor, home_page):
    assert "urgent-notice" not in editor.get("/admin/").content.decode()
    # Wagtail's answer to a refused admin page: back to the dashboard, with a message.
    assert editor.get("/admin/urgent-notice/")["Location"] == "/admin/"
    assert post(editor)["Location"] == "/admin/"
    assert not UrgentNotice.objects.exists()

    SiteSettings.objects.update_or_create(
        site=home_page.get_site(), defaults={"editors_post_notices": True}
    )
    assert 'action="/admin/urgent-notice/"' in editor.get("/admin/").content.decode()
    assert post(editor)["Location"] == "/admin/urgent-notice/"
    assert UrgentNotice.current().text == ALARM


def test_readers_cannot_post(client, home_page):
    response = post(client)
    assert response.status_code == 302  # to the admin's login
    assert not UrgentNotice.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Це поле обов&#x27;язкове."),
        ({"text": "x" * 301}, "не більше ніж 300 символів"),
        ({"level": "panic"}, "коректний вибір, panic немає серед варіантів"),
        ({"link_url": "javascript:alert(1)"}, "Введіть коректний URL"),
        ({"link_url": "", "link_text": "Укриття"}, "Дайте адресу посилання"),
        ({"ends_at": "2017-06-13T13:00"}, "Кінець має бути в майбутньому."),
        ({"ends_at": "завтра"}, "Введіть коректну дату"),
        ({"text": "Текст\x00"}, "Символи Null не дозволені."),
    ],
)
def test_a_notice_that_needs_fixing_is_shown_again_with_why(
    moderator, home_page, event_day, fields, message
):
    response = post(moderator, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not UrgentNotice.objects.exists()


def test_the_notice_shows_while_redis_is_down(client, home_page):
    cms.cache._breakers.clear()
    closed = f"redis://127.0.0.1:{free_port()}/0"
    post_notice(None, text=ALARM, level="alarm")
    with override_settings(CACHES=site_caches({"REDIS_URL": closed})):
        caches["default"].clear()  # fails soft
        assert ALARM in client.get("/").content.decode()
        assert client.get("/api/v2/notice/").json()["notice"]["text"] == ALARM
    cms.cache._breakers.clear()


def test_a_reading_older_than_a_post_does_not_hide_it(
    client, home_page, page_cache, monkeypatch, django_capture_on_commit_callbacks
):
    """A reader's query answered before a post commits, cached after it: the post's
    notice stays cached, and the page made meanwhile is not kept."""
    reading = UrgentNotice.current
    calls = []

    def reading_overtaken_by_a_post(now=None):
        found = reading(now)
        if not calls:
            calls.append(found)
            with django_capture_on_commit_callbacks(execute=True):
                post_notice(None, text=ALARM, level=UrgentNotice.Level.ALARM)
        return found

    monkeypatch.setattr(UrgentNotice, "current", reading_overtaken_by_a_post)
    stale = client.get("/")
    assert calls == [None]  # the page was made without the notice...
    assert ALARM not in stale.content.decode()
    assert "max-age=0" in cache_control(stale)  # ...and is kept by no cache
    assert "s-maxage=300" not in cache_control(stale)
    assert ALARM in client.get("/").content.decode()  # the next reader has it
    assert current_notice().text == ALARM


class PurgeProxy(ThreadingHTTPServer):
    """A caching proxy's purge endpoint (Varnish, nginx's purge module): it keeps the
    PURGE requests it receives, as (Host, path)."""

    def __init__(self):
        self.purged = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                proxy.purged.append((self.headers["Host"], self.path))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


def front_end_cache(location, settings):
    """Production's purge settings (cms/settings/production.py, FRONTEND_CACHE_PURGE_URL)
    pointed at `location`."""
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": location,
        }
    }


def test_posting_purges_every_live_page_and_the_api_from_the_cdn(
    client, moderator, edition, settings, django_capture_on_commit_callbacks
):
    proxy = PurgeProxy()
    try:
        front_end_cache(proxy.url, settings)
        with django_capture_on_commit_callbacks(execute=True):
            assert post(moderator).status_code == 302
    finally:
        proxy.shutdown()
        proxy.server_close()
    paths = {path for _host, path in proxy.purged}
    live = {page.url for page in Page.objects.live().public().exclude(depth=1)}
    assert live <= paths
    assert {"/", edition.url, edition.programme_page.url} <= paths
    assert "/api/v2/notice/" in paths
    assert len(proxy.purged) == len(set(proxy.purged))  # each once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stalled_cdn_neither_holds_the_moderator_nor_the_worker(
    client, moderator, edition, settings, monkeypatch
):
    """The purge is the background worker's, not the request's; a proxy that accepts
    and never answers holds the worker PURGE_SECONDS or so, and the notice is on the
    pages (the page cache emptied) all the same."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "mail": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    monkeypatch.setattr(home.freshness, "PURGE_TIMEOUT", 0.2)
    monkeypatch.setattr(home.freshness, "PURGE_CHUNK", 2)
    monkeypatch.setattr(home.freshness, "PURGE_SECONDS", 0.5)
    port = free_port()
    hole = BlackHole(port)
    try:
        front_end_cache(f"http://127.0.0.1:{port}", settings)
        started = time.monotonic()
        assert post(moderator).status_code == 302  # committed: its on_commit runs
        assert time.monotonic() - started < 2
        assert ALARM in client.get(edition.url).content.decode()
        [queued] = DBTaskResult.objects.filter(
            task_path=home.freshness.purge_front_end_cache.module_path
        )
        assert queued.status == TaskResultStatus.READY
        started = time.monotonic()
        run_worker()
        assert time.monotonic() - started < 3
    finally:
        hole.stop()
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    result = queued.return_value
    assert 0 < result["purged"] < result["of"]  # stopped: the others were not tried
    assert hole.accepted  # it did try
