from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and site settings")

    def ready(self):
        from home import signals  # noqa: F401 (connects the page cache's emptying)
        from home.admin_language import label_unlabelled_fields

        label_unlabelled_fields()
