"""What the participation forms keep straight when a part fails or the input is odd: a
database blip answers 503 and a retry of the same form never stores twice; one
registration per mailbox however the address is spelled; one programme day per date;
an attachment downloaded under a name from its detected type."""

import datetime
import io
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.urls import reverse
from PIL import Image
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from events.factories import (
    DayPageFactory,
    QuestionnaireFormFieldFactory,
    QuestionnairePageFactory,
)
from events.forms import SIGNER_SALT, normalise_email, started_token
from events.models import DayPage, ProgrammePage, ProjectSubmission, RegistrationSubmission
from events.rollover import Rollover, RolloverError

from .helpers import registration

on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="terminates a PostgreSQL backend",
)


@pytest.fixture
def form_page(edition):
    return edition.registration_page


@pytest.fixture
def visitor():
    """A browser: the test client, which gets the response a failing request sends
    rather than the exception."""
    return Client(raise_request_exception=False)


def submissions():
    return RegistrationSubmission.objects.order_by("pk")


def answers(email="olena@example.org", **extra):
    return registration(name="Олена", email=email, **extra)


class FailingQueries:
    """Every query (or those that mention `table`) fails as with a database that went
    away; Django's own hook around the cursor (`connection.execute_wrapper`)."""

    def __init__(self, table=None):
        self.table = table
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if self.table is None or self.table in sql:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


# A database blip: 503 in Ukrainian, and a retry that stores nothing twice ---------------


def test_with_the_database_gone_a_page_answers_503_in_ukrainian_and_logs_it_once(
    visitor, edition, caplog
):
    caplog.set_level(logging.ERROR, logger="django.request")
    url = edition.url
    with connection.execute_wrapper(FailingQueries()):
        response = visitor.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Сайт на хвилину недоступний" in html
    assert "спробуйте ще раз за хвилину" in html
    assert '<html lang="uk">' in html
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert len(logged) == 1
    assert logged[0].status_code == 503


def test_the_503_page_s_style_is_allowed_by_the_content_security_policy(visitor, edition):
    from cms.csp import inline_style_hashes
    from tests.helpers import ROOT

    url = edition.url
    with connection.execute_wrapper(FailingQueries()):
        response = visitor.get(url)
    (style_hash,) = inline_style_hashes(ROOT / "templates" / "503.html")
    assert style_hash in response["Content-Security-Policy"]


def test_other_errors_still_answer_the_500_page(visitor, edition, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(edition.specific), "get_context", broken)
    response = visitor.get(edition.url)
    assert response.status_code == 500
    assert "Щось пішло не так" in response.content.decode()


def test_stored_but_answered_503_then_the_same_form_again_is_a_303_and_one_registration(
    visitor, form_page
):
    data, url = answers(), form_page.url
    # The registration is stored; then the database fails as the session is saved.
    failing = FailingQueries(table="django_session")
    with connection.execute_wrapper(failing):
        response = visitor.post(url, data)
    assert failing.failed
    assert response.status_code == 503
    assert submissions().count() == 1
    # The person sends the same form again (the same token): it was stored already.
    retry = visitor.post(form_page.url, data)
    assert retry.status_code == 303
    assert retry["Location"] == f"{form_page.url}?thanks"
    assert visitor.get(retry["Location"]).context["status"] == "registered"
    assert submissions().count() == 1


def test_a_database_failing_before_the_registration_is_stored_answers_503_and_the_retry_stores_it(
    visitor, form_page
):
    data, url = answers(), form_page.url
    with connection.execute_wrapper(FailingQueries(table="events_registrationsubmission")):
        assert visitor.post(url, data).status_code == 503
    assert not submissions().exists()
    assert visitor.post(url, data).status_code == 303
    assert submissions().count() == 1


def test_the_same_rendered_form_sent_twice_stores_it_once(client, form_page):
    data = answers()
    first = client.post(form_page.url, data)
    again = client.post(form_page.url, data)
    assert first.status_code == again.status_code == 303
    assert again["Location"] == first["Location"]
    assert submissions().count() == 1
    assert submissions().get().form_token


def test_the_waiting_list_status_is_shown_again_on_a_retry(client, form_page):
    form_page.capacity = 0
    form_page.save()
    data = answers()
    client.post(form_page.url, data)
    retry = client.post(form_page.url, data)
    assert "ви в списку очікування" in client.get(retry["Location"]).content.decode()
    assert [s.status for s in submissions()] == ["waiting"]


