import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events.checklist import edition_checklist
from events.models import EditionPage, year_slug
from events.rollover import PARTS, Rollover, RolloverError, next_start_date

from .edition_checklist import print_checklist


class Command(BaseCommand):
    help = (
        "Create next year's edition as a draft copy of an edition: every date shifted "
        "by one offset, the themes remapped, no submission copied."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the year of the edition to copy")
        parser.add_argument("--to", type=int, required=True, help="the new edition's year")
        parser.add_argument(
            "--start",
            type=datetime.date.fromisoformat,
            help="the new start date, YYYY-MM-DD (default: the same weekday in the new year)",
        )
        parser.add_argument(
            "--without",
            default="",
            help=f"comma-separated parts to leave out: {', '.join(PARTS)}",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="a dry run: print what the new edition's checklist would be, create nothing",
        )

    def handle(self, *args, check=False, **options):
        """The new edition, then its checklist (events/checklist.py). With --check, the
        same inside a transaction that is rolled back: nothing is created."""
        if not check:
            new, _rollover = self.create(**options)
            print_checklist(self, edition_checklist(new))
            return
        with transaction.atomic():
            new, rollover = self.create(**options, dry_run=True)
            items = edition_checklist(new)
            transaction.set_rollback(True)
        rollover.discard_files()  # the image copies' files, which no row names now
        print_checklist(self, items, with_urls=False)
        self.stdout.write("Dry run: nothing was created.")

    def create(self, *, year, to, start=None, without="", dry_run=False, **options):
        edition = EditionPage.objects.filter(slug=year_slug(year)).first()
        if edition is None:
            raise CommandError(f"There is no {year} edition.")
        if start and start.year != to:
            raise CommandError(f"The start date {start} is not in {to}.")
        parts = frozenset(part.strip() for part in without.split(",") if part.strip())
        try:
            rollover = Rollover(
                edition,
                start or next_start_date(edition, to),
                without=parts,
                progress=self.stdout.write,
            )
            new = rollover.run()
        except RolloverError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{number} {name}" for name, number in rollover.counts.items())
        if dry_run:
            self.stdout.write(f"Dry run: the draft edition {new.url} would have {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Created the draft edition {new.url}: {counts}."))
        return new, rollover
