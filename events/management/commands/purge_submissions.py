import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from events.mail import queued_mails
from events.models import EditionPage, ProjectSubmission, RegistrationSubmission

SUBMISSION_MODELS = [RegistrationSubmission, ProjectSubmission]


class Command(BaseCommand):
    help = (
        "Delete old form submissions (personal data) with their attached files and mails. "
        "Without --older-than: those of editions that ended more than "
        "SUBMISSION_RETENTION_DAYS ago. Queued, sent and failed mails are deleted "
        "MAIL_QUEUE_RETENTION_DAYS after they were queued (or --older-than, if sooner)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="delete submissions sent more than DAYS days ago",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be deleted, delete nothing"
        )

    def handle(self, *args, older_than=None, dry_run=False, **options):
        # Mails carry addresses too: gone after their own (short) retention, and with
        # their submission (events/mail.py).
        mail_days = settings.MAIL_QUEUE_RETENTION_DAYS
        if older_than is not None:
            mail_days = min(mail_days, older_than)
        now = timezone.now()
        old_mails = queued_mails().filter(enqueued_at__lt=now - datetime.timedelta(days=mail_days))
        # Not one that a worker is sending right now (it would stop the worker); one
        # whose worker died goes the next day.
        old_mails = old_mails.exclude(
            status=TaskResultStatus.RUNNING, started_at__gte=now - datetime.timedelta(days=1)
        )
        mails = old_mails.count()
        if older_than is not None:
            cutoff = now - datetime.timedelta(days=older_than)
            old = Q(submit_time__lt=cutoff)
            reason = f"sent more than {older_than} days ago"
        else:
            days = settings.SUBMISSION_RETENTION_DAYS
            ended = timezone.localdate() - datetime.timedelta(days=days)
            # The forms of an edition are pages below it: their paths start with its own.
            old = Q(pk__in=[])
            for edition in EditionPage.objects.filter(end_date__lt=ended):
                old |= Q(page__path__startswith=edition.path)
            reason = f"of editions that ended more than {days} days ago"
        querysets = [model.objects.filter(old) for model in SUBMISSION_MODELS]
        count = sum(queryset.count() for queryset in querysets)
        files = ProjectSubmission.objects.filter(old).exclude(attachment="").count()
        if dry_run:
            self.stdout.write(f"Would delete {count} submissions {reason}, and {files} files.")
            self.stdout.write(f"Would delete {mails} mails queued more than {mail_days} days ago.")
            return
        with transaction.atomic():
            # Each deleted questionnaire removes its file once this is committed.
            for queryset in querysets:
                queryset.delete()
            old_mails.delete()
        self.stdout.write(f"Deleted {count} submissions {reason}, and {files} files.")
        self.stdout.write(f"Deleted {mails} mails queued more than {mail_days} days ago.")
