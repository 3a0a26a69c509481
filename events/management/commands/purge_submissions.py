import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import EditionPage, RegistrationSubmission


class Command(BaseCommand):
    help = (
        "Delete old form submissions (personal data). Without --older-than: those of "
        "editions that ended more than SUBMISSION_RETENTION_DAYS ago."
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
        submissions = RegistrationSubmission.objects.all()
        if older_than is not None:
            cutoff = timezone.now() - datetime.timedelta(days=older_than)
            submissions = submissions.filter(submit_time__lt=cutoff)
            reason = f"sent more than {older_than} days ago"
        else:
            days = settings.SUBMISSION_RETENTION_DAYS
            ended = timezone.localdate() - datetime.timedelta(days=days)
            editions = EditionPage.objects.filter(end_date__lt=ended)
            # The forms of an edition are pages below it: their paths start with its own.
            below_ended = Q(pk__in=[])
            for edition in editions:
                below_ended |= Q(page__path__startswith=edition.path)
            submissions = submissions.filter(below_ended)
            reason = f"of editions that ended more than {days} days ago"
        count = submissions.count()
        if dry_run:
            self.stdout.write(f"Would delete {count} submissions {reason}.")
            return
        with transaction.atomic():
            submissions.delete()
        self.stdout.write(f"Deleted {count} submissions {reason}.")