def test_each_rendered_form_has_its_own_token(client, form_page):
    tokens = {client.get(form_page.url).context["form"]["started"].value() for _ in range(3)}
    assert len(tokens) == 3
    assert len({started_token() for _ in range(5)}) == 5


def test_two_people_from_two_forms_are_both_registered(client, form_page):
    client.post(form_page.url, answers(email="olena@example.org"))
    client.post(form_page.url, answers(email="ivan@example.org"))
    assert submissions().count() == 2
    assert len({s.form_token for s in submissions()}) == 2


def test_a_form_sent_again_with_other_answers_asks_to_check_them_and_stores_nothing(
    client, form_page
):
    data = answers(email="olena@example.org")
    client.post(form_page.url, data)
    response = client.post(form_page.url, {**data, "email": "ivan@example.org"})
    assert response.status_code == 200
    assert "Цю форму вже надіслано" in response.content.decode()
    assert submissions().count() == 1
    # A fresh token in the form shown again, so sending it now stores the new answers.
    fresh = response.context["form"]["started"].value()
    assert fresh != data["started"]
    assert client.post(form_page.url, {**data, "email": "ivan@example.org", "started": fresh})[
        "Location"
    ].endswith("?thanks")
    assert submissions().count() == 2


def test_a_token_of_the_old_kind_still_registers(client, form_page):
    old = signing.TimestampSigner(salt=SIGNER_SALT).sign("1496000000")
    assert client.post(form_page.url, answers(started=old)).status_code == 303
    assert submissions().get().form_token == ""


@pytest.fixture
def questionnaire(edition):
    page = QuestionnairePageFactory(parent=edition, accepts_attachment=True)
    QuestionnaireFormFieldFactory(page=page, label="Назва проєкту", field_type="singleline")
    QuestionnaireFormFieldFactory(page=page, label="Електронна пошта", field_type="email")
    return page


def private_files():
    return sorted(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def project(**extra):
    return registration(nazva_proiektu="Велодоріжка", elektronna_poshta="m@example.org", **extra)


def test_a_retry_that_meets_a_simultaneous_first_post_is_a_303_and_stores_nothing(
    client, questionnaire, monkeypatch
):
    """Two retries at once: both look for an earlier submission before either has stored
    one; one stores it, the other meets the database's constraint and answers as if it
    had stored it, leaving no second file behind."""
    data = project()
    assert client.post(questionnaire.url, {**data, "attachment": pdf("a.pdf")}).status_code == 303
    first = ProjectSubmission.objects.get()
    files_before = private_files()
    earlier_submission = type(questionnaire).earlier_submission
    looked = []

    def too_early(page, values):
        # The first look happens before the other request's row is committed.
        looked.append(values["form_token"])
        return None if len(looked) == 1 else earlier_submission(page, values)

    monkeypatch.setattr(type(questionnaire), "earlier_submission", too_early)
    retry = client.post(questionnaire.url, {**data, "attachment": pdf("a.pdf")})
    assert retry.status_code == 303
    assert len(looked) == 2
    assert list(ProjectSubmission.objects.all()) == [first]
    assert private_files() == files_before


def test_the_database_refuses_a_second_submission_with_the_same_token(questionnaire, form_page):
    from django.db import IntegrityError, transaction

    for model, page in ((ProjectSubmission, questionnaire), (RegistrationSubmission, form_page)):
        model.objects.create(page=page, form_data={}, form_token="abc")
        model.objects.create(page=page, form_data={})  # old rows have no token
        model.objects.create(page=page, form_data={})
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(page=page, form_data={}, form_token="abc")


@pytest.fixture
def terminate_own_backend():
    """Ends the PostgreSQL backend of Django's connection from a second connection, as
    a database restart does, and waits until it is gone."""
    settings_dict = connection.settings_dict

    def terminate():
        pid = connection.connection.info.backend_pid
        with psycopg.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"],
            host=settings_dict["HOST"],
            port=settings_dict["PORT"] or 5432,
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])

    return terminate


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_restarting_after_the_registration_commits_answers_503_then_the_retry_303(
    visitor, form_page, monkeypatch, terminate_own_backend, caplog
):
    caplog.set_level(logging.ERROR, logger="django.request")
    save = SessionStore.save

    def save_after_a_restart(session, *args, **kwargs):
        # The registration is committed; the database restarts before the answer.
        terminate_own_backend()
        return save(session, *args, **kwargs)

    data = answers()
    with monkeypatch.context() as patched:
        patched.setattr(SessionStore, "save", save_after_a_restart)
        response = visitor.post(form_page.url, data)
    assert response.status_code == 503
    assert "спробуйте ще раз за хвилину" in response.content.decode()
    assert len([r for r in caplog.records if r.name == "django.request"]) == 1
    close_old_connections()  # what the server does at the end of every request
    assert submissions().count() == 1

    retry = visitor.post(form_page.url, data)
    assert retry.status_code == 303
    assert visitor.get(retry["Location"]).context["status"] == "registered"
    assert submissions().count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_two_retries_at_the_same_moment_store_one_project(questionnaire, monkeypatch):
    """Both requests look for an earlier submission before either has stored one; the
    database's constraint makes the second wait for the first and refuse its row."""
    data, url = project(), questionnaire.url
    both_looked = threading.Barrier(2, timeout=10)
    earlier_submission = type(questionnaire).earlier_submission
    first_look = threading.local()
    looks = []

    def look_together(page, values):
        found = earlier_submission(page, values)
        looks.append(found)
        if not getattr(first_look, "done", False):
            first_look.done = True
            both_looked.wait()  # neither inserts before both have looked
        return found

    monkeypatch.setattr(type(questionnaire), "earlier_submission", look_together)

    def send():
        try:
            return Client().post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(lambda _: send(), range(2)))
    assert statuses == [303, 303]
    assert ProjectSubmission.objects.count() == 1
    # Two looks found nothing; the one after the refused row found the first.
    assert [found is None for found in looks] == [True, True, False]


