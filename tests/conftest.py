import contextlib
import datetime

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
    DocumentItemFactory(page=documents, document__title="ПЛАН МАЙСТЕРНЯ МІСТА 2017")
    form = RegistrationFormPageFactory(parent=edition)
    RegistrationFormFieldFactory(page=form, label="Ім'я", clean_name="name")
    RegistrationFormFieldFactory(
        page=form, label="Електронна пошта", clean_name="email", field_type="email"
    )
    return edition
