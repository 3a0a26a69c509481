"""What the public sees: every page renders its content, in order, in Ukrainian."""

import datetime

import pytest

from documents.models import DocumentsPage
from events.factories import EditionPageFactory, build_edition_at_lviv_scale
from events.models import DayPage, TrackPage
from home.models import SiteSettings

from .helpers import registration

# Measured with the lviv_scale fixture; an N+1 over days or sessions would add 12 to 144.
QUERY_BUDGET = {"programme": 26, "edition": 27, "track": 22, "home": 10}


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_page_of_an_edition_renders_with_title_and_description(client, edition):
    for page in [edition.get_parent(), edition, *edition.get_descendants().live()]:
        html = get(client, page.url)
        assert "<title>" in html
        assert '<meta name="description"' in html
        assert '<html lang="uk"' in html


def test_the_edition_lives_at_its_year_and_shows_dates_and_venue(client, edition):
    html = get(client, "/2017/")
    assert "12–17 червня 2017" in html
    assert "Майданчик біля бібліотеки" in html
    assert "Живи Житомиром! Створюй Житомир!" in html
    assert "https://www.openstreetmap.org/?mlat=50.254650" in html


def test_edition_navigation_shows_its_parts(client, edition):
    html = get(client, "/2017/")
    for part in ("/2017/programme/", "/2017/documents/", "/2017/registration/"):
        assert f'href="{part}"' in html


def test_contacts_fall_back_to_the_site_settings(client, edition):
    settings = SiteSettings.for_site(edition.get_site())
    settings.email = "press@example.org"
    settings.phone = "+380 00 000 00 00"
    settings.save()
    edition.contact_phone = "+38 097 7583244"
    edition.save()
    contacts = edition.get_contacts()
    assert contacts.email == "press@example.org"
    assert contacts.phone == "+38 097 7583244"
    html = get(client, "/2017/")
    assert "mailto:press@example.org" in html
    assert "+38 097 7583244" in html


def test_programme_groups_sessions_by_day_in_time_order(client, edition):
    html = get(client, "/2017/programme/")
    html = html[html.index('class="section programme-day"') :]  # past the filters
    assert "12 червня 2017, понеділок" in html
    assert "13 червня 2017, вівторок" in html
    assert html.index("12 червня 2017, понеділок") < html.index("Відкриття")
    assert html.index("Відкриття") < html.index("Прогулянка дворами")
    assert html.index("Прогулянка дворами") < html.index("13 червня 2017, вівторок")
    assert html.index("13 червня 2017, вівторок") < html.index("Велопробіг")
    assert "10:00–11:00" in html


def test_a_session_shows_its_track_by_name_as_well_as_colour(client, edition):
    html = get(client, DayPage.objects.get(date=datetime.date(2017, 6, 12)).url)
    walk = html[html.index("Прогулянка дворами") :]
    assert "Громадський простір" in walk
    assert "Намет 1" in walk
    assert "Олена Петрук" in walk


def test_a_track_lists_its_sessions_across_days(client, edition):
    html = get(client, TrackPage.objects.get(title="Громадський простір").url)
    assert "Прогулянка дворами" in html
    assert "Велопробіг" in html
    assert "Відкриття" not in html


def test_draft_days_stay_hidden_from_the_programme(client, edition):
    day = DayPage.objects.get(date=datetime.date(2017, 6, 13))
    day.unpublish()
    html = get(client, "/2017/programme/")
    assert "Велопробіг" not in html


def test_documents_show_title_description_type_and_size(client, edition):
    html = get(client, DocumentsPage.objects.get().url)
    assert "План Майстерні міста 2017" in html
    assert "Короткий опис документа." in html
    assert "PDF" in html
    assert "13\xa0байтів" in html or "13 байтів" in html


def test_registration_form_stores_a_submission_and_thanks(client, edition):
    form_page = edition.registration_page
    response = client.post(
        form_page.url, registration(name="Марʼяна О’Коннор 🚲", email="maryana@example.org")
    )
    assert response.status_code == 303
    submission = form_page.get_submission_class().objects.get()
    assert submission.form_data["name"] == "Марʼяна О’Коннор 🚲"


