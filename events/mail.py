"""Outgoing mail of the participation forms, out of the visitor's request.

A form's mails (the press office's copy, the person's confirmation) are rendered in the
request and queued as tasks of the "mail" task backend (settings.TASKS): with
django-tasks' database backend that is a row written in the submission's own
transaction, so a submission is never stored without its mails, and a submission that
is rolled back queues none. `manage.py db_worker --backend mail` sends them. An attempt
that fails queues the next one a little later (RETRY_DELAYS); after the last one, or when
the mail server refuses the recipient for good, the mail has failed for good: its task
is marked failed and the admin's dashboard lists it (events/wagtail_hooks.py).

Logs and stored errors name the form page, the submission and the SMTP code, never an
address: the server's own reply often quotes the address, so it is never kept.
"""

import logging
import re
import smtplib
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# How long after each failed attempt the next one is made; after the last, the mail has
# failed for good (7 attempts over about a day and a half).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=24),
)

PRESS_COPY = "press_copy"
CONFIRMATION = "confirmation"
# What each mail is, and why an attempt failed (never the server's own words: they may
# quote the address): in the logs in English, for the staff in their language.
KINDS = {
    PRESS_COPY: _("the press office's copy"),
    CONFIRMATION: _("the confirmation"),
}
REFUSED, REJECTED, SMTP_ERROR, NO_ANSWER, UNREACHABLE, NOT_SENDABLE, STALLED = (
    "refused",
    "rejected",
    "smtp_error",
    "no_answer",
    "unreachable",
    "not_sendable",
    "stalled",
)
REASONS = {
    REFUSED: _("the mail server refused the recipient"),
    REJECTED: _("the mail server rejected the message"),
    SMTP_ERROR: _("the mail server answered with an error"),
    NO_ANSWER: _("the mail server did not answer in time"),
    UNREACHABLE: _("the mail server could not be reached"),
    NOT_SENDABLE: _("the message could not be sent"),
    STALLED: _("the mail worker stopped while sending it; it may not have gone out"),
}


def in_english(text):
    with translation.override(None):
        return str(text)


class MailNotSent(Exception):
    """A mail that failed for good. Its text (kept with the task, in the logs of the
    worker) is the reason's key and the SMTP code: "refused 550"."""

    def __init__(self, reason, code=None):
        self.reason, self.code = reason, code
        super().__init__(f"{reason} {code}" if code else reason)


