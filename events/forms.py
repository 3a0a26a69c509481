"""What every public participation form adds to the fields the press office builds:
the consent to the processing of personal data, two quiet traps for bots (a field
people never see, and a minimum time to fill the form in), a token of each rendered form
so that sending it again stores nothing twice, and e-mail addresses in one plain
spelling per mailbox."""

import secrets
import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

from events.attachments import AttachmentField
from home.validators import phone_validator

FIELD_TYPES = (
    *FORM_FIELD_CHOICES,
    ("phone", _("Phone")),
    ("track", _("Theme of the edition")),
)
LONG_TEXT_LIMIT = 5000


NOT_PLAIN_EMAIL = _(
    "Enter an ordinary e-mail address, such as olena@example.org, without spaces or "
    "invisible characters."
)


def normalise_email(address):
    """The one spelling of a mailbox, which the one-registration-per-e-mail rule compares:
    compatibility forms folded (NFKC: full-width letters), format characters dropped
    (zero-width spaces and joiners, soft hyphens, byte-order marks), the domain through
    IDNA (Python's codec, which Django's mail also uses: it folds case and what IDNA maps
    away, and reads «xn--…» back into its letters), lower case. An address that is still
    not plain after that is refused with a ValidationError."""
    text = unicodedata.normalize("NFKC", address)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf").strip()
    local, at, domain = text.rpartition("@")
    try:
        if not (at and local and domain):
            raise ValueError
        domain = domain.rstrip(".").encode("idna").decode("idna")
    except (UnicodeError, ValueError):
        raise ValidationError(NOT_PLAIN_EMAIL, code="invalid") from None
    plain = f"{local}@{domain}".lower()
    try:
        if not plain.isprintable() or any(char.isspace() for char in plain):
            raise ValidationError("")
        validate_email(plain)
    except ValidationError:
        raise ValidationError(NOT_PLAIN_EMAIL, code="invalid") from None
    return plain


class PlainEmailField(forms.EmailField):
    """An e-mail address in its plain spelling (normalise_email), or the error next to
    the field."""

    default_error_messages = {"invalid": NOT_PLAIN_EMAIL}

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value


class WorkshopFormBuilder(FormBuilder):
    """Wagtail's form builder with a length limit on long text, plain e-mail addresses,
    a phone field, and a choice of one of the edition's themes (its live track pages,
    by title)."""

    def create_email_field(self, field, options):
        return PlainEmailField(**options)

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
    """The hidden `started` value of one rendered form, signed: the time it was shown
    (for the minimum fill time) and a random part of its own, which its submission
    keeps (`form_token`), so that the same form sent again is recognised."""
    value = f"{int(time.time())}:{secrets.token_urlsafe(16)}"
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(value)


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

    def _started(self):
        """(when the form was shown, its own token) from the signed hidden field, or
        None when the field is missing or forged. A token made before forms had their
        own part is a bare time: its token is empty."""
        try:
            value = signing.TimestampSigner(salt=SIGNER_SALT).unsign(self.cleaned_data["started"])
            shown_at, _colon, token = value.partition(":")
            return int(shown_at), token
        except (signing.BadSignature, KeyError, ValueError):
            return None

    def looks_automated(self):
        """A filled-in trap field, or a form sent faster than a person can fill it."""
        if self.cleaned_data.get("website"):
            return True
        started = self._started()
        return started is None or time.time() - started[0] < settings.FORM_MIN_FILL_SECONDS

    def form_token(self):
        """The random part of this rendered form's token ("" for an old token)."""
        started = self._started()
        return started[1] if started else ""

    def show_again_with_a_new_token(self):
        """The form is shown again to be sent as a new one: a fresh token in its hidden
        field, the visitor's answers kept."""
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = started_token()

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
