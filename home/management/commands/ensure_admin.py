import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a superuser 'admin' when there is no superuser yet, with the password "
        "from ADMIN_PASSWORD or a random one, and print how to log in."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        admin_url = f"{settings.SITE_URL}/admin/"
        existing = users.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Admin: log in at {admin_url} as '{existing.get_username()}'. "
                f"Forgot the password? .venv/bin/python manage.py changepassword "
                f"{existing.get_username()}"
            )
            return
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", "admin@example.org", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the admin account. Log in at {admin_url}\n"
                f"  user:     admin\n  password: {password}\n"
                "Keep this password: it is shown only once."
            )
        )
