"""The embeddable programme (`…/programme/embed/`) for the city council's and partners'
sites, and the «Вбудувати» code on the programme page: what the frame shows, its
filters and bad input, who may frame it (and that no other page may be framed, also
when the page cache answers), and its query budget."""

import datetime
import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Site

from cms.csp import embed_origins
from events.factories import EditionPageFactory, build_edition_at_lviv_scale
from events.models import DayPage, ProgrammePage, Session, TrackPage
from home.notice import post_notice

KYIV = ZoneInfo("Europe/Kyiv")
EMBED = "/2017/programme/embed/"
ALL_TITLES = {"Відкриття", "Прогулянка дворами", "Велопробіг"}
PARTNERS = ["https://zt-rada.gov.ua", "http://127.0.0.1:8123"]
PAGE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "embed"},
}


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of its textareas."""

    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.textareas = []
        self._in_textarea = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "textarea":
            self._in_textarea = True
            self.textareas.append("")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in_textarea = False

    def handle_data(self, data):
        if self._in_textarea:
            self.textareas[-1] += data

    def all(self, tag, **attrs):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def embed_titles(response):
    assert response.status_code == 200
    return {s.title for day in response.context["days"] for s in day.sessions.all()}


def framing(response):
    """X-Frame-Options (None when absent) and the policy's frame-ancestors."""
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    ancestors = [d for d in directives if d.startswith("frame-ancestors ")]
    assert len(ancestors) == 1, directives
    return response.get("X-Frame-Options"), ancestors[0].removeprefix("frame-ancestors ")


def test_the_embed_is_the_programme_alone_and_its_links_open_in_the_top_window(client, edition):
    response = client.get(EMBED)
    assert embed_titles(response) == ALL_TITLES
    text = response.content.decode()
    page = Elements(text)
    # No site header, navigation, search, footer or skip link: the partner's page has its own.
    for part in ("site-header", "edition-nav", "site-search", "site-footer", "skip-link"):
        assert part not in text, part
    assert len(page.all("h1")) == 1
    assert "Програма: Майстерня міста Житомир" in text
    assert "12–17 червня 2017" in text
    # Every link leaves the frame for the site: the full programme, each session.
    assert page.all("base") == [{"target": "_top"}]
    links = [a["href"] for a in page.all("a")]
    assert "http://testserver/2017/programme/" in links
    sessions = Session.objects.filter(title__in=ALL_TITLES)
    assert {s.get_url() for s in sessions} <= set(links)
    assert not [href for href in links if href.startswith("#")]
    assert "Уся програма на сайті «Майстерня міста»" in text
    # One programme for search engines: the programme page's.
    assert page.all("meta", name="robots") == [{"name": "robots", "content": "noindex"}]
    assert page.all("link", rel="canonical")[0]["href"] == "http://testserver/2017/programme/"
    # The themes' colours through the nonce'd style element, as on every page.
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in text
    assert " style=" not in text


def test_reached_by_another_host_the_embed_gives_only_the_site_s_own_address(client, edition):
    text = client.get(EMBED, headers={"host": "localhost"}).content.decode()
    page = Elements(text)
    assert page.all("link", rel="canonical")[0]["href"] == "http://testserver/2017/programme/"
    absolute = [a["href"] for a in page.all("a") if "://" in a["href"]]
    assert absolute == ["http://testserver/2017/programme/"]
    assert "localhost" not in text


def test_the_embed_filters_as_the_programme_page_does(client, edition):
    second_venue = edition.venues.get(name="Мобільний павільйон")
    Session.objects.filter(title="Велопробіг").update(venue=second_venue, kind="excursion")
    track = TrackPage.objects.get(title="Громадський простір")
    cases = {
        f"?track={track.slug}": {"Прогулянка дворами", "Велопробіг"},
        "?day=2017-06-13": {"Велопробіг"},
        "?kind=excursion": {"Велопробіг"},
        f"?venue={second_venue.pk}": {"Велопробіг"},
        f"?track={track.slug}&day=2017-06-12": {"Прогулянка дворами"},
        f"?day=2017-06-12&track={track.slug}&venue={edition.main_venue.pk}": {"Прогулянка дворами"},
    }
    for query, titles in cases.items():
        assert embed_titles(client.get(EMBED + query)) == titles, query
        # The same sessions as on the programme page with the same address.
        programme = client.get("/2017/programme/" + query)
        assert embed_titles(programme) == titles, query
    # What is shown is said above the programme, in words.
    text = client.get(f"{EMBED}?track={track.slug}&day=2017-06-12").content.decode()
    assert "Показано:" in text
    assert "Напрям: Громадський простір" in text
    assert "День: 12 червня 2017, понеділок" in text
    nothing = client.get(f"{EMBED}?track={track.slug}&day=2017-06-13&kind=excursion&venue=0")
    assert "Показано:" in nothing.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?track=nope",
        "?day=2017-02-30",
        "?day=x",
        "?venue=abc",
        "?venue=99999",
        "?venue=99999999999999999999999",
        "?kind=<b>",
        "?track=%00",
        "?day=" + "9" * 5000,
    ],
)
def test_a_bad_filter_value_shows_the_whole_programme_with_a_ukrainian_message(
    client, edition, query
):
    response = client.get(EMBED + query)
    assert embed_titles(response) == ALL_TITLES
    text = response.content.decode()
    assert "немає в цій програмі" in text and "цей фільтр не застосовано" in text
    assert "<b>" not in text.split("<main", 1)[1].replace("&lt;b&gt;", "")
    # Nothing of a bad value reaches the «Вбудувати» code either.
    assert "Показано:" not in text


