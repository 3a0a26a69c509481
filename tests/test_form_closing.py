"""Editions close themselves: a form without a closing time stops accepting at the end
of its edition's last day (Europe/Kyiv); one with a later time stays open until then.
A closed form stores and sends nothing, and points to the newer edition's form."""

import datetime

import pytest
import time_machine

from events.models import (
    ProjectSubmission,
    QuestionnairePage,
    RegistrationFormPage,
    RegistrationSubmission,
)
from events.rollover import Rollover

from .helpers import registration

pytestmark = pytest.mark.django_db

KYIV = datetime.timezone(datetime.timedelta(hours=3))  # summer time, as in June
LAST_MINUTE = datetime.datetime(2017, 6, 17, 23, 59, tzinfo=KYIV)
AFTER_THE_LAST_DAY = datetime.datetime(2017, 6, 18, 0, 0, tzinfo=KYIV)


@pytest.fixture
def form_page(edition):
    """The 2017 registration, with its closing time left empty."""
    page = edition.registration_page
    page.closes_at = None
    page.save_revision().publish()
    return page


@pytest.fixture
def questionnaire(edition):
    from events.factories import QuestionnaireFormFieldFactory, QuestionnairePageFactory

    page = QuestionnairePageFactory(parent=edition, accepts_attachment=False, closes_at=None)
    QuestionnaireFormFieldFactory(page=page, label="Ім'я", clean_name="name")
    QuestionnaireFormFieldFactory(
        page=page, label="Електронна пошта", clean_name="email", field_type="email"
    )
    return page


def register(client, page, email="olena@example.org"):
    return client.post(page.url, registration(name="Олена", email=email))


def main_part(response):
    return response.content.decode().split("<main", 1)[1]


def test_without_a_closing_time_the_form_closes_at_the_end_of_the_last_day(form_page):
    assert form_page.closing_moment() == AFTER_THE_LAST_DAY
    assert form_page.window_state(LAST_MINUTE) == "open"
    assert form_page.window_state(AFTER_THE_LAST_DAY) == "closed"


def test_a_registration_in_the_last_minute_of_the_last_day_is_accepted(
    client, form_page, mailoutbox
):
    with time_machine.travel(LAST_MINUTE, tick=False):
        response = register(client, form_page)
    assert response.status_code == 303
    assert RegistrationSubmission.objects.count() == 1
    assert {address for mail in mailoutbox for address in mail.to} == {
        "olena@example.org",
        "press@example.org",
    }


def test_a_registration_after_the_last_day_is_refused_stores_and_sends_nothing(
    client, form_page, mailoutbox, django_assert_max_num_queries
):
    with time_machine.travel(AFTER_THE_LAST_DAY, tick=False):
        page = client.get(form_page.url)
        with django_assert_max_num_queries(25):
            response = register(client, form_page)
    assert page.status_code == 200
    assert "Реєстрацію закрито." in main_part(page)
    assert "<form" not in main_part(page)
    assert response.status_code == 200
    assert "Реєстрацію закрито." in main_part(response)
    assert "<form" not in main_part(response)
    assert not RegistrationSubmission.objects.exists()
    assert mailoutbox == []


def test_the_thank_you_page_of_a_closed_form_is_unchanged(client, form_page):
    with time_machine.travel(LAST_MINUTE, tick=False):
        thanks_url = register(client, form_page)["Location"]
        before = main_part(client.get(thanks_url))
    with time_machine.travel(AFTER_THE_LAST_DAY, tick=False):
        after = client.get(thanks_url)
    assert after.status_code == 200
    assert "Реєстрацію закрито" not in main_part(after)
    assert form_page.thank_you_text in before or "Дякуємо" in before
    assert ("Дякуємо" in before) == ("Дякуємо" in main_part(after))


def test_an_explicit_later_closing_time_keeps_a_questionnaire_open_after_the_event(
    client, questionnaire
):
    questionnaire.closes_at = datetime.datetime(2017, 7, 1, 18, 0, tzinfo=KYIV)
    questionnaire.save_revision().publish()
    with time_machine.travel(datetime.datetime(2017, 6, 25, 12, 0, tzinfo=KYIV), tick=False):
        assert register(client, questionnaire).status_code == 303
    with time_machine.travel(datetime.datetime(2017, 7, 1, 18, 0, tzinfo=KYIV), tick=False):
        closed = register(client, questionnaire, email="taras@example.org")
    assert "Прийом анкет завершено." in main_part(closed)
    assert list(ProjectSubmission.objects.values_list("email", flat=True)) == ["olena@example.org"]


def test_a_closing_time_must_come_after_the_opening(form_page):
    from django.core.exceptions import ValidationError

    form_page.opens_at = datetime.datetime(2017, 6, 20, 9, 0, tzinfo=KYIV)
    with pytest.raises(ValidationError) as refused:
        form_page.full_clean()
    assert "closes_at" in refused.value.message_dict


