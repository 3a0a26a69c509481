"""The project's Ukrainian date wording."""

import datetime

from django.template import Context, Template
from django.utils import translation

from home.dates import format_date, format_date_range, format_day, format_time


def test_a_date_range_within_one_month_reads_as_the_press_office_writes_it():
    assert format_date_range(datetime.date(2017, 6, 12), datetime.date(2017, 6, 17)) == (
        "12–17 червня 2017"
    )


def test_a_date_range_across_months_and_years_names_both_ends():
    assert format_date_range(datetime.date(2018, 5, 30), datetime.date(2018, 6, 4)) == (
        "30 травня – 4 червня 2018"
    )
    assert format_date_range(datetime.date(2018, 12, 30), datetime.date(2019, 1, 2)) == (
        "30 грудня 2018 – 2 січня 2019"
    )


def test_a_one_day_range_is_a_single_date():
    day = datetime.date(2017, 6, 12)
    assert format_date_range(day, day) == "12 червня 2017"


def test_one_day_has_the_weekday_after_the_date():
    assert format_day(datetime.date(2017, 6, 12)) == "12 червня 2017, понеділок"
    assert format_day(datetime.date(2017, 6, 17)) == "17 червня 2017, субота"


def test_a_time_has_hours_and_minutes_with_leading_zero():
    assert format_time(datetime.time(10, 0)) == "10:00"
    assert format_time(datetime.time(9, 5)) == "09:05"


def test_the_default_date_format_is_the_projects_not_djangos_stock_one():
    with translation.override("uk"):
        rendered = Template("{{ d|date }}").render(Context({"d": datetime.date(2017, 6, 8)}))
    assert rendered == "8 червня 2017"
    assert format_date(datetime.date(2017, 6, 8)) == "8 червня 2017"


def test_template_tags_give_the_same_wording():
    rendered = Template(
        "{% load workshop_tags %}{% date_range a b %} | {{ a|day }} | {% time_range t u %}"
    ).render(
        Context(
            {
                "a": datetime.date(2017, 6, 12),
                "b": datetime.date(2017, 6, 17),
                "t": datetime.time(10),
                "u": datetime.time(11, 30),
            }
        )
    )
    assert rendered == "12–17 червня 2017 | 12 червня 2017, понеділок | 10:00–11:30"
