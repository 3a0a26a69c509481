from .edition import Contacts, EditionLink, EditionPage, EditionPartner, Venue, year_slug
from .form_pages import RegistrationFormField, RegistrationFormPage, RegistrationSubmission
from .mixins import EditionChildMixin
from .programme import DayPage, ProgrammePage, Session, SessionChange
from .questionnaire import ProjectSubmission, QuestionnaireFormField, QuestionnairePage
from .tracks import TrackPage

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
    "SessionChange",
    "TrackPage",
    "Venue",
    "year_slug",
]
