"""The forms' mail leaves the request: queued in the database with the submission, sent by
the mail worker (`manage.py db_worker --backend mail`) with retries, and listed on the
dashboard when it failed for good. Logs never name an address."""

import datetime
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from html import unescape

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from events.mail import RETRY_DELAYS, queued_mails
from events.models import RegistrationSubmission

from .helpers import ROOT, free_port, registration

TITLE = "Об'єднання & Co"
PERSON = "olena@example.org"


class BlackHole:
    """A mail server that accepts connections and never says a word."""

    def __init__(self, port):
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.listener.settimeout(0.1)
        self.accepted = []
        self.running = True
        self.thread = threading.Thread(target=self.swallow, daemon=True)
        self.thread.start()

    def swallow(self):
        while self.running:
            try:
                self.accepted.append(self.listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    def stop(self):
        self.running = False
        self.thread.join(5)
        for connection in self.accepted:
            connection.close()
        self.listener.close()


class Sink:
    """A real SMTP server (aiosmtpd) that keeps what it receives, and refuses the
    recipients it is told to refuse as a real one does, quoting the address."""

    def __init__(self, refuse=()):
        self.received = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        from email import message_from_bytes, policy

        return [
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
            for envelope in self.received
        ]


@pytest.fixture
def smtp_port(settings):
    """The mail goes through the database backend and a real SMTP client to this
    port of 127.0.0.1, waiting at most a second for each answer."""
    port = free_port()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "mail": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 1
    return port


@pytest.fixture
def servers(smtp_port):
    """Start a black hole or a sink on the port; each is stopped after the test."""
    started = []

    def black_hole():
        hole = BlackHole(smtp_port)
        started.append(hole.stop)
        return hole

    def sink(**options):
        handler = Sink(**options)
        controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        started.append(controller.stop)
        return handler

    yield black_hole, sink
    for stop in reversed(started):
        stop()


def run_worker():
    """`manage.py db_worker --backend mail --batch` in this process: every mail that is
    due, then back. The worker takes over the signals and its loggers: given back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in signals}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [each.level for each in loggers]
    try:
        call_command("db_worker", "--backend", "mail", "--batch", "--no-startup-delay")
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


def app_log(caplog):
    """What the site logged (not the test's own SMTP server), tracebacks included."""
    records = [record for record in caplog.records if not record.name.startswith("mail.log")]
    return "\n".join(caplog.handler.format(record) for record in records)


def mails(**filters):
    return list(queued_mails().filter(**filters).order_by("enqueued_at"))


def waiting():
    return mails(status=TaskResultStatus.READY)


@pytest.fixture
def form_page(edition):
    edition.title = TITLE
    edition.save()
    return edition.registration_page


def register(client, form_page, email=PERSON):
    return client.post(form_page.url, registration(name="Олена", email=email))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_silent_mail_server_holds_no_registration_and_the_mail_goes_out_when_it_is_back(
    client, form_page, servers, caplog
):
    black_hole, sink = servers
    hole = black_hole()

    client.get(form_page.url)  # as a person does first (and the templates are compiled)
    started = time.monotonic()
    response = register(client, form_page)
    answered_in = time.monotonic() - started
    assert response.status_code == 303
    # Sending in the request would take a second per mail here, at the least.
    assert answered_in < 1, f"the POST waited {answered_in:.2f} s"
    submission = RegistrationSubmission.objects.get()
    assert {tuple(mail.args_kwargs["kwargs"]["to"]) for mail in waiting()} == {
        ("press@example.org",),
        (PERSON,),
    }

    # The worker meets the silence, gives up after the timeout and tries again later.
    started = time.monotonic()
    run_worker()
    assert time.monotonic() - started >= 2 * 0.9  # two mails, a second each
    first_attempts = mails(status=TaskResultStatus.SUCCESSFUL)
    assert [mail.return_value["sent"] for mail in first_attempts] == [False, False]
    retries = waiting()
    assert [mail.args_kwargs["kwargs"]["attempt"] for mail in retries] == [2, 2]
    soon = timezone.now() + RETRY_DELAYS[0]
    assert all(abs(mail.run_after - soon) < datetime.timedelta(seconds=10) for mail in retries)
    assert f"of submission {submission.pk}" in app_log(caplog)
    assert "did not answer in time" in app_log(caplog)
    run_worker()  # not due yet: nothing is tried
    assert len(waiting()) == 2

    # The mail server is back; the next attempt delivers both.
    hole.stop()
    received = sink()
    with time_machine.travel(timezone.now() + RETRY_DELAYS[0] + datetime.timedelta(seconds=5)):
        run_worker()
    assert not waiting()
    delivered = {tuple(to): message for to, message in received.messages()}
    confirmation = delivered[(PERSON,)]
    assert confirmation["Subject"].strip() == f"Реєстрацію підтверджено: {TITLE}"
    body = confirmation.get_content()
    assert TITLE in body
    assert "&#x27;" not in body and "&amp;" not in body
    assert "http://testserver/2017/calendar.ics" in body
    press = delivered[("press@example.org",)]
    assert f"Електронна пошта: {PERSON}" in press.get_content()
    assert "@" not in app_log(caplog)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submission_that_fails_is_stored_with_no_mail_and_no_mail_without_it(
    form_page, smtp_port, monkeypatch
):
    def broken(*args, **kwargs):
        raise OperationalError("the database went away while the mail was queued")

    # The press office's copy is queued, then the confirmation fails: all rolled back.
    monkeypatch.setattr(type(form_page), "send_confirmation", broken)
    response = register(Client(raise_request_exception=False), form_page)
    assert response.status_code >= 500
    assert not RegistrationSubmission.objects.exists()
    assert not mails()

    monkeypatch.undo()
    assert register(Client(), form_page).status_code == 303
    assert RegistrationSubmission.objects.count() == 1
    assert len(waiting()) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_recipient_fails_for_good_at_once_and_the_log_keeps_no_address(
    client, form_page, servers, caplog
):
    _black_hole, sink = servers
    received = sink(refuse={PERSON})
    register(client, form_page)
    submission = RegistrationSubmission.objects.get()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        run_worker()

    assert [to for to, _message in received.messages()] == [["press@example.org"]]
    (failed,) = mails(status=TaskResultStatus.FAILED)
    assert failed.args_kwargs["kwargs"]["kind"] == "confirmation"
    assert not waiting()  # a 550 is not tried again
    assert (
        f"Could not send the confirmation of submission {submission.pk} (form page "
        f"{form_page.pk}), attempt 1: the mail server refused the recipient (SMTP 550); "
        "failed for good"
    ) in app_log(caplog)
    assert "@" not in app_log(caplog)
    assert PERSON not in failed.traceback and "User unknown" not in failed.traceback


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboard_lists_mails_that_failed_after_every_attempt_for_the_staff(
    client, admin_client, form_page, smtp_port, django_user_model
):
    # Nothing listens on the port: every attempt is refused at once.
    register(client, form_page)
    admin_client.get("/admin/")  # the dashboard says nothing while mail is on its way
    assert "Листи, які не вдалося надіслати" not in admin_client.get("/admin/").content.decode()
    moment = timezone.now()
    for delay in (datetime.timedelta(0), *RETRY_DELAYS):
        moment += delay + datetime.timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            run_worker()
    assert not waiting()
    failed = mails(status=TaskResultStatus.FAILED)
    assert [mail.args_kwargs["kwargs"]["attempt"] for mail in failed] == [7, 7]

    html = unescape(admin_client.get("/admin/").content.decode())
    assert "Листи, які не вдалося надіслати" in html
    assert "Не вдалося надіслати 2 листи із форм; нових спроб не буде" in html
    assert PERSON in html and f"Реєстрацію підтверджено: {TITLE}" in html
    assert "Не вдалося з’єднатися з поштовим сервером" in html
    assert "7 спроб" in html
    assert f'href="/admin/forms/submissions/{form_page.pk}/"' in html

    # Someone in the admin who may not see the form's submissions sees none of it.
    outsider = django_user_model.objects.create_user("outsider", password="x")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    outside = Client()
    outside.force_login(outsider)
    page = outside.get("/admin/").content.decode()
    assert "Листи, які не вдалося надіслати" not in page and PERSON not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mails_go_with_their_submission_and_are_pruned_after_their_retention(
    client, form_page, smtp_port, settings
):
    settings.MAIL_QUEUE_RETENTION_DAYS = 30
    settings.SUBMISSION_RETENTION_DAYS = 100 * 365  # the submissions themselves stay
    register(client, form_page, email="first@example.org")
    register(client, form_page, email="second@example.org")
    first, second = RegistrationSubmission.objects.order_by("pk")
    assert len(mails()) == 4

    # A moderator deletes a submission: its mails (with the address) go too.
    first.delete()
    assert {mail.args_kwargs["kwargs"]["submission_id"] for mail in mails()} == {second.pk}

    out = io.StringIO()
    call_command("purge_submissions", stdout=out)
    assert "Deleted 0 mails queued more than 30 days ago." in out.getvalue()
    assert len(mails()) == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        call_command("purge_submissions", "--dry-run", stdout=out)
        assert "Would delete 2 mails queued more than 30 days ago." in out.getvalue()
        assert len(mails()) == 2
        call_command("purge_submissions", stdout=out)
    assert not mails()
    assert RegistrationSubmission.objects.get() == second


def task_backends_of(module):
    """The TASKS backends a settings module names (read without starting Django)."""
    code = f"import {module} as s; print(s.TASKS['default']['BACKEND'], s.TASKS['mail']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SECRET_KEY": "only-read-here"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_production_queues_mail_for_the_worker_and_development_sends_it_at_once():
    # `db_worker --backend mail` (docs/deploy.md, `make serve`) needs a database
    # backend; `make run` needs none. Wagtail's own tasks keep its default.
    immediate = "django_tasks.backends.immediate.ImmediateBackend"
    assert task_backends_of("cms.settings.production") == [
        immediate,
        "django_tasks_db.DatabaseBackend",
    ]
    assert task_backends_of("cms.settings.dev") == [immediate, immediate]


def test_a_mail_whose_worker_was_killed_while_sending_it_is_listed_after_an_hour(
    admin_client, form_page, smtp_port
):
    register(Client(), form_page)
    stalled, _waiting = mails()
    stalled.claim("killed-worker")
    html = unescape(admin_client.get("/admin/").content.decode())
    assert "Листи, які не вдалося надіслати" not in html
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        html = unescape(admin_client.get("/admin/").content.decode())
    assert "Не вдалося надіслати 1 лист із форм; нових спроб не буде" in html
    assert "Надсилання перервалося на півдорозі, лист міг не дійти" in html


def test_confirmation_subjects_arrive_unescaped(client, form_page, mailoutbox):
    from events.factories import QuestionnaireFormFieldFactory, QuestionnairePageFactory

    register(client, form_page)
    questionnaire = QuestionnairePageFactory(parent=form_page.get_parent())
    QuestionnaireFormFieldFactory(page=questionnaire, label="Назва", field_type="singleline")
    QuestionnaireFormFieldFactory(page=questionnaire, label="Пошта", field_type="email")
    client.post(
        questionnaire.url,
        registration(nazva="Сквер & «Двір»", poshta="maryana@example.org"),
    )
    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert subjects[PERSON] == f"Реєстрацію підтверджено: {TITLE}"
    assert subjects["maryana@example.org"] == f"Проєкт отримано: {TITLE}"
