"""A rollover that cannot be done as asked is refused with a message that names what to
fix, next to the form's field (or above the form), or by the command; nothing is created.
What can be copied sensibly (a session whose track was deleted) is copied. And the
editor tells the editions apart in the admin: each shows with its year."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page, Revision

from events.factories import DayPageFactory, EditionPageFactory
from events.models import (
    DayPage,
    EditionPage,
    ProgrammePage,
    RegistrationFormPage,
    Session,
    TrackPage,
)
from events.rollover import PARTS, Rollover, RolloverError
from home.demo import load_demo

ALL_PARTS = list(PARTS)


def rollover_url(edition):
    return reverse("edition_rollover", args=[edition.pk])


@pytest.fixture
def counts(db):
    """The number of pages and revisions now, to compare with after a refusal."""

    def count():
        return Page.objects.count(), Revision.objects.count(), Session.objects.count()

    before = count()
    return lambda: count() == before


# A slug already taken ------------------------------------------------------------------


@pytest.fixture
def page_2018(home_page):
    """A page that is not an edition, at the address the 2018 edition would take."""
    return home_page.add_child(instance=Page(title="Архів 2018", slug="2018"))


def test_a_page_at_the_new_address_refuses_the_year_in_the_admin(
    admin_client, edition, page_2018, counts
):
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["year"]
    assert "Адресу /2018/ зайняла сторінка «Архів 2018»" in errors["year"][0]
    assert "Просування" in errors["year"][0]  # where its slug is changed
    assert counts()


def test_a_page_at_the_new_address_is_refused_by_the_command(edition, page_2018, counts):
    with pytest.raises(CommandError, match="«Архів 2018»"):
        call_command("rollover_edition", "2017", "--to", "2018")
    with pytest.raises(RolloverError, match="/2018/"):
        Rollover(edition, datetime.date(2018, 6, 11)).run()
    assert counts()
    # Another year is free.
    call_command("rollover_edition", "2017", "--to", "2019")
    assert EditionPage.objects.filter(slug="2019").exists()


def test_an_edition_of_the_year_refuses_it_in_the_admin(admin_client, edition, counts):
    Rollover(edition, datetime.date(2018, 6, 11)).run()
    pages = Page.objects.count()
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert "Випуск 2018 року вже існує" in response.context["form"].errors["year"][0]
    assert Page.objects.count() == pages


# A track or a venue gone ----------------------------------------------------------------


def test_a_session_whose_track_was_deleted_is_copied_without_a_track(admin_client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 12))
    space = TrackPage.objects.get(title="Громадський простір")
    # A draft of the day that names the track, saved before the track was deleted.
    draft = day.get_latest_revision_as_object()
    draft.title = "День 1: відкриття"
    draft.save_revision()
    assert any(s["track"] == space.pk for s in day.get_latest_revision().content["sessions"])
    space.delete()

    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert response.status_code == 302
    new = EditionPage.objects.get(slug="2018")
    new_sessions = Session.objects.filter(page__in=DayPage.objects.descendant_of(new))
    assert sorted(new_sessions.values_list("title", "track_id")) == [
        ("Велопробіг", None),
        ("Відкриття", None),
        ("Прогулянка дворами", None),
    ]
    for new_day in DayPage.objects.descendant_of(new):
        content = new_day.get_latest_revision().content
        assert all(session["track"] is None for session in content["sessions"])
        assert admin_client.get(f"/admin/pages/{new_day.pk}/edit/").status_code == 200


def test_a_session_with_another_edition_s_track_and_venue_is_copied_without_them(
    edition, home_page
):
    """Older data (or the API) may have a session point at a track or a venue of
    another edition: the copy must not point the new edition there."""
    other = Rollover(edition, datetime.date(2016, 6, 13)).run()
    stray = Session.objects.get(
        title="Велопробіг",
        page__in=DayPage.objects.child_of(ProgrammePage.objects.child_of(edition).get()),
    )
    stray.track = TrackPage.objects.child_of(other).first()
    stray.venue = other.venues.first()
    stray.save()
    new = Rollover(edition, datetime.date(2018, 6, 11)).run()
    copy = Session.objects.get(title="Велопробіг", page__in=DayPage.objects.descendant_of(new))
    assert (copy.track_id, copy.venue_id) == (None, None)
    others = Session.objects.filter(page__in=DayPage.objects.descendant_of(new)).exclude(pk=copy.pk)
    new_venues = set(new.venues.values_list("pk", flat=True))
    assert all(session.venue_id in new_venues for session in others)


# Dates the calendar does not have ------------------------------------------------------


def test_a_start_date_whose_end_is_past_the_calendar_is_refused_next_to_it(
    admin_client, edition, counts
):
    RegistrationFormPage.objects.update(closes_at=None)  # the edition's end is the latest
    response = admin_client.post(
        rollover_url(edition),
        {"year": "9999", "start_date": "9999-12-28", "parts": ALL_PARTS},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["start_date"]
    assert "30.12.9999" in errors["start_date"][0]
    assert "17.06.2017" in errors["start_date"][0]  # this edition's last date
    assert counts()
    with pytest.raises(CommandError, match="30.12.9999"):
        call_command("rollover_edition", "2017", "--to", "9999", "--start", "9999-12-28")
    assert counts()
    # The same year with a start the calendar has.
    assert (
        admin_client.post(rollover_url(edition), {"year": "9999", "parts": ALL_PARTS}).status_code
        == 302
    )


def test_a_year_past_the_calendar_is_refused_on_the_year(admin_client, edition):
    edition.start_date, edition.end_date = datetime.date(2017, 12, 31), datetime.date(2018, 1, 2)
    edition.save()
    DayPage.objects.descendant_of(edition).delete()
    pages = Page.objects.count()
    # The same weekday in 9999 would be 2 January 10000.
    response = admin_client.post(rollover_url(edition), {"year": "9999", "parts": ALL_PARTS})
    assert "year" in response.context["form"].errors
    assert "9999" in response.context["form"].errors["year"][0]
    response = admin_client.post(rollover_url(edition), {"year": "10000", "parts": ALL_PARTS})
    assert "year" in response.context["form"].errors
    for year in ("9999", "10000"):
        with pytest.raises(CommandError, match=year):
            call_command("rollover_edition", "2017", "--to", year)
    assert Page.objects.count() == pages


def test_a_form_closing_late_counts_as_a_date_of_the_copy(edition, counts):
    form = RegistrationFormPage.objects.child_of(edition).get()
    form.closes_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    form.save()
    # The edition's end moved to 9999-12-22 is fine; the form's closing is not.
    with pytest.raises(RolloverError, match="01.01.2025"):
        Rollover(edition, datetime.date(9999, 12, 16)).run()
    assert counts()


# Days the copy could not keep ------------------------------------------------------------


def test_a_day_outside_the_edition_s_dates_is_refused_with_its_name(admin_client, edition):
    programme = ProgrammePage.objects.child_of(edition).get()
    DayPageFactory(parent=programme, date=datetime.date(2017, 6, 20), title="Післямова")
    pages = Page.objects.count()
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    errors = response.context["form"].errors
    assert list(errors) == ["parts"]
    assert "«Післямова»" in errors["parts"][0]
    assert "20.06.2017" in errors["parts"][0]
    assert "12.06.2017 – 17.06.2017" in errors["parts"][0]
    with pytest.raises(CommandError, match="Післямова"):
        call_command("rollover_edition", "2017", "--to", "2018")
    assert Page.objects.count() == pages
    # Without the programme the day does not matter.
    response = admin_client.post(
        rollover_url(edition),
        {"year": "2018", "parts": [p for p in ALL_PARTS if p not in ("programme", "sessions")]},
    )
    assert response.status_code == 302


def test_two_days_on_one_date_are_refused_by_the_admin_and_the_command(admin_client, edition):
    programme = ProgrammePage.objects.child_of(edition).get()
    DayPageFactory(parent=programme, date=datetime.date(2017, 6, 13), slug="again")
    pages = Page.objects.count()
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert "13.06.2017" in response.context["form"].errors["parts"][0]
    with pytest.raises(CommandError, match="13.06.2017"):
        call_command("rollover_edition", "2017", "--to", "2018")
    assert Page.objects.count() == pages


# Refused as a whole, above the form -------------------------------------------------------


def test_a_refusal_met_only_by_the_copy_is_shown_above_the_form(
    admin_client, edition, home_page, monkeypatch
):
    """Another editor creates the 2018 edition between the check of the form and the
    copy: the copy refuses, and the form says so above its fields."""
    run = Rollover.run

    def meanwhile(self):
        run(Rollover(edition, datetime.date(2018, 6, 4)))
        return run(self)

    monkeypatch.setattr(Rollover, "run", meanwhile)
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == ["Випуск 2018 року вже існує: нічого не створено."]
    html = response.content.decode()
    assert '<li class="error">Випуск 2018 року вже існує: нічого не створено.</li>' in html
    assert EditionPage.objects.filter(slug="2018").count() == 1


# Editions told apart in the admin --------------------------------------------------------


@pytest.fixture
def two_editions(admin_client, admin_user, edition):
    """2017 and its copy 2018, both with the same public title, edited by the admin
    (so that both are among the dashboard's recent edits)."""
    edition.save_revision(user=admin_user).publish()
    response = admin_client.post(rollover_url(edition), {"year": "2018", "parts": ALL_PARTS})
    assert response.status_code == 302
    new = EditionPage.objects.get(slug="2018")
    assert new.title == edition.title == "Майстерня міста Житомир"
    admin_client.get(f"/admin/pages/{new.pk}/edit/")  # shows (and drops) the success message
    for page in (edition, new):  # edited by the admin: the dashboard's recent edits
        page.get_latest_revision_as_object().save_revision(user=admin_user, log_action=True)
    return edition, new


YEARS = ("Майстерня міста Житомир (2017)", "Майстерня міста Житомир (2018)")


def test_the_explorer_shows_each_edition_with_its_year(admin_client, home_page, two_editions):
    html = admin_client.get(f"/admin/pages/{home_page.pk}/").content.decode()
    for title in YEARS:
        assert html.count(title) >= 1, title


def test_the_page_chooser_shows_each_edition_with_its_year(admin_client, home_page, two_editions):
    url = reverse("wagtailadmin_choose_page_child", args=[home_page.pk])
    for query in ({}, {"page_type": "events.editionpage"}):
        html = admin_client.get(url, query).json()["html"]
        for title in YEARS:
            assert title in html, (query, title)
    # Searched, as the link chooser of a rich text does.
    html = admin_client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Майстерня"})
    for title in YEARS:
        assert title in html.content.decode(), title


def test_the_featured_edition_setting_shows_the_chosen_edition_s_year(
    admin_client, home_page, two_editions
):
    home_page.featured_edition = two_editions[1]
    home_page.save_revision().publish()
    html = admin_client.get(f"/admin/pages/{home_page.pk}/edit/").content.decode()
    assert YEARS[1] in html


def test_the_dashboard_shows_each_edition_with_its_year(admin_client, two_editions):
    html = admin_client.get("/admin/").content.decode()
    for title in YEARS:
        assert title in html, title


def test_the_public_title_has_no_year_added(client, two_editions):
    old, new = two_editions
    assert old.get_admin_display_title() == YEARS[0]
    assert new.title == "Майстерня міста Житомир"
    assert "<h1>Майстерня міста Житомир</h1>" in client.get("/2017/").content.decode()


def test_a_title_with_its_year_is_not_given_it_twice(home_page):
    from events.factories import EditionPageFactory

    edition = EditionPageFactory(parent=home_page, start_date=datetime.date(2031, 6, 2))
    assert edition.title == edition.get_admin_display_title() == "Майстерня міста Житомир 2031"
    assert EditionPage(title="Нове", start_date=None).get_admin_display_title() == "Нове"


# The form's own script ----------------------------------------------------------------


def test_the_rollover_form_loads_its_date_picker_before_using_it(admin_client, edition):
    """The start date's widget calls initDateChooser inline; the script that defines it
    is the form's media, printed by wagtailadmin/generic/form.html's `media`.
    tests/browser/test_rollover_form.py picks a date in Chromium."""
    html = admin_client.get(rollover_url(edition)).content.decode()
    script = html.index("wagtailadmin/js/date-time-chooser.js")
    assert script < html.index('initDateChooser("id_start_date"')


def test_a_date_in_a_text_past_the_calendar_is_refused_above_the_form(admin_client, edition):
    """The edition's own dates fit, but its text names a later date (a report due at
    the end of the year) that the copy would move past the calendar's end."""
    RegistrationFormPage.objects.update(closes_at=None)
    edition.about = "<p>Звіт буде готовий 31.12.2017.</p>"
    edition.save_revision().publish()
    pages = Page.objects.count()
    response = admin_client.post(
        rollover_url(edition), {"year": "9999", "start_date": "9999-12-10", "parts": ALL_PARTS}
    )
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "дата в текстах випуску" in error and "30.12.9999" in error
    assert error in response.content.decode()
    assert Page.objects.count() == pages
    with pytest.raises(CommandError, match="30.12.9999"):
        call_command("rollover_edition", "2017", "--to", "9999", "--start", "9999-12-10")
    assert Page.objects.count() == pages


def test_the_dashboard_shows_the_next_edition_in_preparation(
    admin_client, two_editions, django_assert_max_num_queries
):
    """The draft 2018 under the live 2017: named with its year, what its checklist
    still lists and «Опублікувати випуск» one click away; gone once it is live."""
    from events.checklist import edition_checklist
    from events.publishing import publish_edition

    old, new = two_editions
    with django_assert_max_num_queries(90):
        html = admin_client.get("/admin/").content.decode()
    assert "Наступний випуск, у підготовці" in html
    assert f'href="/admin/pages/{new.pk}/edit/">Майстерня міста Житомир (2018)</a>' in html
    to_check = len(edition_checklist(new))
    assert to_check and f"{to_check} " in html.split("у підготовці", 1)[1]
    assert reverse("edition_publish", args=[new.pk]) in html
    publish_edition(new)
    assert "у підготовці" not in admin_client.get("/admin/").content.decode()


# The demo's upcoming edition -------------------------------------------------------------

DEMO_DAY = datetime.datetime(
    2026, 12, 2, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
)


def test_the_upcoming_edition_is_skipped_when_its_year_is_taken(home_page):
    EditionPageFactory(
        parent=home_page,
        start_date=datetime.date(2026, 10, 5),
        end_date=datetime.date(2026, 10, 6),
    )
    with time_machine.travel(DEMO_DAY):
        outcome = load_demo()
    assert outcome.created
    assert "no upcoming edition: 2026" in outcome.message
    assert "upcoming edition's pages (published)" not in outcome.counts
    assert sorted(EditionPage.objects.values_list("slug", flat=True)) == ["2017", "2026"]
    assert EditionPage.objects.get(slug="2026").start_date == datetime.date(2026, 10, 5)


def test_a_rollover_that_fails_midway_keeps_no_copied_image_file(edition, settings, monkeypatch):
    """The hero says 2017, so the copy gets an image of its own (a file); a failure
    after that rolls the rows back and takes the file back too."""
    from pathlib import Path

    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    edition.hero_image = get_image_model().objects.create(
        title="Заставка 2017", file=get_test_image_file()
    )
    edition.save_revision().publish()
    files = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    images, pages = get_image_model().objects.count(), Page.objects.count()

    def fail(self, new):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Rollover, "remap_edition_links", fail)
    rollover = Rollover(EditionPage.objects.get(pk=edition.pk), datetime.date(2018, 6, 11))
    with pytest.raises(RuntimeError):
        rollover.run()
    assert (get_image_model().objects.count(), Page.objects.count()) == (images, pages)
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == files
