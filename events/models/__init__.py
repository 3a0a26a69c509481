from .edition import (
    Contacts,
    EditionChildMixin,
    EditionLink,
    EditionPage,
    EditionPartner,
    TrackPage,
    Venue,
)
from .forms import RegistrationFormField, RegistrationFormPage, RegistrationSubmission
from .programme import DayPage, ProgrammePage, Session

__all__ = [
    "Contacts",
    "DayPage",
    "EditionChildMixin",
    "EditionLink",
    "EditionPage",
    "EditionPartner",
    "ProgrammePage",
    "RegistrationFormField",
    "RegistrationFormPage",
    "RegistrationSubmission",
    "Session",
    "TrackPage",
    "Venue",
]
