"""The programme's filters: by day, theme, format and venue, as a GET form so a
filtered programme has its own shareable address and works without JavaScript."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from home.dates import format_day

EVERYTHING = ""


class ProgrammeFilterForm(forms.Form):
    day = forms.TypedChoiceField(
        label=_("Day"), required=False, coerce=datetime.date.fromisoformat, empty_value=None
    )
    track = forms.ChoiceField(label=_("Theme"), required=False)
    kind = forms.ChoiceField(label=_("Format"), required=False)
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, days, tracks, kinds, venues):
        super().__init__(data)
        self.fields["day"].choices = self.options(
            (day.date.isoformat(), format_day(day.date)) for day in days
        )
        self.fields["track"].choices = self.options((track.slug, track.title) for track in tracks)
        self.fields["kind"].choices = self.options(kinds)
        self.fields["venue"].choices = self.options((venue.pk, venue.name) for venue in venues)

    @staticmethod
    def options(choices):
        return [(EVERYTHING, _("All")), *choices]

    @property
    def ignored(self):
        """Values that are not (or no longer) in the programme: dropped, not fatal."""
        return [(self.fields[name].label, self.data.get(name)) for name in self.errors]

    def session_lookups(self):
        """Lookups on Session for the valid, chosen filters (the day excluded)."""
        self.is_valid()
        data = self.cleaned_data
        lookups = {}
        if data.get("track"):
            lookups["track__slug"] = data["track"]
        if data.get("kind"):
            lookups["kind"] = data["kind"]
        if data.get("venue"):
            lookups["venue_id"] = data["venue"]
        return lookups

    @property
    def chosen_day(self):
        self.is_valid()
        return self.cleaned_data.get("day")

    @property
    def active(self):
        return bool(self.chosen_day or self.session_lookups())