def test_no_session_matching_the_filters_is_said_plainly(client, edition):
    track = TrackPage.objects.get(title="Велотранспорт")
    text = client.get(f"{EMBED}?track={track.slug}").content.decode()
    assert "Жодна подія не відповідає цим фільтрам." in text


def test_the_embed_shows_cancelled_and_moved_sessions_as_the_programme_does(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    sessions = list(day.sessions.all())
    opening, walk = sessions
    opening.status = Session.Status.CANCELLED
    opening.status_note = "Лектор захворів"
    walk.start_time, walk.end_time = datetime.time(12, 30), datetime.time(14)
    walk.status = Session.Status.CHANGED
    day.sessions = sessions
    day.save_revision().publish()
    for url in (EMBED, "/2017/programme/"):
        text = client.get(url).content.decode()
        assert "<s>Відкриття</s>" in text, url
        assert "Скасовано" in text and "Лектор захворів" in text, url
        assert "Змінено" in text and "Перенесено з 12:00" in text, url


def test_an_urgent_notice_shows_first_in_the_partners_frames_too(client, edition):
    post_notice(None, text="Через повітряну тривогу події перенесено в укриття.", level="alarm")
    text = client.get(EMBED).content.decode()
    notice = text.index('<section class="urgent-notice urgent-notice--alarm"')
    assert 'role="alert"' in text[notice : text.index(">", notice)]
    assert "Через повітряну тривогу події перенесено в укриття." in text
    assert notice < text.index("<h1")


@time_machine.travel(datetime.datetime(2017, 6, 13, 9, 0, tzinfo=KYIV), tick=False)
def test_on_an_event_day_the_days_gone_by_are_folded_and_today_is_marked(client, edition):
    response = client.get(EMBED)
    text = response.content.decode()
    past, today = response.context["days"]
    assert past.is_past and today.is_today
    assert '<details class="programme-day programme-day--past">' in text
    assert "Сьогодні, 13 червня" in text
    # «Now» changes every minute: the page cache and a CDN keep it a minute at most.
    assert "s-maxage=60" in response["Cache-Control"]


@override_settings(EMBED_ALLOWED_ORIGINS=PARTNERS)
def test_only_the_site_and_the_listed_origins_may_frame_the_embed(client, edition):
    response = client.get(EMBED + "?day=2017-06-12")
    # X-Frame-Options cannot name origins: the embed goes without it, and its policy
    # names them.
    assert framing(response) == (None, "'self' https://zt-rada.gov.ua http://127.0.0.1:8123")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # Every other page of the site still refuses every frame, the programme page too.
    track = TrackPage.objects.first()
    for path in (
        "/",
        "/2017/",
        "/2017/programme/",
        "/2017/programme/?day=2017-06-12",
        "/2017/programme/now/",
        "/2017/programme/changes/",
        "/2017/programme/my/?s=1",
        DayPage.objects.first().url,
        track.url,
        "/search/?q=embed",
        "/2017/programme/embed/nothing/",
    ):
        assert framing(client.get(path)) == ("DENY", "'none'"), path


def test_with_no_origin_listed_only_the_site_itself_may_frame_the_embed(client, edition):
    assert framing(client.get(EMBED)) == (None, "'self'")


@override_settings(EMBED_ALLOWED_ORIGINS=PARTNERS)
def test_the_page_cache_keeps_each_answer_with_its_own_framing_headers(client, edition):
    """The page cache (and so a CDN after it) stores each address's answer with its
    headers: the embed's copy allows the partners, the programme page's refuses
    every frame, however the requests come one after another."""
    client.get("/2017/programme/")  # the site settings' row, whose creation empties the cache
    with override_settings(CACHES=PAGE_CACHE):
        caches["pages"].clear()
        try:
            answers = [client.get(path) for path in (EMBED, "/2017/programme/") * 3]
        finally:
            caches["pages"].clear()
    for number, response in enumerate(answers):
        assert response.status_code == 200
        embed = number % 2 == 0
        expected = (None, "'self' " + " ".join(PARTNERS)) if embed else ("DENY", "'none'")
        assert framing(response) == expected, number
        assert "s-maxage=" in response["Cache-Control"], number
    # The later answers came from the page cache (no template rendered them) and kept
    # the policy of the first: the nonce of its style element included.
    assert all(getattr(response, "templates", []) == [] for response in answers[2:])
    assert policy(answers[0]) == policy(answers[2]) == policy(answers[4])
    assert policy(answers[1]) == policy(answers[3]) == policy(answers[5])


def policy(response):
    """The directives of an answer's policy, whatever their order."""
    return sorted(d.strip() for d in response["Content-Security-Policy"].split(";"))


def test_a_cdn_purge_of_the_programme_takes_its_embed_too(edition):
    programme = edition.get_children().type(ProgrammePage).get().specific
    batch = PurgeBatch()
    batch.add_page(programme)
    assert {
        "http://testserver/2017/programme/",
        "http://testserver/2017/programme/embed/",
    } <= batch.urls


def embed_code(client, query=""):
    """The «Вбудувати» code of the programme page at `query`, as a partner copies it
    (the textarea's text), and the iframe's attributes in it."""
    text = client.get("/2017/programme/" + query, headers={"host": "localhost"}).content.decode()
    page = Elements(text)
    (code,) = page.textareas
    (frame,) = Elements(html.unescape(code)).all("iframe")
    return text, page, html.unescape(code).strip(), frame


def test_the_programme_page_offers_the_embed_code_for_its_current_filters(client, edition):
    track = TrackPage.objects.get(title="Громадський простір")
    text, page, code, frame = embed_code(client, f"?track={track.slug}&day=2017-06-12&venue=x")
    # An accessible disclosure with a plain Ukrainian label, the code as selectable text.
    assert re.search(r"<details class=\"embed-code\">\s*<summary>Вбудувати</summary>", text)
    (field,) = page.all("textarea", id="embed-code")
    assert "readonly" in field and field["aria-describedby"] == "embed-code-help"
    assert page.all("label", **{"for": "embed-code"})
    assert "Код для вставлення на сторінку (HTML)" in text
    # The copy button waits for its script (no script: nothing to press).
    (button,) = page.all("button", **{"data-copy-from": "embed-code"})
    assert "hidden" in button and "Копіювати код" in text
    assert page.all("script", src="/static/js/embed-code.js")
    # The code: a titled iframe of the embed at the site's public address (SITE_URL's,
    # though this request came in by another host), with the valid filters only.
    assert code.startswith("<iframe ") and code.endswith("></iframe>")
    address = urlsplit(frame["src"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == "http://testserver" + EMBED
    assert parse_qs(address.query) == {"day": ["2017-06-12"], "track": [track.slug]}
    assert frame["title"] == "Програма: Майстерня міста Житомир"
    assert frame["width"] == "100%" and frame["loading"] == "lazy"
    # The address in the code is the embed's, and serves those sessions.
    assert embed_titles(client.get(frame["src"])) == {"Прогулянка дворами"}


def test_the_unfiltered_programme_offers_the_embed_of_the_whole_programme(client, edition):
    _text, _page, _code, frame = embed_code(client)
    assert frame["src"] == "http://testserver" + EMBED


@pytest.mark.parametrize(
    ("values", "origins"),
    [
        ([], []),
        (["https://ZT-Rada.gov.ua/"], ["https://zt-rada.gov.ua"]),
        (
            ["http://127.0.0.1:8123", "https://*.partner.org"],
            ["http://127.0.0.1:8123", "https://*.partner.org"],
        ),
        (
            ["https://xn--80aswg.xn--j1amh", "https://xn--80aswg.xn--j1amh"],
            ["https://xn--80aswg.xn--j1amh"],
        ),
    ],
)
def test_embed_origins_are_written_as_browsers_compare_them(values, origins):
    assert embed_origins(values) == origins


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "zt-rada.gov.ua",
        "https://zt-rada.gov.ua/programme",
        "https://zt-rada.gov.ua; script-src *",
        "https://zt-rada.gov.ua 'unsafe-inline'",
        "'self'",
        "ftp://zt-rada.gov.ua",
        "https://*",
        "https://сайт.укр",
        "https://zt-rada.gov.ua:99999999",
    ],
)
def test_a_value_that_is_not_an_origin_stops_the_site_from_starting(value):
    with pytest.raises(ImproperlyConfigured, match="EMBED_ALLOWED_ORIGINS"):
        embed_origins([value])


def production_setting(value):
    """EMBED_ALLOWED_ORIGINS as the production settings read it from the environment,
    in a process of its own: (its value, or None, and what the process said)."""
    env = {**os.environ, "SECRET_KEY": "x" * 50, "EMBED_ALLOWED_ORIGINS": value}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cms.settings.production as s; print(s.EMBED_ALLOWED_ORIGINS)",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout.strip() if result.returncode == 0 else None), result.stderr


def test_the_setting_comes_from_the_environment_and_a_bad_one_stops_the_site():
    value, _said = production_setting("https://zt-rada.gov.ua, http://127.0.0.1:8123/")
    assert value == repr(PARTNERS)
    value, said = production_setting("https://zt-rada.gov.ua; script-src *")
    assert value is None
    assert "ImproperlyConfigured: EMBED_ALLOWED_ORIGINS" in said


# Measured at Lviv's scale (12 days × 12 sessions, tests/test_public_pages.py): the
# programme's sessions are fetched once for the form's choices and once more when a
# filter on the sessions applies, as on the programme page. An N+1 over days or
# sessions would add 12 to 144.
EMBED_QUERIES = {"": 19, "?kind=discussion": 22, "?day=2019-06-01&venue=x": 19}


@pytest.mark.parametrize("query", list(EMBED_QUERIES))
def test_the_embed_keeps_a_fixed_query_budget_at_lviv_scale(
    client, home_page, query, django_assert_num_queries
):
    edition = build_edition_at_lviv_scale(home_page)
    url = f"{edition.url}programme/embed/{query}"
    client.get(url)  # warm the site and settings caches
    with django_assert_num_queries(EMBED_QUERIES[query]):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(day.sessions.all()) for day in response.context["days"]) > 0


