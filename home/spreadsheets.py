"""The spreadsheet rules of every export (the programme's CSV, the open data, the
forms' submissions): what a cell that starts like a formula becomes, how a CSV
declares its encoding so that Excel on Windows reads the Cyrillic (`csv_response`),
and how a moment is written.

A CSV cell that a spreadsheet would take as a formula is given as text, behind an
apostrophe, as OWASP advises against CSV injection. A phone number as the forms'
phone field validates it («+380 97 758 32 44») is left alone: it has no letters, so it
can name no function and no cell and open no link; prefixed, it would reach the press
office as «'+380…». In an XLSX file the answers are text cells, which no spreadsheet
evaluates, so nothing there needs the prefix (events/submission_views.py)."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from home.validators import is_phone_number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Excel on Windows reads a CSV file as UTF-8 only when it starts with a byte order
# mark; without it, in the ANSI code page, and the Cyrillic comes out garbled.
BYTE_ORDER_MARK = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# A moment in a spreadsheet: the wall-clock time of the site's time zone (the one the
# admin shows), to the minute, as spreadsheets recognise it for a date and time.
TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def neutralise(value):
    """`value` as a CSV cell that nobody's spreadsheet runs."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not is_phone_number(value):
        return f"'{value}"
    return value


def csv_response(rows, file_name):
    """A CSV download of `rows` (lists of cells) as Excel opens it: UTF-8 with a byte
    order mark, every cell neutralised, None an empty cell."""
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.write(BYTE_ORDER_MARK)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([neutralise("" if value is None else value) for value in row])
    return response


def local_minute(moment):
    """An aware datetime as a naive one in the site's time zone, to the minute (a naive
    one is taken as such already): what a spreadsheet, which knows no time zones,
    can hold."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def time_text(moment):
    """A moment as a CSV cell: «2017-06-12 20:57», in the site's time zone."""
    return local_minute(moment).strftime(TIME_FORMAT)
