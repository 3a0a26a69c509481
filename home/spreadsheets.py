"""The spreadsheet rule of every export (the programme's CSV, the forms' submissions):
a cell that starts like a formula is given as text, behind an apostrophe, as OWASP
advises against CSV injection."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` as a spreadsheet cell that nobody's spreadsheet runs."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value
