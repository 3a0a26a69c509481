"""Every iCalendar feed the demo serves, read by two real consumers: PyPI's `ical`
(a strict parser: every value validated) and libical (Debian's gir1.2-ical-3.0, the
library of Evolution and of many calendar servers), whose parser and RFC 5546 (iTIP)
restriction check must leave no X-LIC-ERROR. The UIDs are made from the site's public
hostname, the same for every feed and after a rollover."""

import datetime
import json
import re
import subprocess

import pytest
from ical.calendar_stream import IcsCalendarStream

from events.models import DayPage, EditionPage, Session
from home.models import SiteSettings

from .helpers import require

pytestmark = pytest.mark.django_db

KYIV = datetime.timezone(datetime.timedelta(hours=2))  # winter time
TODAY = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=KYIV)
DEMO_LOADED_AT = TODAY  # tests/conftest.py's module_demo: loaded once, on that day
SYSTEM_PYTHON = "/usr/bin/python3"

# Run by Debian's Python, which has PyGObject and libical's introspection data: each
# file parsed by libical, then checked by icalrestriction_check (the iTIP rules of
# the calendar's METHOD); every X-LIC-ERROR libical adds is a problem.
LIBICAL_CHECK = """
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
problems = {}
for path in sys.argv[1:]:
    component = ICalGLib.Component.new_from_string(open(path, encoding="utf-8").read())
    if component is None:
        problems[path] = ["libical could not parse it"]
        continue
    ICalGLib.restriction_check(component)
    text = component.as_ical_string()
    errors = [line for line in text.replace("\\r\\n ", "").splitlines()
              if line.startswith("X-LIC-ERROR")]
    if errors:
        problems[path] = errors
print(json.dumps(problems))
"""


def libical_available():
    try:
        probe = subprocess.run(
            [
                SYSTEM_PYTHON,
                "-c",
                "import gi; gi.require_version('ICalGLib', '3.0'); "
                "from gi.repository import ICalGLib",
            ],
            capture_output=True,
            timeout=60,
        )
    except OSError:
        return False
    return probe.returncode == 0


@pytest.fixture
def demo(module_demo, home_page):
    return EditionPage.objects.get(slug="2017")


def feeds():
    """The address of every .ics the site serves for the demo."""
    sessions = list(Session.objects.published().filter(page__live=True))
    for edition in EditionPage.objects.live():
        yield edition.feed_url("calendar")
        for track in edition.tracks:
            yield track.feed_url("calendar")
        programme = edition.programme_page
        starred = ",".join(str(s.pk) for s in sessions if s.page.get_parent().pk == programme.pk)
        yield f"{programme.feed_url('my_calendar')}?s={starred}"
    for day in DayPage.objects.live():
        yield day.feed_url("calendar")
    for session in sessions:
        yield session.get_calendar_url()


def served(client):
    files = {}
    for url in feeds():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "text/calendar; charset=utf-8", url
        files[url] = response.content.decode()
    return files


def libical_problems(files, tmp_path):
    require(libical_available(), "libical's validator (Debian's gir1.2-ical-3.0)")
    paths = {}
    for index, (url, text) in enumerate(files.items()):
        path = tmp_path / f"feed-{index}.ics"
        path.write_text(text, encoding="utf-8")
        paths[str(path)] = url
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", LIBICAL_CHECK, *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return {paths[path]: errors for path, errors in json.loads(result.stdout).items()}


def test_every_feed_is_strict_icalendar_and_passes_libicals_itip_check(client, demo, tmp_path):
    files = served(client)
    assert len(files) > Session.objects.count()
    for url, text in files.items():
        calendar = IcsCalendarStream.calendar_from_ics(text)  # raises on any bad value
        assert calendar.events, url
        assert "METHOD:PUBLISH\r\n" in text, url
        for event in calendar.events:
            assert event.organizer is not None, url
            assert event.organizer.uri == "mailto:maisternia.zhytomyr@example.org"
            assert event.organizer.common_name == "Житомирська міська рада"
            assert re.fullmatch(r"session-\d+@testserver", event.uid), url
            assert event.dtstamp and event.dtstart and event.summary, url
    assert libical_problems(files, tmp_path) == {}


def test_a_site_without_an_e_mail_address_publishes_no_itip_method(client, demo, tmp_path):
    settings = SiteSettings.for_site(demo.get_site())
    settings.email = ""
    settings.save()
    url = demo.feed_url("calendar")
    text = client.get(url).content.decode()
    assert "METHOD:" not in text
    assert "ORGANIZER" not in text
    assert IcsCalendarStream.calendar_from_ics(text).events
    assert libical_problems({url: text}, tmp_path) == {}


def test_uids_are_the_public_hostnames_whatever_host_the_request_came_by(client, demo):
    session = Session.objects.published().first()
    by_alias = client.get(session.get_calendar_url(), HTTP_HOST="localhost")
    by_name = client.get(session.get_calendar_url())
    (uid,) = {
        event.uid for event in IcsCalendarStream.calendar_from_ics(by_name.content.decode()).events
    }
    (alias_uid,) = {
        event.uid for event in IcsCalendarStream.calendar_from_ics(by_alias.content.decode()).events
    }
    assert uid == alias_uid == f"session-{session.pk}@testserver"


def test_the_libical_check_rejects_a_publish_without_organizer(tmp_path):
    text = (
        "BEGIN:VCALENDAR\r\nPRODID:-//x//y\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20170612T100000Z\r\n"
        "DTSTART:20170612T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (errors,) = libical_problems({"old": text}, tmp_path).values()
    assert "ORGANIZER" in errors[0]


@pytest.mark.servers
def test_a_calendar_app_subscribing_to_the_served_demo_gets_valid_feeds_with_its_hostname(
    tmp_path,
):
    """The demo as `make run` serves it, over HTTP: the feeds a calendar app
    subscribes to, asked for under another name of the host (localhost), carry UIDs
    at the site's public hostname and pass both checkers; the pages' JSON-LD gives
    the same public address."""
    import requests

    from .helpers import DemoSite, demo_copy

    database_url, media_root = demo_copy(tmp_path)
    with DemoSite(database_url, media_root, loaded=True).serve() as url:
        port = url.rsplit(":", 1)[1]
        alias = f"http://localhost:{port}"
        files = {}
        day_path = "/2017/programme/2017-06-12/"
        for path in ("/2017/calendar.ics", f"{day_path}calendar.ics"):
            response = requests.get(f"{alias}{path}", timeout=30)
            assert response.status_code == 200, path
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            files[path] = response.content.decode()
        page = requests.get(f"{alias}{day_path}", timeout=30).text
    for path, text in files.items():
        events = IcsCalendarStream.calendar_from_ics(text).events
        assert events, path
        assert {event.uid.rpartition("@")[2] for event in events} == {"127.0.0.1"}
        assert {event.organizer.uri for event in events} == {
            "mailto:maisternia.zhytomyr@example.org"
        }
        assert {str(event.url).split("/2017/")[0] for event in events} == {url}
    assert libical_problems(files, tmp_path) == {}
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    events = [node for node in data["@graph"] if node["@type"] == "Event"]
    assert events[-1]["url"] == f"{url}/2017/"  # the edition, after its day's sessions
    assert events and all(event["url"].startswith(f"{url}/2017/") for event in events)
