import datetime

from django.core.management.base import BaseCommand, CommandError

from events.models import EditionPage
from events.rollover import PARTS, Rollover, RolloverError, next_start_date


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

    def handle(self, *args, year, to, start=None, without="", **options):
        edition = EditionPage.objects.filter(slug=str(year)).first()
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
        self.stdout.write(self.style.SUCCESS(f"Created the draft edition {new.url}: {counts}."))
