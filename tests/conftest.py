import contextlib
import datetime
import json
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from documents.factories import DocumentItemFactory, DocumentsPageFactory
from events.factories import (
    DayPageFactory,
    EditionPageFactory,
    ProgrammePageFactory,
    RegistrationFormFieldFactory,
    RegistrationFormPageFactory,
    SessionFactory,
    TrackPageFactory,
    VenueFactory,
)
from home.models import HomePage

HERE = Path(__file__).parent
RESULTS = HERE.parent / "test-results"

# Every test has exactly one tier (README, «Development»): `make quick` runs unit and site,
# `make test` all five. A test module or test may name its tier itself (pytestmark);
# the others get theirs here, by the first rule that fits, so that a new test lands in
# a tier without anyone remembering to mark it.
TIERS = ("unit", "site", "browser", "servers", "checkers")
# Outside checkers (axe-core, LibreOffice's reading of the exports), and property-based
# runs over the site (Hypothesis, Schemathesis).
CHECKER_MODULES = {"browser/test_lighthouse.py", "browser/test_html_validity.py"}
CHECKER_FIXTURES = {"axe_script", "soffice"}
# Real processes or servers beside the test: gunicorn, nginx, redis-server, an SMTP
# server on loopback, `make serve`, two servers, a crowd against a development server.
SERVER_MODULES = {"test_make_serve.py", "test_two_servers.py", "test_registration_load.py"}
SERVER_FIXTURES = {
    "test_cache_resilience.py": {"redis_server"},
    "test_mail_queue.py": {"servers"},
    "test_nginx.py": {"site"},
}
# The test database, or Django's test client (in this process).
SITE_FIXTURES = {"db", "transactional_db", "django_db_setup", "client", "async_client"}


def tier_of(item):
    """The tier a test gets when it does not name one."""
    module = Path(item.path).relative_to(HERE).as_posix()
    fixtures = set(item.fixturenames)
    on_the_site = bool(fixtures & SITE_FIXTURES or item.get_closest_marker("django_db"))
    # A property-based run over the site's requests; one over a pure function is a unit.
    generated = getattr(item.obj, "is_hypothesis_test", False) and on_the_site
    if module in CHECKER_MODULES or fixtures & CHECKER_FIXTURES or generated:
        return "checkers"
    if module.startswith("browser/"):
        return "browser"
    if module in SERVER_MODULES or fixtures & SERVER_FIXTURES.get(module, set()):
        return "servers"
    return "site" if on_the_site else "unit"


def pytest_collection_modifyitems(config, items):
    # With pytest-xdist (`make test`, `make quick`: -n 2 --dist loadgroup), a module's
    # tests share a worker, so that its module-scoped fixtures are built once; the
    # browser tests of the one served demo site (`site_url`) share one, a browser
    # module that serves a site of its own runs beside them; the servers tier runs
    # on one, one test after another, since its servers share what collectstatic
    # writes (STATIC_ROOT).
    xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        # Schemathesis gives its tests one id per API operation in their name only
        # ("…[GET /api/v3/pages/]"), not in the node id, where pytest-xdist would take
        # them for one test and run it once: the name goes into the node id.
        if item.nodeid.rpartition("::")[2] != item.name:
            rename(item, f"{item.nodeid.rpartition('::')[0]}::{item.name}")
        named = {mark.name for mark in item.iter_markers() if mark.name in TIERS}
        if len(named) > 1:
            raise pytest.UsageError(f"{item.nodeid} has more than one tier: {sorted(named)}")
        if named:
            (tier,) = named
        else:
            tier = tier_of(item)
            item.add_marker(getattr(pytest.mark, tier))
        if xdist:
            module = Path(item.path).relative_to(HERE).as_posix()
            if module.startswith("browser/") and "site_url" in item.fixturenames:
                group = "browser"
            else:
                group = "servers" if tier == "servers" else module
            item.add_marker(pytest.mark.xdist_group(group))
            # --dist loadgroup sends together the tests whose node ids end in the same
            # "@group". pytest-xdist's worker appends it itself (its own collection
            # hook), but before this hook has marked the items, and by setting
            # `_nodeid`, which pytest 9.2 no longer reads: without this every test
            # was a unit of its own, a module's fixtures were built on both workers
            # and the servers tier ran on two at once.
            if config.getoption("loadgroup", False) and not item.nodeid.endswith(f"@{group}"):
                rename(item, f"{item.nodeid}@{group}")


