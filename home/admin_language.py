"""Labels that Wagtail 8 leaves out, so that Django makes them of the field names in
English («Link text», «Email address»): the fields of the rich text editor's link
choosers, given translatable labels (their Ukrainian is in locale_admin/)."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms import choosers

LINK_CHOOSER_LABELS = {
    "link_text": gettext_lazy("Link text"),
    "email_address": gettext_lazy("Email address"),
    "subject": gettext_lazy("Subject"),
    "body": gettext_lazy("Body"),
    "phone_number": gettext_lazy("Phone number"),
}


def label_link_chooser_fields():
    for form in (
        choosers.ExternalLinkChooserForm,
        choosers.AnchorLinkChooserForm,
        choosers.EmailLinkChooserForm,
        choosers.PhoneLinkChooserForm,
    ):
        for name, field in form.base_fields.items():
            if name in LINK_CHOOSER_LABELS and field.label is None:
                field.label = LINK_CHOOSER_LABELS[name]
