"""Time the rollover of an edition at Lviv's scale to the next year.

An edition of 12 days, 144 sessions, six venues, ten tracks, twelve partners with
logos, twelve useful links, a documents page of twelve documents and two forms
(registration and project questionnaire) is built in a throw-away test database and
rolled over to the next year again and again (2020, 2021, …), each time from the same
edition.

    .venv/bin/python benchmarks/rollover.py [--runs 5] [--profile 30]

DATABASE_URL picks the database server as everywhere (SQLite by default); the test
database is created and dropped by Django's test machinery. Prints the median and
slowest time and the query count of `Rollover.run()` as a superuser (what the admin's
«Створити наступний випуск» does before it answers), and of the whole admin request
(the form's checks, the copy and the redirect). --profile N prints the N functions
where a run spends most time (cProfile, cumulative).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)


def build_lviv_scale_edition():
    """The factories' Lviv-scale edition with what else a real edition has."""
    from documents.factories import DocumentItemFactory, DocumentsPageFactory
    from events.factories import (
        EditionPartnerFactory,
        ImageFactory,
        QuestionnaireFormFieldFactory,
        QuestionnairePageFactory,
        RegistrationFormFieldFactory,
        RegistrationFormPageFactory,
        TrackPageFactory,
        build_edition_at_lviv_scale,
    )
    from events.models import EditionLink, EditionPage
    from home.models import HomePage

    edition = build_edition_at_lviv_scale(HomePage.objects.get())
    for _ in range(6):  # ten in all
        TrackPageFactory(parent=edition)
    for number in range(12):
        EditionPartnerFactory(edition=edition, logo=ImageFactory(), sort_order=number)
        EditionLink.objects.create(
            edition=edition, label=f"Посилання {number}", link_url="https://lviv.example"
        )
    documents = DocumentsPageFactory(parent=edition)
    for _ in range(12):
        DocumentItemFactory(page=documents)
    registration = RegistrationFormPageFactory(parent=edition)
    for _ in range(8):
        RegistrationFormFieldFactory(page=registration)
    questionnaire = QuestionnairePageFactory(parent=edition)
    for _ in range(15):
        QuestionnaireFormFieldFactory(page=questionnaire)
    edition.about = "<p>Що таке Майстерня міста 2019: 30 травня – 10 червня 2019 року.</p>"
    edition.save_revision().publish()
    return EditionPage.objects.get(pk=edition.pk)


def timed(function):
    connection.queries_log.clear()  # a bounded deque: once full it would count nothing
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rollovers of each kind")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth import get_user_model

        from events.models import DayPage, EditionPage, Session
        from events.rollover import PARTS, Rollover, next_start_date

        edition = build_lviv_scale_edition()
        admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
        sessions = Session.objects.filter(page__in=DayPage.objects.descendant_of(edition))
        pages = edition.get_descendants(inclusive=True).count()
        print(
            f"{connection.vendor}: an edition of {pages} pages, "
            f"{DayPage.objects.descendant_of(edition).count()} days, {sessions.count()} "
            f"sessions, {edition.venues.count()} venues, {edition.partners.count()} partners"
        )
        years = iter(range(edition.start_date.year + 1, 9999))

        def run():
            Rollover(edition, next_start_date(edition, next(years)), user=admin).run()

        client = Client()
        client.force_login(admin)
        url = f"/admin/editions/{edition.pk}/rollover/"

        def request():
            response = client.post(url, {"year": next(years), "parts": list(PARTS)})
            assert response.status_code == 302, response.status_code

        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(run)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)

        print(f"{'what':<28} {'median s':>9} {'max s':>7} {'queries':>8}")
        for name, function in (("Rollover.run()", run), ("admin request", request)):
            results = [timed(function) for _ in range(args.runs)]
            times = [elapsed for elapsed, _ in results]
            print(
                f"{name:<28} {statistics.median(times):>9.2f} {max(times):>7.2f} "
                f"{results[-1][1]:>8}"
            )
        assert EditionPage.objects.count() > args.runs
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
