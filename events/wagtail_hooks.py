from django.urls import path
from wagtail import hooks

from events.views import ReviewView, download_attachment


@hooks.register("register_admin_urls")
def register_submission_urls():
    # Inside the admin: anonymous visitors are sent to the login page.
    return [
        path(
            "forms/questionnaires/<int:pk>/review/",
            ReviewView.as_view(),
            name="questionnaire_review",
        ),
        path(
            "forms/questionnaires/<int:pk>/attachment/",
            download_attachment,
            name="questionnaire_attachment",
        ),
    ]
