import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import EditionPage, ProjectSubmission, RegistrationSubmission

SUBMISSION_MODELS = [RegistrationSubmission, ProjectSubmission]


class Command(BaseCommand):
    help = (
        "Delete old form submissions (personal data) and their attached files. Without "
        "--older-than: those of editions that ended more than SUBMISSION_RETENTION_DAYS ago."
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
        if older_than is not None:
            cutoff = timezone.now() - datetime.timedelta(days=older_than)
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
            return
        with transaction.atomic():
            # Each deleted questionnaire removes its file once this is committed.
            for queryset in querysets:
                queryset.delete()
        self.stdout.write(f"Deleted {count} submissions {reason}, and {files} files.")