def rename(item, nodeid):
    """Gives the test another node id (what pytest-xdist schedules and reports by)."""
    if hasattr(item, "_id"):  # pytest 9.2 and later: a NodeId
        item._id = type(item._id).parse(nodeid)
    else:
        item._nodeid = nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test with serialized_rollback leaves the test database empty (Django flushes
    it after the test, counting on such tests to run last). Under pytest-xdist a worker
    may run others after it: the rows the migrations made (the home page, the groups,
    the site) are put back for them, as Django put them back for the test."""
    result = yield
    marker = item.get_closest_marker("django_db")
    if nextitem is not None and marker and marker.kwargs.get("serialized_rollback"):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=True):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture
def record_figure():
    """Writes a measurement to test-results/<name>.json rather than failing on a busy
    machine: `record_figure("healthz", seconds=0.004)`."""

    def record(name, **figures):
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")

    return record


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and cached settings do not leak from one test to another."""
    cache.clear()


@pytest.fixture(scope="module")
def module_demo(request, django_db_setup, django_db_blocker):
    """The demo loaded once for a whole test module (it takes seconds), in a transaction
    rolled back after the module's last test; each test's own changes are undone by its
    `db` savepoint as usual; its value is load_demo's outcome. A module loads it at a
    frozen moment with DEMO_LOADED_AT. Once set up, it is what every later test of the
    module sees.
    Every test of such a module must use `db` (pytest-django runs tests without it
    after the transactional ones, which empty the database)."""
    from home.demo import load_demo

    moment = getattr(request.module, "DEMO_LOADED_AT", None)
    travel = time_machine.travel(moment, tick=False) if moment else contextlib.nullcontext()
    with django_db_blocker.unblock(), transaction.atomic():
        with travel:
            outcome = load_demo()
        yield outcome
        transaction.set_rollback(True)


@pytest.fixture
def home_page(db):
    """The home page that the migrations create as the site's root."""
    return HomePage.objects.get()


@pytest.fixture
def edition(home_page):
    """A small but complete edition: two venues, two tracks, a programme of two days
    with sessions, a documents page and a registration form."""
    edition = EditionPageFactory(
        parent=home_page,
        title="Майстерня міста Житомир",
        start_date=datetime.date(2017, 6, 12),
        end_date=datetime.date(2017, 6, 17),
        slogan="Живи Житомиром! Створюй Житомир!",
    )
    main = VenueFactory(edition=edition, name="Майданчик біля бібліотеки", sort_order=0)
    VenueFactory(edition=edition, name="Мобільний павільйон", sort_order=1)
    space = TrackPageFactory(parent=edition, title="Громадський простір", colour="#1b5e20")
    TrackPageFactory(parent=edition, title="Велотранспорт", colour="#0d47a1")
    programme = ProgrammePageFactory(parent=edition)
    day1 = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 12), title="День 1")
    day2 = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 13), title="День 2")
    SessionFactory(
        page=day1,
        title="Відкриття",
        start_time=datetime.time(10),
        end_time=datetime.time(11),
        venue=main,
    )
    SessionFactory(
        page=day1,
        title="Прогулянка дворами",
        start_time=datetime.time(12),
        end_time=datetime.time(13, 30),
        track=space,
        venue=main,
        spot="Намет 1",
        hosts="Олена Петрук",
    )
    SessionFactory(page=day2, title="Велопробіг", track=space, venue=main)
    documents = DocumentsPageFactory(parent=edition)
    DocumentItemFactory(page=documents, document__title="План Майстерні міста 2017")
    form = RegistrationFormPageFactory(parent=edition)
    RegistrationFormFieldFactory(page=form, label="Ім'я", clean_name="name")
    RegistrationFormFieldFactory(
        page=form, label="Електронна пошта", clean_name="email", field_type="email"
    )
    return edition