def test_the_editor_s_preview_of_a_programme_page_renders_with_or_without_an_address(
    admin_client, edition, home_page
):
    # A programme already published: its preview offers the code of its embed.
    programme = edition.get_children().type(ProgrammePage).get().specific
    preview = f"/admin/pages/{programme.pk}/edit/preview/"
    assert admin_client.post(preview, {"title": "Програма 2.0", "slug": programme.slug}).json()[
        "is_valid"
    ]
    text = admin_client.get(preview).content.decode()
    assert "Програма 2.0" in text and "http://testserver/2017/programme/embed/" in text
    # A new one, not saved yet: the code of the address it will have once published.
    other = EditionPageFactory(parent=home_page, start_date=datetime.date(2018, 6, 11))
    preview = f"/admin/pages/add/events/programmepage/{other.pk}/preview/"
    assert admin_client.post(preview, {"title": "Програма", "slug": "programme"}).json()["is_valid"]
    response = admin_client.get(preview)
    assert response.status_code == 200
    assert f"http://testserver{other.url}programme/embed/" in response.content.decode()


def test_a_programme_page_outside_any_site_offers_no_code(rf, edition):
    """A page that no Site reaches has no address to give a partner: no code."""
    Site.objects.all().delete()
    programme = edition.get_children().type(ProgrammePage).get().specific
    request = rf.get("/2017/programme/")
    assert programme.get_url(request) is None
    form, _days = programme.filtered_days(request)
    assert programme.embed_url(request, form) is None
    assert programme.embed_code(request, form) == ""


@pytest.mark.slow
@given(
    query=st.dictionaries(
        st.sampled_from(["day", "track", "kind", "venue", "s", "q"]),
        st.one_of(
            st.text(max_size=40),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.sampled_from(["2017-06-12", "2017-13-45", "gromadskii-prostir", "1", "0"]),
        ),
        max_size=4,
    )
)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same requests on every run, in CI too
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_query_string_is_a_server_error_for_the_embed_or_its_code(edition, query):
    visitor = Client(raise_request_exception=False)
    for url in (EMBED, "/2017/programme/"):
        response = visitor.get(url, query)
        assert response.status_code == 200, (url, query)
    # Whatever was asked, the code offered holds only the filters that apply.
    text = response.content.decode()
    (code,) = Elements(text).textareas
    (frame,) = Elements(html.unescape(code)).all("iframe")
    offered = parse_qs(urlsplit(frame["src"]).query)
    assert set(offered) <= {"day", "track", "kind", "venue"}
    assert all(query.get(name) == values[0] for name, values in offered.items())
