from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and site settings")

    def ready(self):
        from home import (
            signals,  # noqa: F401 (connects the page cache's emptying)
            site_url,  # noqa: F401 (registers the public address's deploy check)
        )
        from home.admin_language import label_unlabelled_fields

        label_unlabelled_fields()
        post_migrate.connect(sync_site_after_migrate, sender=self)


def sync_site_after_migrate(using, **kwargs):
    """Every `migrate` (`make run`, each deploy) puts SITE_URL into the Site record."""
    from home.site_url import sync_site

    sync_site(using)
