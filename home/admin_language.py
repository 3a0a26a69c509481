"""Labels that Wagtail 8 leaves out, so that Django makes them of the field names in
English («Link text», «Include descendants»): the fields of the rich text editor's
link choosers and of the pages' bulk actions, given translatable labels."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms import choosers
from wagtail.admin.views.pages.bulk_actions import page_bulk_action

LABELS = {
    "link_text": gettext_lazy("Link text"),
    "email_address": gettext_lazy("Email address"),
    "subject": gettext_lazy("Subject"),
    "body": gettext_lazy("Body"),
    "phone_number": gettext_lazy("Phone number"),
    "include_descendants": gettext_lazy("Include the subpages"),
}
UNLABELLED_FORMS = (
    choosers.ExternalLinkChooserForm,
    choosers.AnchorLinkChooserForm,
    choosers.EmailLinkChooserForm,
    choosers.PhoneLinkChooserForm,
    page_bulk_action.DefaultPageForm,
)


def label_unlabelled_fields():
    for form in UNLABELLED_FORMS:
        for name, field in form.base_fields.items():
            if name in LABELS and field.label is None:
                field.label = LABELS[name]
