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


def format_date_range(start, end):
    if end is None or start == end:
        return format_date(start)
    if start.year != end.year:
        return f"{format_date(start)} {EN_DASH} {format_date(end)}"
    if start.month != end.month:
        return f"{date_format(start, 'MONTH_DAY_FORMAT')} {EN_DASH} {format_date(end)}"
    return f"{start.day}{EN_DASH}{format_date(end)}"


def format_time_range(start, end):
    return f"{format_time(start)}{EN_DASH}{format_time(end)}"
