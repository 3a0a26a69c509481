from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.checklist import checklist_lines, edition_checklist
from events.models import EditionPage, year_slug


def print_checklist(command, items, with_urls=True):
    """The checklist on the command's output, with the admin's full addresses."""
    base_url = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    for line in checklist_lines(items, base_url, with_urls):
        command.stdout.write(line)
    command.stdout.write(f"{len(items)} to check.")


class Command(BaseCommand):
    help = (
        "Print what to check in an edition before publishing it: the fields that still "
        "mention the previous edition's year or dates, the images and documents carried "
        "over from it, the forms without an opening time and the sessions without a host, "
        "each with the admin address that opens it."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the year of the edition")

    def handle(self, *args, year, **options):
        edition = EditionPage.objects.filter(slug=year_slug(year)).first()
        if edition is None:
            raise CommandError(f"There is no {year} edition.")
        print_checklist(self, edition_checklist(edition))
