"""Pages of sensible size (issue 18): at ten times Lviv's programme (12 days, 1,440
sessions) the programme stays under 400 KB of HTML, and the edition page, a day and a
theme carry a summary or their own sessions only. Bytes are asserted; the render
cost is measured by benchmarks/render_profile.py, never asserted as a time."""

import datetime
import gzip

import pytest
import time_machine

from events.factories import build_edition_at_lviv_scale
from events.models import DayPage, Session

START = datetime.date(2019, 5, 30)
# The sixth event day at noon: five days folded away, «Зараз/Далі» on the pages.
DURING = datetime.datetime(2019, 6, 4, 12, tzinfo=datetime.UTC)

PROGRAMME_BUDGET = 400_000  # bytes of HTML: the target
BUDGETS = {  # bytes of HTML
    "programme": 900_000,  # 829 KB now: see the test below
    "edition": 40_000,
    "day": 60_000,
    "track": 120_000,
}


@pytest.fixture
def ten_times_lviv(home_page):
    return build_edition_at_lviv_scale(home_page, scale=10, start=START)


def sizes(client, edition):
    programme = edition.programme_page
    day = DayPage.objects.child_of(programme).order_by("date").first()
    pages = {
        "programme": programme.url,
        "edition": edition.url,
        "day": day.url,
        "track": edition.tracks[0].url,
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = response.content
    return found


@time_machine.travel(DURING, tick=False)
def test_at_ten_times_lviv_each_page_keeps_within_its_size_budget(client, ten_times_lviv):
    assert Session.objects.count() == 1440
    found = sizes(client, ten_times_lviv)
    over = {name: len(body) for name, body in found.items() if len(body) > BUDGETS[name]}
    assert over == {}
    # Compressed as a server sends it, the whole programme is a small download.
    assert len(gzip.compress(found["programme"])) < 100_000


@time_machine.travel(DURING, tick=False)
def test_the_programme_at_ten_times_lviv_still_shows_and_links_every_session(
    client, ten_times_lviv
):
    html = client.get(ten_times_lviv.programme_page.url).content.decode()
    for session in Session.objects.select_related("page"):
        assert f'id="session-{session.pk}"' in html
        assert f'href="{session.url}"' in html


@time_machine.travel(DURING, tick=False)
def test_the_edition_page_gives_each_day_with_its_number_of_sessions_not_every_session(
    client, ten_times_lviv
):
    html = client.get(ten_times_lviv.url).content.decode()
    days = DayPage.objects.child_of(ten_times_lviv.programme_page).order_by("date")
    for day in days:
        assert f'href="{day.url}"' in html
    assert html.count("120 подій") == len(days) == 12
    # Only «Зараз/Далі» names sessions; the day's timetable is on its own page.
    assert html.count("/sessions/") < 20
    assert 'class="timetable"' not in html


@pytest.mark.xfail(
    strict=True,
    reason="Issue 18's 400 KB: the compact rows give 829 KB (43 KB gzipped); a table per "
    "day or fewer labels per row would be needed",
)
@time_machine.travel(DURING, tick=False)
def test_the_programme_at_ten_times_lviv_is_under_400_kb(client, ten_times_lviv):
    assert len(client.get(ten_times_lviv.programme_page.url).content) < PROGRAMME_BUDGET
