from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Editions and programme")

    def ready(self):
        # The form pages' submissions listing. Wagtail's admin views cannot be imported
        # while the models load, so the page types are given it here, once they can
        # (Wagtail's FormMixin reads `submissions_list_view_class`).
        from events.models import QuestionnairePage, RegistrationFormPage
        from events.submission_views import WorkshopSubmissionsListView

        for page_type in (RegistrationFormPage, QuestionnairePage):
            page_type.submissions_list_view_class = WorkshopSubmissionsListView
