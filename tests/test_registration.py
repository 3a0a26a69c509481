"""Registration loses nothing and lets no abuse in."""

import csv
import datetime
import io
import shutil
import subprocess
import time
import zipfile

import openpyxl
import pytest
import time_machine
from django.core import signing
from django.test import override_settings
from lxml import etree

from events.forms import SIGNER_SALT
from events.models import RegistrationSubmission

from .helpers import registration, require

KYIV = datetime.timezone(datetime.timedelta(hours=3))


@pytest.fixture
def form_page(edition):
    return edition.registration_page


def submissions():
    return RegistrationSubmission.objects.order_by("pk")


def register(client, form_page, email="olena@example.org", name="Олена", **answers):
    return client.post(form_page.url, registration(name=name, email=email, **answers))


def test_a_registration_is_stored_and_answered_with_303_to_a_thank_you_page(client, form_page):
    response = register(client, form_page)
    assert response.status_code == 303
    assert response["Location"] == f"{form_page.url}?thanks"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Дякуємо" in thanks.content.decode() or form_page.thank_you_text
    submission = submissions().get()
    assert submission.status == "registered"
    assert submission.email == "olena@example.org"
    assert submission.form_data == {"name": "Олена", "email": "olena@example.org"}
    # Refreshing the thank-you page sends nothing again.
    client.get(response["Location"])
    assert submissions().count() == 1


def test_the_consent_is_required_and_kept_with_its_text_and_time(client, form_page):
    response = client.post(
        form_page.url, {**registration(name="Олена", email="o@example.org"), "consent": ""}
    )
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert "Без вашої згоди" in response.content.decode()
    assert not submissions().exists()
    register(client, form_page)
    submission = submissions().get()
    assert "обробку моїх персональних даних" in submission.consent_text
    assert submission.consented_at is not None


def test_the_same_e_mail_cannot_register_twice_for_an_edition(client, form_page):
    register(client, form_page, email="olena@example.org")
    response = register(client, form_page, email="Olena@Example.org ")
    assert response.status_code == 200
    assert "вже зареєстрована" in response.content.decode()
    assert submissions().count() == 1


def test_before_and_after_its_window_the_form_says_so_and_accepts_nothing(client, form_page):
    form_page.opens_at = datetime.datetime(2017, 6, 1, 9, 0, tzinfo=KYIV)
    form_page.closes_at = datetime.datetime(2017, 6, 11, 18, 0, tzinfo=KYIV)
    form_page.save()
    with time_machine.travel(datetime.datetime(2017, 5, 31, 12, 0, tzinfo=KYIV)):
        html = client.get(form_page.url).content.decode()
        assert "Реєстрація відкриється 1 червня 2017, 09:00" in html
        assert "<form" not in html.split("<main", 1)[1]
        assert register(client, form_page).status_code == 200
    with time_machine.travel(datetime.datetime(2017, 6, 11, 18, 0, tzinfo=KYIV)):
        assert "Реєстрацію закрито" in client.get(form_page.url).content.decode()
        register(client, form_page)
    assert not submissions().exists()
    with time_machine.travel(datetime.datetime(2017, 6, 5, 12, 0, tzinfo=KYIV)):
        assert register(client, form_page).status_code == 303
    assert submissions().count() == 1


def test_past_the_capacity_people_go_to_the_waiting_list_and_are_told(client, form_page):
    form_page.capacity = 2
    form_page.save()
    for number in range(4):
        response = register(client, form_page, email=f"person{number}@example.org")
    assert [s.status for s in submissions()] == ["registered", "registered", "waiting", "waiting"]
    thanks = client.get(response["Location"]).content.decode()
    assert "ви в списку очікування" in thanks
    assert form_page.counts() == {"registered": 2, "waiting": 2}


def test_a_filled_in_trap_field_looks_like_success_and_stores_nothing(client, form_page):
    response = register(client, form_page, website="http://spam.example")
    assert response.status_code == 303
    assert not submissions().exists()