# One registration per mailbox, however the address is spelled ----------------------------


SPELLINGS_OF_ONE_MAILBOX = [
    "olena@ｅxample.org",  # full-width letters
    "ｏｌｅｎａ＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "olena@exam\u200bple.org",  # a zero-width space
    "olena@exam\u00adple.org",  # a soft hyphen
    "ole\u200dna@example.org\ufeff",  # a zero-width joiner, a byte-order mark
    "OLENA@EXAMPLE.ORG",
]


def test_one_mailbox_registers_once_however_its_address_is_spelled(client, form_page):
    assert client.post(form_page.url, answers(email="olena@example.org")).status_code == 303
    for spelling in SPELLINGS_OF_ONE_MAILBOX:
        response = client.post(form_page.url, answers(email=spelling))
        assert response.status_code == 200, spelling
        assert "вже зареєстрована" in response.content.decode(), spelling
    assert submissions().count() == 1


def test_an_address_spelled_oddly_is_kept_in_its_plain_form(client, form_page):
    client.post(form_page.url, answers(email="Olena@ｅxam\u00adple.org"))
    submission = submissions().get()
    assert submission.email == "olena@example.org"
    assert submission.form_data["email"] == "olena@example.org"


def test_a_domain_in_ukrainian_letters_is_one_mailbox_with_its_punycode(client, form_page):
    assert normalise_email("olena@ПРИКЛАД.укр") == "olena@приклад.укр"
    assert normalise_email("olena@xn--80aikifvh.xn--j1amh") == "olena@приклад.укр"
    assert client.post(form_page.url, answers(email="olena@приклад.укр")).status_code == 303
    response = client.post(form_page.url, answers(email="olena@xn--80aikifvh.xn--j1amh"))
    assert "вже зареєстрована" in response.content.decode()
    assert submissions().get().email == "olena@приклад.укр"


NOT_PLAIN = [
    "olena@exam\ue000ple.org",  # a private-use character
    "olena@exa mple.org",
    "olena\u3000@example.org",  # an ideographic space
    "olena@ex\u0007ample.org",  # a control character
    "olena@exam..ple.org",
    "олена@example.org",  # not a local part the mail servers here deliver to
]


