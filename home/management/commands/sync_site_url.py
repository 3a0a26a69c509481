from django.conf import settings
from django.core.management.base import BaseCommand

from home.site_url import sync_site


class Command(BaseCommand):
    help = (
        "Write SITE_URL into the default Site record, as every migrate does: after the "
        "site's address changed with no migration to apply."
    )

    def handle(self, *args, **options):
        changed = sync_site()
        self.stdout.write(
            f"Site address: {settings.SITE_URL} ({'set' if changed else 'unchanged'})"
        )
