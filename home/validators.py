"""Validators that more than one layer applies: a form's phone field checks what a
person types with it, and the spreadsheet rule (home/spreadsheets.py) recognises a
phone number by it."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A plus at most, then digits, spaces, brackets and hyphens, ending in a digit.
phone_validator = RegexValidator(
    r"\A\+?[0-9(][0-9 ()\-]{5,18}[0-9]\Z",
    _("Enter a phone number with its code, for example +38 097 758 32 44."),
)


def is_phone_number(value):
    """Whether the form's phone field would take `value` as it is."""
    try:
        phone_validator(value)
    except ValidationError:
        return False
    return True
