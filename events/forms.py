"""What every public participation form adds to the fields the press office builds:
the consent to the processing of personal data, and two quiet traps for bots (a field
people never see, and a minimum time to fill the form in)."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

FIELD_TYPES = (*FORM_FIELD_CHOICES, ("phone", _("Phone")))
LONG_TEXT_LIMIT = 5000
phone_validator = RegexValidator(
    r"^\+?[0-9(][0-9 ()\-]{5,18}[0-9]$",
    _("Enter a phone number with its code, for example +38 097 758 32 44."),
)


class WorkshopFormBuilder(FormBuilder):
    """Wagtail's form builder with a length limit on long text and a phone field."""

    def create_multiline_field(self, field, options):
        options["max_length"] = LONG_TEXT_LIMIT
        return super().create_multiline_field(field, options)

    def create_phone_field(self, field, options):
        options["max_length"] = 30
        options["validators"] = [phone_validator]
        options["widget"] = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        return forms.CharField(**options)


SIGNER_SALT = "events.forms.started"


def started_token():
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(int(time.time())))


class ProtectedForm(forms.Form):
    # Named like a field a bot would fill in; people never see it (hidden in the page).
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data for this registration"),
        error_messages={"required": _("Without your consent we cannot register you.")},
    )

    def looks_automated(self):
        """A filled-in trap field, or a form sent faster than a person can fill it."""
        if self.cleaned_data.get("website"):
            return True
        try:
            started = int(
                signing.TimestampSigner(salt=SIGNER_SALT).unsign(self.cleaned_data["started"])
            )
        except (signing.BadSignature, KeyError, ValueError):
            return True
        return time.time() - started < settings.FORM_MIN_FILL_SECONDS

    def submitted_data(self):
        """The answers to the press office's fields, without the protection fields."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ProtectedForm.base_fields
        }
