"""Ukrainian date wording used across the site: «12–17 червня 2017»,
«12 червня 2017, понеділок», «10:00»."""

from django.utils.formats import date_format, time_format

EN_DASH = "\u2013"


def format_date(value):
    return date_format(value, "DATE_FORMAT")


def format_day(value):
    # Django's Ukrainian weekday names are capitalised («Понеділок»); mid-phrase they
    # are written in lower case.
    return f"{format_date(value)}, {date_format(value, 'l').lower()}"


def format_time(value):
    return time_format(value, "H:i")


def date_range(start, end, day_month, with_year=True):
    """The rule of a range of dates, wherever one is written: «12–17 червня 2017», «30
    червня – 2 липня 2017», «30 грудня 2017 – 2 січня 2018»; the year left out when
    asked and both dates are in one year. `day_month` writes «12 червня»."""

    def date(value, year=with_year):
        return f"{day_month(value)} {value.year}" if year else day_month(value)

    if end is None or start == end:
        return date(start)
    if start.year != end.year:
        return f"{date(start, True)} {EN_DASH} {date(end, True)}"
    if start.month != end.month:
        return f"{date(start, False)} {EN_DASH} {date(end)}"
    return f"{start.day}{EN_DASH}{date(end)}"


def format_date_range(start, end):
    """A range in the active language's formats (DATE_FORMAT is MONTH_DAY_FORMAT and
    the year)."""
    return date_range(start, end, lambda value: date_format(value, "MONTH_DAY_FORMAT"))


def format_time_range(start, end):
    return f"{format_time(start)}{EN_DASH}{format_time(end)}"