@override_settings(FORM_MIN_FILL_SECONDS=3)
def test_a_form_sent_faster_than_a_person_can_fill_it_stores_nothing(client, form_page):
    assert register(client, form_page).status_code == 303
    assert not submissions().exists()
    assert register(client, form_page, started="forged").status_code == 303
    assert not submissions().exists()
    earlier = signing.TimestampSigner(salt=SIGNER_SALT).sign(str(int(time.time()) - 10))
    assert register(client, form_page, started=earlier).status_code == 303
    assert submissions().count() == 1


@override_settings(FORM_POST_RATE_LIMIT=(3, 3600))
# The count is per clock hour: a run that crossed one would start it again.
@time_machine.travel(datetime.datetime(2017, 6, 1, 10, 30, tzinfo=KYIV), tick=False)
def test_too_many_posts_from_one_address_get_429_in_ukrainian(client, form_page):
    for number in range(3):
        assert register(client, form_page, email=f"p{number}@example.org").status_code == 303
    response = register(client, form_page, email="p4@example.org")
    assert response.status_code == 429
    assert "Забагато спроб" in response.content.decode()
    assert submissions().count() == 3
    other = client.post(
        form_page.url,
        registration(name="Інна", email="inna@example.org"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 303


def test_the_person_gets_a_confirmation_in_ukrainian_with_dates_venue_and_calendar(
    client, form_page, mailoutbox
):
    register(client, form_page)
    to_person = next(mail for mail in mailoutbox if mail.to == ["olena@example.org"])
    assert "Майстерня міста Житомир" in to_person.subject
    assert "12–17 червня 2017" in to_person.body
    assert "Майданчик біля бібліотеки" in to_person.body
    assert "http://testserver/2017/calendar.ics" in to_person.body
    assert any(mail.to == ["press@example.org"] for mail in mailoutbox)


def test_a_failing_mail_server_never_loses_the_registration(client, form_page, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server is down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    assert register(client, form_page).status_code == 303
    assert submissions().count() == 1


def test_names_with_apostrophes_and_emoji_are_kept_exactly(client, form_page):
    for number, name in enumerate(["Марʼяна", "Мар'яна", "Мар’яна", "Олег 🚲"]):
        register(client, form_page, email=f"m{number}@example.org", name=name)
    assert [s.form_data["name"] for s in submissions()] == [
        "Марʼяна",
        "Мар'яна",
        "Мар’яна",
        "Олег 🚲",
    ]


def test_markup_in_answers_is_shown_escaped_in_the_admin_listing(admin_client, form_page):
    RegistrationSubmission.objects.create(
        page=form_page,
        form_data={"name": "<script>alert(1)</script>", "email": "x@example.org"},
        email="x@example.org",
    )
    html = admin_client.get(f"/admin/forms/submissions/{form_page.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_fields_have_limits_and_clear_ukrainian_errors(client, form_page):
    from events.factories import RegistrationFormFieldFactory

    RegistrationFormFieldFactory(
        page=form_page, label="Телефон", clean_name="phone", field_type="phone", required=False
    )
    RegistrationFormFieldFactory(
        page=form_page,
        label="Коментар",
        clean_name="comment",
        field_type="multiline",
        required=False,
    )
    response = register(client, form_page, phone="дзвоніть увечері", comment="я" * 5001)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"phone", "comment"}
    html = response.content.decode()
    assert "Введіть номер телефону з кодом" in html
    assert not submissions().exists()
    for number, phone in enumerate(("+38 097 7583244", "+380977583244", "(097) 758-32-44")):
        email = f"phone{number}@example.org"
        assert register(client, form_page, email=email, phone=phone).status_code == 303, phone


def test_the_admin_shows_registered_and_waiting_counts(admin_client, form_page, client):
    form_page.capacity = 1
    form_page.save()
    register(client, form_page, email="a@example.org")
    register(client, form_page, email="b@example.org")
    html = admin_client.get(f"/admin/pages/{form_page.pk}/edit/").content.decode()
    assert "Зареєстровано: 1. У списку очікування: 1." in html


# A registration sent on 12 June 2017 at 20:57:13.263312 Kyiv time (EEST, UTC+3).
SENT_AT = datetime.datetime(2017, 6, 12, 17, 57, 13, 263312, tzinfo=datetime.UTC)
CONSENTED_AT = datetime.datetime(2017, 6, 12, 17, 56, 59, 999999, tzinfo=datetime.UTC)
PHONE = "+380 97 758 32 44"
FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","Реєстрація")',
    "phone": "+1+2",
    "comment": "-2+3",
    "city": "@SUM(1+1)",
}


@pytest.fixture
def answered_form(form_page):
    """The registration form with a phone, a comment and a city besides the name and
    e-mail, and two registrations: Олена's, plain, with a phone number, and one whose
    every answer is a formula."""
    from events.factories import RegistrationFormFieldFactory

    for label, clean_name, field_type in [
        ("Телефон", "phone", "phone"),
        ("Коментар", "comment", "multiline"),
        ("Місто", "city", "singleline"),
    ]:
        RegistrationFormFieldFactory(
            page=form_page, label=label, clean_name=clean_name, field_type=field_type
        )
    answers = [
        {"name": "Олена Петрук", "phone": PHONE, "comment": "Буду з дитиною", "city": "Житомир"},
        FORMULAS,
    ]
    for number, data in enumerate(answers):
        email = f"person{number}@example.org"
        RegistrationSubmission.objects.create(
            page=form_page,
            form_data={**data, "email": email},
            email=email,
            status="registered" if number == 0 else "waiting",
            consented_at=CONSENTED_AT,
        )
    # Wagtail stamps the submission time itself (auto_now_add).
    RegistrationSubmission.objects.update(submit_time=SENT_AT)
    return form_page


def export_response(client, form_page, export_format, **params):
    query = "&".join(f"{key}={value}" for key, value in {"export": export_format, **params}.items())
    response = client.get(f"/admin/forms/submissions/{form_page.pk}/?{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def exported_rows(client, form_page, export_format):
    """The export's rows as dicts by heading: a CSV read as Excel reads one with a
    byte order mark; an XLSX as its cells (openpyxl)."""
    _response, content = export_response(client, form_page, export_format)
    if export_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = sheet.iter_rows()
    return [{h.value: cell for h, cell in zip(header, row, strict=True)} for row in rows]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_have_every_field_and_neutralise_formulas(
    admin_client, answered_form, export_format
):
    rows = exported_rows(admin_client, answered_form, export_format)
    assert len(rows) == 2
    assert {
        "Ім'я",
        "Електронна пошта",
        "Телефон",
        "Статус",
        "Час надсилання (Київ)",
        "Час надання згоди (Київ)",
    } <= set(rows[0])
    olena, formulas = rows
    if export_format == "csv":
        # Anything a spreadsheet would run is given behind an apostrophe.
        for field, label in [("name", "Ім'я"), ("phone", "Телефон"), ("comment", "Коментар")]:
            assert formulas[label] == f"'{FORMULAS[field]}"
        assert formulas["Місто"] == "'@SUM(1+1)"
        assert formulas["Статус"] == "список очікування"
        assert olena["Телефон"] == PHONE  # a phone number is no formula
        assert olena["Ім'я"] == "Олена Петрук"
    else:
        # Answers are text cells, which no spreadsheet runs: nothing needs a prefix.
        assert formulas["Ім'я"].value == FORMULAS["name"]
        assert formulas["Телефон"].value == "+1+2"
        assert olena["Телефон"].value == PHONE
        for cell in [*olena.values(), *formulas.values()]:
            if isinstance(cell.value, str):
                assert (cell.data_type, cell.number_format) == ("s", "@"), cell.value


def test_the_csv_is_utf8_with_a_byte_order_mark_and_kyiv_times_to_the_minute(
    admin_client, answered_form
):
    response, content = export_response(admin_client, answered_form, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content.startswith("\ufeffЧас надсилання (Київ),".encode())
    (olena, _formulas) = exported_rows(admin_client, answered_form, "csv")
    # The admin shows 20:57; Wagtail would write «2017-06-12 17:57:13.263312+00:00».
    assert olena["Час надсилання (Київ)"] == "2017-06-12 20:57"
    assert olena["Час надання згоди (Київ)"] == "2017-06-12 20:56"


def test_the_xlsx_has_kyiv_times_as_date_cells_to_the_minute(admin_client, answered_form):
    (olena, _formulas) = exported_rows(admin_client, answered_form, "xlsx")
    sent, consented = olena["Час надсилання (Київ)"], olena["Час надання згоди (Київ)"]
    assert sent.value == datetime.datetime(2017, 6, 12, 20, 57)
    assert consented.value == datetime.datetime(2017, 6, 12, 20, 56)
    assert sent.is_date and sent.number_format == consented.number_format == "yyyy-mm-dd hh:mm"


def test_the_times_follow_the_clock_change(admin_client, answered_form):
    # In winter Kyiv is UTC+2.
    RegistrationSubmission.objects.update(
        submit_time=datetime.datetime(2017, 1, 15, 9, 5, 59, tzinfo=datetime.UTC)
    )
    (olena, _formulas) = exported_rows(admin_client, answered_form, "csv")
    assert olena["Час надсилання (Київ)"] == "2017-01-15 11:05"


def test_the_listing_shows_the_export_buttons_in_its_header(admin_client, answered_form):
    listing = f"/admin/forms/submissions/{answered_form.pk}/"
    response = admin_client.get(listing, {"status": "waiting"})
    buttons = {str(button.label): button.url for button in response.context["header_buttons"]}
    # Visible in the header, not under «⋯», and for what the listing shows (the filter).
    assert buttons["Завантажити CSV"] == f"{listing}?status=waiting&export=csv"
    assert buttons["Завантажити XLSX"] == f"{listing}?status=waiting&export=xlsx"
    # In the page: links of the header's own bar, not of the «⋯» dropdown.
    html = response.content.decode()
    bar = html[html.index('id="w-slim-header-buttons"') :]
    bar = bar[: bar.index("</nav>")]
    assert "w-dropdown" not in bar
    for label in ("Завантажити CSV", "Завантажити XLSX"):
        assert label in bar
    assert html.count("export=csv") == 1


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_exports_queries_do_not_grow_with_the_submissions(
    admin_client, answered_form, export_format, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            export_response(admin_client, answered_form, export_format)
        return len(queries)

    few = count()
    for number in range(40):
        RegistrationSubmission.objects.create(
            page=answered_form,
            form_data={"name": f"Особа {number}", "phone": PHONE},
            email=f"many{number}@example.org",
        )
    assert count() == few
    # The session, the user and profile, the page twice, the permission, the form's
    # fields twice (Wagtail's dispatch and its context) and the submissions.
    with django_assert_max_num_queries(9):
        export_response(admin_client, answered_form, export_format)


# LibreOffice, from Debian (.ci/run installs libreoffice-calc-nogui), reads the exports
# back as a spreadsheet would: a real reader, not the library that wrote them.
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# How Excel opens a CSV file: commas, double quotes, the encoding its byte order mark
# declares (76: UTF-8; LibreOffice drops the mark then), dates and times recognised
# (token 8), and formulas evaluated (token 13), so that one not neutralised would run.
CSV_AS_EXCEL_READS_IT = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"
ODF = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


@pytest.fixture
def soffice(tmp_path):
    """Converts a spreadsheet file to ODS with LibreOffice headless and gives its first
    sheet's cells, row by row, as dicts: text, type, value (a date's too), formula."""
    require(SOFFICE, "LibreOffice (apt-get install libreoffice-calc-nogui)")

    def read(name, content, infilter=None):
        source = tmp_path / name
        source.write_bytes(content)
        command = [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path / "out"),
        ]
        if infilter:
            command.append(f"--infilter={infilter}")
        subprocess.run([*command, str(source)], check=True, capture_output=True, timeout=120)
        with zipfile.ZipFile(tmp_path / "out" / f"{source.stem}.ods") as ods:
            root = etree.fromstring(ods.read("content.xml"))
        return [cells_of(row) for row in root.iter(f"{{{ODF['table']}}}table-row")]

    return read


def cells_of(row):
    def attribute(cell, namespace, name):
        return cell.get(f"{{{ODF[namespace]}}}{name}")

    cells = []
    for cell in row.iter(f"{{{ODF['table']}}}table-cell"):
        kind = attribute(cell, "office", "value-type")
        repeated = int(attribute(cell, "table", "number-columns-repeated") or 1)
        cells += [
            {
                "text": "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{ODF['text']}}}p")),
                "type": kind,
                "value": attribute(cell, "office", "date-value")
                or attribute(cell, "office", "value"),
                "formula": attribute(cell, "table", "formula"),
            }
        ] * min(repeated, 50)
    return cells


def by_heading(rows):
    header, *rest = rows
    names = [cell["text"] for cell in header]
    return [dict(zip(names, row, strict=False)) for row in rest if any(c["text"] for c in row)]


def assert_read_cleanly(olena, formulas):
    assert olena["Ім'я"]["text"] == "Олена Петрук"
    assert (olena["Телефон"]["text"], olena["Телефон"]["type"]) == (PHONE, "string")
    sent = olena["Час надсилання (Київ)"]
    assert (sent["type"], sent["value"]) == ("date", "2017-06-12T20:57:00")
    name = formulas["Ім'я"]
    assert name["formula"] is None and name["type"] == "string"
    assert FORMULAS["name"] in name["text"]


def test_libreoffice_reads_the_csv_as_excel_would(admin_client, answered_form, soffice):
    _response, content = export_response(admin_client, answered_form, "csv")
    # A control row, not neutralised: this reader does run a formula.
    rows = soffice("submissions.csv", content + b"=1+2\r\n", CSV_AS_EXCEL_READS_IT)
    assert [cell["text"] for cell in rows[0]][:2] == ["Час надсилання (Київ)", "Статус"]
    olena, formulas, control = by_heading(rows)
    assert_read_cleanly(olena, formulas)
    # In a CSV, the apostrophe is what keeps a formula text.
    assert formulas["Ім'я"]["text"] == f"'{FORMULAS['name']}"
    assert formulas["Телефон"]["text"] == "'+1+2"
    assert (
        control["Час надсилання (Київ)"]["formula"],
        control["Час надсилання (Київ)"]["value"],
    ) == (
        "of:=1+2",
        "3",
    )


def test_libreoffice_reads_the_xlsx_with_text_answers(admin_client, answered_form, soffice):
    _response, content = export_response(admin_client, answered_form, "xlsx")
    olena, formulas = by_heading(soffice("submissions.xlsx", content))
    assert_read_cleanly(olena, formulas)
    # A text cell needs no apostrophe.
    assert formulas["Ім'я"]["text"] == FORMULAS["name"]
    assert formulas["Коментар"]["text"] == "-2+3"
    assert formulas["Місто"]["text"] == "@SUM(1+1)"
    assert all(cell["formula"] is None for cell in formulas.values())


def test_purge_deletes_old_submissions_and_says_what_it_would_do_first(form_page, home_page):
    from io import StringIO

    from django.core.management import call_command

    from events.factories import EditionPageFactory, RegistrationFormPageFactory

    old = RegistrationSubmission.objects.create(page=form_page, form_data={}, email="o@x.org")
    RegistrationSubmission.objects.filter(pk=old.pk).update(
        submit_time=datetime.datetime(2017, 6, 1, tzinfo=KYIV)
    )
    later_edition = EditionPageFactory(parent=home_page, start_date=datetime.date(2026, 6, 1))
    recent_form = RegistrationFormPageFactory(parent=later_edition)
    RegistrationSubmission.objects.create(page=recent_form, form_data={}, email="n@x.org")

    out = StringIO()
    with time_machine.travel(datetime.datetime(2026, 11, 26, 12, 0, tzinfo=KYIV)):
        call_command("purge_submissions", "--dry-run", stdout=out)
        assert "Would delete 1 submissions" in out.getvalue()
        assert submissions().count() == 2
        call_command("purge_submissions", stdout=out)
        assert [s.email for s in submissions()] == ["n@x.org"]
    call_command("purge_submissions", "--older-than", "0", stdout=out)
    assert not submissions().exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),  # nginx added the visitor's address
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the visitor made up the first
        (2, "203.0.113.7, 10.0.0.2", "203.0.113.7"),  # a load balancer, then nginx
        (2, "10.0.0.2", "127.0.0.1"),  # fewer entries than proxies: not trusted
    ],
)
def test_behind_proxies_the_visitor_s_address_is_the_one_they_saw(
    rf, settings, proxies, forwarded, expected
):
    from events.ratelimit import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
