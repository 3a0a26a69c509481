"""The project questionnaire («Анкета опису проєкту»): NGOs, artists and residents
present a project for the edition, optionally with a document or an image, and the
press office reviews each one (new, accepted, declined)."""

import uuid

from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel

from events import form_pipeline
from events.attachments import EXTENSIONS, private_storage
from events.forms import AttachmentForm

from .form_pages import (
    ParticipationFormPage,
    ReadableNameFormField,
    WorkshopSubmission,
    form_page_panels,
)


def attachment_path(submission, filename):
    # A name nobody can guess or make up: the form, a random part, and the extension
    # of the type found in the content (never the one the sender gave).
    extension = EXTENSIONS[submission.attachment_type]
    return f"questionnaires/{submission.page_id}/{uuid.uuid4().hex}{extension}"


class QuestionnaireFormField(ReadableNameFormField):
    page = ParentalKey(
        "events.QuestionnairePage", on_delete=models.CASCADE, related_name="form_fields"
    )


class ProjectSubmission(WorkshopSubmission):
    """One described project: the answers, the attachment and the review status."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    status = models.CharField(
        _("review status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    attachment = models.FileField(
        _("attachment"), storage=private_storage, upload_to=attachment_path, blank=True
    )
    attachment_name = models.CharField(_("attachment's file name"), max_length=255, blank=True)
    attachment_type = models.CharField(_("attachment's type"), max_length=100, blank=True)

    class Meta(WorkshopSubmission.Meta):
        verbose_name = _("project questionnaire")
        verbose_name_plural = _("project questionnaires")

    def get_data(self):
        return {**super().get_data(), "attachment": self.attachment_name}

    def discard_files(self):
        if self.attachment:
            self.attachment.delete(save=False)


@receiver(post_delete, sender=ProjectSubmission)
def delete_attachment(sender, instance, **kwargs):
    """A deleted submission (in the admin, by purge_submissions, with its form) takes
    its file along, once the deletion is committed."""
    if instance.attachment:
        name, storage = instance.attachment.name, instance.attachment.storage
        transaction.on_commit(lambda: storage.delete(name))


class QuestionnairePage(ParticipationFormPage):
    """The form in which people describe a project for the edition."""

    accepts_attachment = models.BooleanField(
        _("accept an attachment"),
        default=True,
        help_text=_("A document or an image, which only the staff can download."),
    )

    reviewed = True
    template = "pages/questionnaire_page.html"
    landing_page_template = "pages/registration_form_page_landing.html"
    consent_label = _(
        "I agree to the processing of my personal data to review the project and to "
        "contact me about it"
    )
    confirmation_templates = (
        "emails/questionnaire_subject.txt",
        "emails/questionnaire_confirmation.txt",
    )

    content_panels = form_page_panels(rules=[FieldPanel("accepts_attachment")])

    class Meta:
        verbose_name = _("project questionnaire")
        verbose_name_plural = _("project questionnaires")

    def get_submission_class(self):
        return ProjectSubmission

    def get_form_class(self):
        form_class = super().get_form_class()
        if self.accepts_attachment:
            return type(form_class.__name__, (AttachmentForm, form_class), {})
        return form_class

    def get_data_fields(self):
        return [*super().get_data_fields(), ("attachment", _("Attachment"))]

    def store(self, form):
        return form_pipeline.store_project(self, form)
