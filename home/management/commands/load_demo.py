from django.core.management.base import BaseCommand, CommandError

from home.demo import DemoContentError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo edition «Майстерня міста Житомир» (12–17 June 2017, the past "
        "edition) under the home page, with its tracks, programme, documents and forms, "
        "and from it, with the rollover, an upcoming demonstration edition that starts "
        "21 days from today (Kyiv), published, with open forms (skipped when its year is "
        "taken). Does nothing when the 2017 edition already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any edition exists (used by `make run`).",
        )

    def handle(self, *args, **options):
        try:
            outcome = load_demo(if_empty=options["if_empty"])
        except DemoContentError as error:
            # A mistake in home/demo/content.json: say where, without a traceback.
            raise CommandError(str(error)) from error
        if not outcome.created:
            self.stdout.write(outcome.message)
            return
        self.stdout.write(self.style.SUCCESS(outcome.message))
        for name, count in outcome.counts.items():
            self.stdout.write(f"  {name}: {count}")