def why(error):
    """(reason, SMTP code or None, whether another attempt may succeed) of a failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _reply in error.recipients.values()})
        # 5xx: the mailbox does not exist or is refused for good; 4xx: try again later.
        return REFUSED, codes[-1] if codes else None, not all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return REJECTED, error.smtp_code, error.smtp_code < 500
    if isinstance(error, smtplib.SMTPResponseException):
        # A refused sender, a failed login, a refused greeting: the site's settings or
        # the server's state, which may be put right before the next attempt.
        return SMTP_ERROR, error.smtp_code, True
    if isinstance(error, TimeoutError | smtplib.SMTPServerDisconnected):
        return NO_ANSWER, None, True
    if isinstance(error, OSError):  # refused connection, no route, unknown host, TLS
        return UNREACHABLE, None, True
    # An address the mail library cannot encode, and the like: the same next time.
    return NOT_SENDABLE, None, False


def describe(reason, code):
    text = in_english(REASONS.get(reason, REASONS[NOT_SENDABLE]))
    return f"{text} (SMTP {code})" if code else text


@task(backend="mail")
def send_queued_mail(
    *, kind, page_id, submission_type, submission_id, subject, body, to, from_email, attempt=1
):
    """Send one queued mail; on failure queue the next attempt or fail for good."""
    where = f"{in_english(KINDS[kind])} of submission {submission_id} (form page {page_id})"
    try:
        EmailMessage(subject, body, from_email or None, to).send()
    except Exception as error:  # every failure is retried or recorded, none is lost
        reason, code, may_succeed_later = why(error)
    else:
        logger.info("Sent %s, attempt %d", where, attempt)
        return {"sent": True, "attempt": attempt}

    failure = describe(reason, code)
    backend = task_backends[send_queued_mail.backend]
    if may_succeed_later and attempt <= len(RETRY_DELAYS) and backend.supports_defer:
        next_attempt_at = timezone.now() + RETRY_DELAYS[attempt - 1]
        send_queued_mail.using(run_after=next_attempt_at).enqueue(
            kind=kind,
            page_id=page_id,
            submission_type=submission_type,
            submission_id=submission_id,
            subject=subject,
            body=body,
            to=to,
            from_email=from_email,
            attempt=attempt + 1,
        )
        logger.warning(
            "Could not send %s, attempt %d: %s; the next attempt at %s",
            where,
            attempt,
            failure,
            next_attempt_at.isoformat(timespec="seconds"),
        )
        return {"sent": False, "attempt": attempt, "reason": reason, "code": code}
    logger.error("Could not send %s, attempt %d: %s; failed for good", where, attempt, failure)
    # Without the original exception: its text may quote the address.
    raise MailNotSent(reason, code) from None


def queue_mail(kind, submission, *, subject, body, to, from_email=""):
    """Queue a mail of a stored submission (in its transaction, with the database
    backend); the worker sends it."""
    return send_queued_mail.enqueue(
        kind=kind,
        page_id=submission.page_id,
        submission_type=submission._meta.label_lower,
        submission_id=submission.pk,
        subject=subject,
        body=body,
        to=list(to),
        from_email=from_email or "",
    )


def queued_mails():
    """Every stored mail task: waiting, being sent, sent, or failed for good."""
    return DBTaskResult.objects.filter(task_path=send_queued_mail.module_path)


# A worker that is stopped in the middle of a mail (SIGKILL, a power cut; SIGTERM lets
# it finish) leaves it "running" for ever. It is not sent again by itself (it may have
# gone out), but listed with the failed ones once it has run this long.
STALLED_AFTER = timedelta(hours=1)


def failed_mails(page_ids=None):
    """The mails that failed for good, or stalled, the latest first, of these form
    pages only."""
    stalled = Q(status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - STALLED_AFTER)
    mails = (
        queued_mails()
        .filter(Q(status=TaskResultStatus.FAILED) | stalled)
        .annotate(failed_at=Coalesce("finished_at", "started_at"))
        .order_by("-failed_at")
    )
    if page_ids is not None:
        mails = mails.filter(args_kwargs__kwargs__page_id__in=list(page_ids))
    return mails


FAILURE_LINE = re.compile(rf"^{re.escape(MailNotSent.__module__)}\.MailNotSent: (\w+)(?: (\d+))?$")


def failure_of(result):
    """What the staff read about a failed mail: the reason, translated, and the code."""
    if result.status == TaskResultStatus.RUNNING:
        return REASONS[STALLED], None
    last_line = result.traceback.strip().rsplit("\n", 1)[-1]
    match = FAILURE_LINE.match(last_line)
    if match is None:  # the worker could not run it at all
        return REASONS[NOT_SENDABLE], None
    reason, code = match.groups()
    return REASONS.get(reason, REASONS[NOT_SENDABLE]), code


def forget_mails(sender, instance, **kwargs):
    """A deleted submission (in the admin, by purge_submissions, with its form) takes
    its queued, sent and failed mails along: they carry the person's address. One that
    a worker is sending right now finishes, and is pruned with the old ones."""
    queued_mails().filter(
        args_kwargs__kwargs__submission_type=instance._meta.label_lower,
        args_kwargs__kwargs__submission_id=instance.pk,
    ).exclude(status=TaskResultStatus.RUNNING).delete()


for submission_model in ("events.RegistrationSubmission", "events.ProjectSubmission"):
    post_delete.connect(forget_mails, sender=submission_model, weak=False)
