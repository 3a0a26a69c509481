"""The old edition's year and dates in texts moved to the new edition's (events/yeartext.py)."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from events.yeartext import MONTHS, DateShift, format_range, text_fields
from home.dates import format_date_range, format_day

# 12–17 June 2017 (Monday to Saturday) to Monday 11 June 2018: 364 days.
SHIFT = DateShift(
    datetime.date(2017, 6, 12), datetime.date(2017, 6, 17), datetime.date(2018, 6, 11)
)

PHRASES = [
    ("12–17 червня 2017", "11–16 червня 2018"),
    ("12-17 червня 2017", "11–16 червня 2018"),
    ("12 – 17 червня 2017 року", "11–16 червня 2018 року"),
    ("30 червня – 2 липня 2017", "29 червня – 1 липня 2018"),
    ("1–3 липня 2017", "30 червня – 2 липня 2018"),  # crosses a month after the shift
    ("1 червня 2017 – 2 липня 2017", "31 травня – 1 липня 2018"),
    ("30 грудня 2016 – 2 січня 2017", "29 грудня 2017 – 1 січня 2018"),
    ("12 червня", "11 червня"),
    ("з 12 по 17 червня 2017 року", "з 11 по 16 червня 2018 року"),
    ("12, 13 і 14 червня", "11, 12 і 13 червня"),
    ("з 1 по 3 липня 2017", "з 30 червня по 2 липня 2018"),
    ("3, 12 червня 2017", "3, 11 червня 2018"),  # a count before a date stays
    ("з 12 по 17 червня 2012", "з 12 по 17 червня 2012"),
    ("12 червня — 2 січня 2017", "11 червня — 1 січня 2018"),  # an em dash parts phrases
    ("12–17 червня", "11–16 червня"),
    ("12 червня 2017", "11 червня 2018"),
    ("12 червня 2017 року", "11 червня 2018 року"),
    ("Червня 12", "Червня 12"),
    ("12 Червня 2017", "11 Червня 2018"),
    ("2017 року", "2018 року"),
    ("2017", "2018"),
    ("у 2017-му", "у 2018-му"),
    ("2017р.", "2018р."),
    ("2017-06-12", "2018-06-11"),
    ("12.06.2017", "11.06.2018"),
    ("1.7.2017", "30.6.2018"),
    ("12 червня 2017, понеділок", "11 червня 2018, понеділок"),
    ("17 червня 2017, субота", "16 червня 2018, субота"),
    ("13 червня, Вівторок", "12 червня, Вівторок"),
    ("12&nbsp;червня 2017", "11&nbsp;червня 2018"),
    ("1 січня 2017", "31 грудня 2017"),  # moved by the offset, even within the old year
    ("1 січня", "31 грудня 2017"),  # a year is written when it is not the new one
    ("«Майстерня міста Житомир» 2017", "«Майстерня міста Житомир» 2018"),
    # left alone: other years, years within numbers, times, URLs, addresses, paths
    ("12 червня 2012", "12 червня 2012"),
    ("2012-06-12, 12.06.2012, 2012 року", "2012-06-12, 12.06.2012, 2012 року"),
    ("12017 і 20170 і 2017.5", "12017 і 20170 і 2017.5"),
    ("о 20:17", "о 20:17"),
    ("https://example.org/2017/photos", "https://example.org/2017/photos"),
    ("info2017@example.org", "info2017@example.org"),
    ("/2017/registration/", "/2017/registration/"),
    ("2015-2017", "2015-2017"),
    ("31 червня 2017", "31 червня 2018"),  # no such day: only the year
    ("2017-02-30", "2018-02-30"),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES)
def test_shift(text, expected):
    assert SHIFT.shift(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Це було 12–17 червня 2017 року.", ["12–17 червня 2017"]),
        ("«2017» і 2012", ["2017"]),
        ("2017-06-12 та 12.06.2017", ["2017-06-12", "12.06.2017"]),
        ("12 червня 2017, понеділок", ["12 червня 2017, понеділок"]),
        # what the shift leaves alone is still reported, as written
        ("див. https://example.org/2017/ і /2017/x/", ["https://example.org/2017/", "/2017/x/"]),
        ("2015-2017", ["2015-2017"]),
        # a day without a year is the old edition's when it is not also a new one's
        ("17 червня", ["17 червня"]),
        ("12 червня", []),
        ("12–17 червня", ["12–17 червня"]),
        ("з 12 по 17 червня", ["12 по 17 червня"]),
        ("з 12 по 16 червня", []),
        ("1 вересня", []),
        ("12017, 2012, 20:17, 12 червня 2018", []),
        ("", []),
    ],
)
def test_mentions(text, expected):
    assert SHIFT.mentions(text) == expected


def test_shift_html_touches_text_and_alt_only():
    html = (
        '<p data-block-key="2017">Майстерня 12–17 червня 2017 року '
        '<a href="https://example.org/2017/" id="2017">у 2017</a></p>'
        '<embed alt="Афіша 2017, 12 червня" embedtype="image" format="full" id="2017"/>'
        "<!-- 2017 --><p class='y2017'>12.06.2017</p>"
    )
    assert SHIFT.shift_html(html) == (
        '<p data-block-key="2017">Майстерня 11–16 червня 2018 року '
        '<a href="https://example.org/2017/" id="2017">у 2018</a></p>'
        '<embed alt="Афіша 2018, 11 червня" embedtype="image" format="full" id="2017"/>'
        "<!-- 2017 --><p class='y2017'>11.06.2018</p>"
    )
    # attributes other than alt are no mentions; text nodes and alt are
    assert SHIFT.mentions(html) == [
        "12–17 червня 2017",
        "2017",
        "2017",  # the alt's year; its «12 червня» is also a day of the new edition
        "12.06.2017",
    ]
    assert SHIFT.mentions(SHIFT.shift_html(html)) == []


def test_interface():
    assert (SHIFT.old_year, SHIFT.new_year) == ("2017", "2018")
    assert SHIFT.offset == datetime.timedelta(days=364)
    assert SHIFT.shift("") == "" and SHIFT.shift_html("") == ""


def test_ranges_are_written_as_the_site_writes_them():
    with translation.override("uk"):
        for start, end in [
            (datetime.date(2018, 6, 11), datetime.date(2018, 6, 16)),
            (datetime.date(2018, 6, 29), datetime.date(2018, 7, 1)),
            (datetime.date(2018, 12, 30), datetime.date(2019, 1, 2)),
            (datetime.date(2018, 6, 11), datetime.date(2018, 6, 11)),
        ]:
            assert format_range(start, end) == format_date_range(start, end)


def test_weekday_follows_the_new_date():
    # A shift that does not keep the weekday: Monday 12 June 2017 to Friday 15 June 2018.
    shift = DateShift(
        datetime.date(2017, 6, 12), datetime.date(2017, 6, 17), datetime.date(2018, 6, 15)
    )
    with translation.override("uk"):
        for day in range(12, 18):
            old = datetime.date(2017, 6, day)
            assert shift.shift(format_day(old)) == format_day(old + shift.offset)


# Text made only of the old edition's phrases says nothing of the old year once shifted.
OLD_DAYS = st.dates(datetime.date(2017, 1, 2), datetime.date(2017, 12, 31))


def single(day):
    return st.sampled_from(
        [
            f"{day.day} {MONTHS[day.month - 1]} 2017",
            f"{day.day} {MONTHS[day.month - 1]} 2017 року",
            f"{day.isoformat()}",
            f"{day:%d.%m.%Y}",
            f"{day.day} {MONTHS[day.month - 1]} 2017, "
            + ["понеділок", "вівторок", "середа", "четвер", "п'ятниця", "субота", "неділя"][
                day.weekday()
            ],
        ]
    )


def ranges(days):
    start, end = sorted(days)
    return format_range(start, end)


def edition_days(days):
    start, end = sorted(days)
    return st.sampled_from(
        [
            f"{start.day} червня",
            f"{start.day}–{end.day} червня",
            f"з {start.day} по {end.day} червня 2017 року",
            f"{start.day}, {end.day} і {end.day} червня 2017",
        ]
    )


EDITION_DAYS = st.dates(datetime.date(2017, 6, 12), datetime.date(2017, 6, 17))
PHRASE = st.one_of(
    OLD_DAYS.flatmap(single),
    st.tuples(OLD_DAYS, OLD_DAYS).map(ranges),
    st.tuples(EDITION_DAYS, EDITION_DAYS).flatmap(edition_days),
    st.sampled_from(["2017", "2017 року", "у 2017-му"]),
)
FILLER = st.sampled_from([" ", ", ", "; ", ". ", " і ", " (", ") ", "\n", " — "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PHRASE, FILLER), min_size=1, max_size=6))
def test_nothing_old_is_left(parts):
    text = "".join(phrase + filler for phrase, filler in parts)
    assert SHIFT.shift(text) != text
    assert SHIFT.mentions(SHIFT.shift(text)) == []
    assert SHIFT.mentions(SHIFT.shift_html(f"<p>{text}</p>")) == []


def test_text_fields_of_an_edition(edition):
    fields = {field.anchor: field for field in text_fields(edition)}
    assert {"id_title", "id_seo_title", "id_search_description", "id_lead", "id_about"} <= set(
        fields
    )
    assert "id_history" in fields and fields["id_history"].html
    assert "goals" in fields and not fields["goals"].html
    assert "id_venues-0-name" in fields and "id_venues-0-access_note" in fields
    # machine values are no texts
    assert not {"id_slug", "id_contact_email", "id_contact_phone", "id_venues-0-latitude"} & set(
        fields
    )
    assert fields["id_title"].value == edition.title
    assert fields["id_title"].label == "Назва"
    assert all(field.page == edition for field in fields.values())


def test_text_fields_of_rows(edition):
    from events.models import DayPage, RegistrationFormPage

    day = DayPage.objects.descendant_of(edition).first()
    session = day.sessions.order_by("start_time", "end_time", "pk").first()
    fields = {field.anchor: field for field in text_fields(day)}
    description = fields["id_sessions-0-description"]
    assert description.obj == session and description.name == "description"
    assert description.label.startswith(f"Подія {session.start_time:%H:%M} «")
    assert description.label.endswith("»: опис")
    assert "id_sessions-0-kind" not in fields  # a choice
    form = RegistrationFormPage.objects.descendant_of(edition).first()
    if form and form.form_fields.exists():
        anchors = {field.anchor for field in text_fields(form)}
        assert {"id_subject", "id_intro", "id_thank_you_text", "id_form_fields-0-label"} <= anchors
        assert not {"id_to_address", "id_from_address", "id_form_fields-0-clean_name"} & anchors
