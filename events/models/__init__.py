from .edition import (
    Contacts,
    EditionChildMixin,
    EditionLink,
    EditionPage,
    EditionPartner,
    TrackPage,
    Venue,
    year_slug,
)
from .form_pages import RegistrationFormField, RegistrationFormPage, RegistrationSubmission
from .programme import DayPage, ProgrammePage, Session
from .questionnaire import ProjectSubmission, QuestionnaireFormField, QuestionnairePage

__all__ = [
    "Contacts",
    "DayPage",
    "EditionChildMixin",
    "EditionLink",
    "EditionPage",
    "EditionPartner",
    "ProgrammePage",
    "ProjectSubmission",
    "QuestionnaireFormField",
    "QuestionnairePage",
    "RegistrationFormField",
    "RegistrationFormPage",
    "RegistrationSubmission",
    "Session",
    "TrackPage",
    "Venue",
    "year_slug",
]