def live_copy(edition, start):
    """The rollover's copy of `edition`, every page of it published."""
    new = Rollover(edition, start).run()
    for page in new.get_descendants(inclusive=True).specific().order_by("path"):
        page.save_revision().publish()
    return new


def test_a_closed_form_links_the_newer_editions_form_once_it_is_live(
    client, edition, form_page, questionnaire, django_assert_max_num_queries
):
    new = live_copy(edition, datetime.date(2018, 6, 11))
    newer_form = new.registration_page
    assert newer_form.closes_at is None  # the copy closes with its own edition
    assert newer_form.closing_moment() == datetime.datetime(2018, 6, 17, 0, 0, tzinfo=KYIV)
    with time_machine.travel(datetime.datetime(2018, 1, 10, 12, 0, tzinfo=KYIV), tick=False):
        client.get(form_page.url)  # the site's settings and the session, cached
        # No more than an open form's page (27): the newer form costs a few lookups.
        with django_assert_max_num_queries(27):
            page = client.get(form_page.url)
        project = client.get(questionnaire.url)
        assert register(client, form_page).status_code == 200
        assert register(client, newer_form).status_code == 303
    html = main_part(page)
    assert "Реєстрацію закрито." in html
    assert "Реєстрація на «Майстерня міста Житомир» 2018 відкрита:" in html
    assert f'href="{newer_form.url}"' in html
    assert newer_form.url == "/2018/registration/"
    project_html = main_part(project)
    assert "Анкети на «Майстерня міста Житомир» 2018 приймаються:" in project_html
    assert f'href="{new.questionnaire_page.url}"' in project_html
    # Only the newer edition's registration was stored.
    assert list(RegistrationSubmission.objects.values_list("page_id", flat=True)) == [newer_form.pk]


def test_a_newer_edition_that_is_not_live_is_not_linked(client, edition, form_page):
    new = Rollover(edition, datetime.date(2018, 6, 11)).run()  # a draft
    assert RegistrationFormPage.objects.child_of(new).exists()
    with time_machine.travel(datetime.datetime(2018, 1, 10, 12, 0, tzinfo=KYIV), tick=False):
        html = main_part(client.get(form_page.url))
    assert "Реєстрацію закрито." in html
    assert "2018" not in html


def test_the_newer_form_not_open_yet_is_linked_with_its_opening_time(client, edition, form_page):
    form_page.opens_at = datetime.datetime(2017, 5, 15, 9, 0, tzinfo=KYIV)
    form_page.save_revision().publish()
    new = live_copy(edition, datetime.date(2018, 6, 11))
    # The rollover moved the explicit opening time by the same offset (364 days).
    assert new.registration_page.opens_at == datetime.datetime(2018, 5, 14, 9, 0, tzinfo=KYIV)
    with time_machine.travel(datetime.datetime(2018, 1, 10, 12, 0, tzinfo=KYIV), tick=False):
        html = main_part(client.get(form_page.url))
    assert "Реєстрація на «Майстерня міста Житомир» 2018 відкриється 14 травня 2018, 09:00:" in html


def test_rollover_moves_an_explicit_later_closing_time_by_the_offset(edition, questionnaire):
    questionnaire.closes_at = datetime.datetime(2017, 7, 1, 18, 0, tzinfo=KYIV)
    questionnaire.save_revision().publish()
    new = Rollover(edition, datetime.date(2018, 6, 11)).run()
    copy = QuestionnairePage.objects.child_of(new).get()
    assert copy.closes_at == datetime.datetime(2018, 6, 30, 18, 0, tzinfo=KYIV)
    assert copy.closing_moment() == copy.closes_at


def test_the_edit_page_shows_when_the_form_closes(admin_client, form_page, questionnaire):
    questionnaire.closes_at = datetime.datetime(2017, 7, 1, 18, 0, tzinfo=KYIV)
    questionnaire.save_revision().publish()
    with time_machine.travel(datetime.datetime(2017, 6, 1, 12, 0, tzinfo=KYIV), tick=False):
        registration_edit = admin_client.get(f"/admin/pages/{form_page.pk}/edit/")
        questionnaire_edit = admin_client.get(f"/admin/pages/{questionnaire.pk}/edit/")
    assert registration_edit.status_code == 200
    html = registration_edit.content.decode()
    assert "Приймає до кінця 17 червня 2017, останнього дня випуску" in html
    assert "закривається 18 червня 2017, 00:00" in html
    assert "Зараз відкрито." in html
    assert "Порожнє: після останнього дня випуску." in html
    html = questionnaire_edit.content.decode()
    assert "Приймає до 1 липня 2017, 18:00 (час закриття, указаний вище)." in html


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_api_gives_the_moment_the_form_closes(client, form_page, version):
    response = client.get(f"/api/{version}/pages/{form_page.pk}/")
    assert response.status_code == 200
    assert response.json()["closes_at"] == "2017-06-18T00:00:00+03:00"