def test_an_address_that_is_not_plain_is_refused_next_to_the_field(client, form_page):
    for address in NOT_PLAIN:
        response = client.post(form_page.url, answers(email=address))
        assert response.status_code == 200, address
        errors = response.context["form"].errors
        assert list(errors) == ["email"], address
        assert "звичайну адресу електронної пошти" in errors["email"][0]
    assert not submissions().exists()


def test_normalising_an_address_twice_changes_nothing():
    for address in ["olena@ｅxample.org", "olena@приклад.укр", "a.b+c@sub.example.org"]:
        once = normalise_email(address)
        assert normalise_email(once) == once


# One programme day per date ------------------------------------------------------------


def day_form(date, title="Ще один день", slug="another-day"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": date,
            "intro": rich_text(""),
            "sessions": inline_formset([]),
        }
    )


def test_a_second_day_on_the_same_date_is_refused_next_to_the_date(admin_client, edition):
    programme = ProgrammePage.objects.get()
    url = reverse("wagtailadmin_pages:add", args=["events", "daypage", programme.pk])
    response = admin_client.post(url, day_form("2017-06-12"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["date"]
    assert "12.06.2017 у програмі вже є день «День 1»" in errors["date"][0]
    assert DayPage.objects.filter(date=datetime.date(2017, 6, 12)).count() == 1
    assert admin_client.post(url, day_form("2017-06-14")).status_code == 302


def test_moving_a_day_onto_another_s_date_is_refused_and_saving_it_unchanged_is_not(
    admin_client, edition
):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    url = reverse("wagtailadmin_pages:edit", args=[day.pk])
    moved = admin_client.post(url, day_form("2017-06-12", title=day.title, slug=day.slug))
    assert moved.status_code == 200
    assert "date" in moved.context["form"].errors
    unchanged = admin_client.post(url, day_form("2017-06-13", title=day.title, slug=day.slug))
    assert unchanged.status_code == 302


def test_a_programme_with_two_days_on_one_date_is_refused_by_the_rollover_not_a_500(
    admin_client, edition
):
    # Days saved before the rule existed.
    DayPageFactory(
        parent=ProgrammePage.objects.get(), date=datetime.date(2017, 6, 12), slug="opening"
    )
    url = reverse("edition_rollover", args=[edition.pk])
    response = admin_client.post(url, {"year": 2018, "parts": ["programme", "sessions"]})
    assert response.status_code == 200
    assert "12.06.2017" in response.context["form"].errors["parts"][0]
    assert "два дні" in response.content.decode()
    assert not DayPage.objects.filter(date__year=2018).exists()


def test_the_rollover_command_refuses_two_days_on_one_date_too(edition):
    DayPageFactory(
        parent=ProgrammePage.objects.get(), date=datetime.date(2017, 6, 13), slug="again"
    )
    with pytest.raises(RolloverError, match="13.06.2017"):
        Rollover(edition, datetime.date(2018, 6, 11)).run()
    assert Rollover(edition, datetime.date(2018, 6, 11), without={"programme"}).run()


def test_the_rollover_copies_a_programme_of_distinct_days(edition):
    new = Rollover(edition, datetime.date(2018, 6, 11)).run()
    dates = sorted(DayPage.objects.descendant_of(new).values_list("date", flat=True))
    assert dates == [datetime.date(2018, 6, 11), datetime.date(2018, 6, 12)]


# An attachment is downloaded under a name from its detected type -----------------------


def test_staff_download_an_attachment_under_a_name_from_its_detected_type(
    client, admin_client, questionnaire
):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#17324d").save(buffer, "PNG")
    png, pdf_content = buffer.getvalue(), b"%PDF-1.4\n%%EOF\n"
    for sent_as, body, content_type, extension in [
        ("photo.png.html", png, "image/png", ".png"),
        ("cv.pdf.exe", pdf_content, "application/pdf", ".pdf"),
        ("../../etc/passwd", pdf_content, "application/pdf", ".pdf"),
    ]:
        upload = SimpleUploadedFile(sent_as, body, content_type="text/html")
        assert client.post(questionnaire.url, project(attachment=upload)).status_code == 303
        submission = ProjectSubmission.objects.latest("pk")
        response = admin_client.get(reverse("questionnaire_attachment", args=[submission.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="project-{submission.pk}{extension}"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == body
        # The name the sender gave is still shown to the staff, as text.
        assert submission.attachment_name == Path(sent_as).name
