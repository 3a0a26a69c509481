"""The registration form of an edition, built with Wagtail's form builder so the press
office edits its fields, introduction and thank-you text."""

import logging
import smtplib

from anyascii import anyascii
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.forms.utils import get_field_clean_name
from wagtail.fields import RichTextField

from .edition import EditionChildMixin

logger = logging.getLogger(__name__)


class ReadableNameFormField(AbstractFormField):
    """A form field whose machine name is a readable transliteration of its label
    («Телефон» → "telefon"), so exports and e-mails stay legible."""

    def get_field_clean_name(self):
        return get_field_clean_name(anyascii(self.label))

    class Meta(AbstractFormField.Meta):
        abstract = True


class RegistrationFormField(ReadableNameFormField):
    page = ParentalKey(
        "events.RegistrationFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )


class RegistrationFormPage(EditionChildMixin, AbstractEmailForm):
    """The form people fill in to take part in the edition. Submissions are stored and
    listed in the admin; a copy can go to the press office by e-mail."""

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(
        _("thank-you text"), blank=True, help_text=_("Shown after the form is sent.")
    )

    parent_page_types = ["events.EditionPage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "pages/registration_form_page.html"
    landing_page_template = "pages/registration_form_page_landing.html"

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", heading=_("Form fields"), label=_("Field")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to the press office"),
        ),
    ]

    class Meta:
        verbose_name = _("registration form")
        verbose_name_plural = _("registration forms")

    def send_mail(self, form):
        # The submission is already stored; a mail server that is down must not turn
        # the visitor's successful registration into a server error.
        try:
            super().send_mail(form)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not e-mail the registration to %s", self.to_address)
