"""Wagtail's preview of each page type, as the press office opens it: from the edit
form's preview panel and from «Переглянути цю версію» in the history. Wagtail renders
the page from its form or its version in memory, not from the database: its inline
objects (a day's sessions, the venues, the documents' list, the form's fields) are
then no queries, and a page type that asks them for a query's methods fails there
only."""

from django.urls import reverse
from wagtail.models import Page

from events.models import DayPage
from tests.helpers import day_form_data, session_rows


def test_every_page_type_previews_an_older_version(admin_client, edition):
    page_types = set()
    for page in Page.objects.filter(depth__gt=1).specific().order_by("path"):
        revision = page.save_revision()
        response = admin_client.get(
            reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk])
        )
        assert response.status_code == 200, (type(page).__name__, response.content[-3000:])
        assert page.title in response.content.decode()
        page_types.add(type(page).__name__)
    assert page_types >= {
        "HomePage",
        "EditionPage",
        "TrackPage",
        "ProgrammePage",
        "DayPage",
        "DocumentsPage",
        "RegistrationFormPage",
    }


def test_the_preview_panel_shows_a_day_with_a_session_not_saved_yet(admin_client, edition):
    day = DayPage.objects.descendant_of(edition).order_by("date").first()
    rows = [
        *session_rows(day),
        {
            "id": "",
            "start_time": "19:00",
            "end_time": "20:30",
            "title": "Вечір короткого кіно",
            "kind": "film",
            "status": "planned",
        },
    ]
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[day.pk])
    posted = admin_client.post(url, day_form_data(day, rows))
    assert posted.json()["is_valid"], posted.content
    response = admin_client.get(url)
    assert response.status_code == 200, response.content[-3000:]
    assert "Вечір короткого кіно" in response.content.decode()
