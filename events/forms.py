"""What every public participation form adds to the fields the press office builds:
the consent to the processing of personal data, and two quiet traps for bots (a field
people never see, and a minimum time to fill the form in)."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

from events.attachments import AttachmentField

FIELD_TYPES = (
    *FORM_FIELD_CHOICES,
    ("phone", _("Phone")),
    ("track", _("Theme of the edition")),
)
LONG_TEXT_LIMIT = 5000
phone_validator = RegexValidator(
    r"^\+?[0-9(][0-9 ()\-]{5,18}[0-9]$",
    _("Enter a phone number with its code, for example +38 097 758 32 44."),
)


class WorkshopFormBuilder(FormBuilder):
    """Wagtail's form builder with a length limit on long text, a phone field, and a
    choice of one of the edition's themes (its live track pages, by title)."""

    def create_multiline_field(self, field, options):
        options["max_length"] = LONG_TEXT_LIMIT
        return super().create_multiline_field(field, options)

    def create_phone_field(self, field, options):
        options["max_length"] = 30
        options["validators"] = [phone_validator]
        options["widget"] = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        return forms.CharField(**options)

    def create_track_field(self, field, options):
        edition = field.page.edition
        titles = [track.title for track in edition.tracks] if edition else []
        options["choices"] = [(title, title) for title in titles]
        options["widget"] = forms.RadioSelect
        return forms.ChoiceField(**options)


SIGNER_SALT = "events.forms.started"


def started_token():
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(int(time.time())))


class ProtectedForm(forms.Form):
    # Named like a field a bot would fill in; people never see it (hidden in the page).
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    # The page gives the label its own words.
    consent = forms.BooleanField(
        error_messages={"required": _("Without your consent we cannot accept the form.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"] = self.fields.pop("consent")  # the last thing people tick

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
        """The answers to the press office's fields, without the fields of the page."""
        own = {*ProtectedForm.base_fields, *AttachmentForm.base_fields}
        return {name: value for name, value in self.cleaned_data.items() if name not in own}


class AttachmentForm(forms.Form):
    attachment = AttachmentField(label=_("Attachment"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "Optional: a document (PDF, DOC, DOCX, ODT) or an image (JPEG, PNG, GIF, "
            "WebP), at most %(limit)s."
        ) % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