def test_registration_form_errors_are_shown_next_to_the_field(client, edition):
    form_page = edition.registration_page
    response = client.post(form_page.url, registration(name="", email="not-an-email"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "email"}
    assert form_page.get_submission_class().objects.count() == 0


def test_home_features_the_latest_edition_and_lists_the_archive(client, edition, home_page):
    EditionPageFactory(
        parent=home_page, title="Майстерня міста 2018", start_date=datetime.date(2018, 6, 11)
    )
    response = client.get("/")
    assert response.context["current_edition"].title == "Майстерня міста 2018"
    assert [e.start_date.year for e in response.context["editions"]] == [2018, 2017]
    home_page.featured_edition = edition
    home_page.save()
    assert client.get("/").context["current_edition"] == edition


def test_search_finds_sessions_tracks_and_documents(client, edition):
    # A session is found as its own page, not as its day.
    assert "/sessions/" in get(client, "/search/?q=Прогулянка")
    assert "Громадський простір" in get(client, "/search/?q=простір")
    assert "Документи" in get(client, "/search/?q=ПЛАН")
    assert "Нічого не знайдено" in get(client, "/search/?q=абракадабра")


def test_search_refuses_nothing_a_visitor_can_type(client, edition):
    for query in ("", "'", '"', "%", "a" * 500, "<script>", "ʼ’'"):
        assert client.get("/search/", {"q": query}).status_code == 200
    assert client.get("/search/", {"q": "Прогулянка", "page": "x"}).status_code == 200


@pytest.fixture
def lviv_scale(home_page):
    return build_edition_at_lviv_scale(home_page)


@pytest.mark.parametrize("part", ["programme", "edition", "track", "home"])
def test_pages_keep_a_fixed_query_budget_at_lviv_scale(
    client, lviv_scale, part, django_assert_max_num_queries
):
    urls = {
        "programme": f"{lviv_scale.url}programme/",
        "edition": lviv_scale.url,
        "track": lviv_scale.tracks[0].url,
        "home": "/",
    }
    client.get(urls[part])  # warm the site and settings caches
    with django_assert_max_num_queries(QUERY_BUDGET[part]):
        response = client.get(urls[part])
    assert response.status_code == 200


def test_a_day_links_to_the_next_and_previous_days(client, edition):
    first, second = DayPage.objects.order_by("date")
    assert f'href="{second.url}" rel="next"' in get(client, first.url)
    html = get(client, second.url)
    assert f'href="{first.url}" rel="prev"' in html
    assert 'rel="next"' not in html


def test_a_failing_mail_server_keeps_the_registration_and_thanks_the_visitor(
    client, edition, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server is down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    form_page = edition.registration_page
    response = client.post(form_page.url, registration(name="Олена", email="olena@example.org"))
    assert response.status_code == 303
    assert form_page.get_submission_class().objects.count() == 1
    assert "Could not send the press office's copy" in caplog.text
    assert "olena@example.org" not in caplog.text  # no personal data in the logs


def test_the_press_office_gets_each_registration_by_e_mail(client, edition, mailoutbox):
    form_page = edition.registration_page
    client.post(form_page.url, registration(name="Олена", email="olena@example.org"))
    assert mailoutbox[0].to == ["press@example.org"]
    body = mailoutbox[0].body
    assert "Електронна пошта: olena@example.org" in body
    assert f"/admin/forms/submissions/{form_page.pk}/" in body
    # Only the answers and what the rules keep: no trap field, no signed start time.
    assert "website" not in body
    assert "Залиште це поле порожнім" not in body


def test_an_unknown_address_is_a_friendly_404(client, edition):
    response = client.get("/2017/nemaie-takoi-storinky/")
    assert response.status_code == 404
    assert '<html lang="uk"' in response.content.decode()
