"""Reads the demo's content, home/demo/content.json, and checks it: `read_content()`
returns a Content whose dates, times and kinds are Python values, or raises a
DemoContentError that names the entry at fault («days[2] «День 3. Велотранспорт» ›
sessions[4] «Перерва»: end 17:00 is not after start 17:30»).

The file's parts, in the order the builders use them:
- "collection": the name of the image and document collection;
- "home": the home page's "intro"; "site_settings": fields of SiteSettings;
- "edition": fields of EditionPage, dates written "YYYY-MM-DD"; "goals" and
  "audience" are lists of strings; "how_to_take_part" has {registration},
  {project_form} and {questionnaire} where the page and document ids go;
- "hero_image", "image_titles" (with {logo_text} or {title}), "venue";
- "partners": "role" is one of EditionPartner.Role; "initials", "colour" and
  "logo_text" draw the placeholder logo;
- "tracks": "key" is what sessions name, "motif" one of drawing.MOTIFS;
- "notices": the demonstration notices that the builders put before the texts;
- "programme" and "days": a day's "date" is "YYYY-MM-DD" within the edition's dates;
  a session has "start" and "end" ("HH:MM"), "kind" (one of Session.Kind), "title",
  and optionally "track" (a track's key), "spot", "hosts" and "description";
- "documents_page" and "documents": a document's "key" is its layout (sheets.LAYOUTS)
  and what links name; the questionnaire's "questions" each have "lines" (answer lines)
  or "choose_track": true (a tick box per track);
- "registration" and "questionnaire": fields of the form pages, and their "fields"
  (a "field_type" each, one of the form field model's);
- "links": each with a "label" and exactly one of "document" (a document's key) or "url".
"""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from events.models import EditionPartner, QuestionnaireFormField, RegistrationFormField, Session

from .drawing import MOTIFS
from .sheets import LAYOUTS

CONTENT_FILE = Path(__file__).with_name("content.json")

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_PATTERN = re.compile(r"\d{2}:\d{2}")
SESSION_KEYS = {"start", "end", "kind", "track", "spot", "title", "hosts", "description"}


class DemoContentError(ValueError):
    """The demo's content file is not as the loader needs it; the message says where."""


@dataclass(frozen=True)
class Content:
    """The demo's content, checked: plain dicts and lists as in content.json, with
    dates (datetime.date), times (datetime.time) and kinds and roles (the models'
    choices) in place of their strings."""

    collection: str
    home: dict
    site_settings: dict
    edition: dict
    hero_image: dict
    image_titles: dict
    venue: dict
    partners: list
    tracks: list
    notices: dict
    programme: dict
    days: list
    documents_page: dict
    documents: list
    registration: dict
    questionnaire: dict
    links: list

    def tracks_by_key(self):
        return {track["key"]: track for track in self.tracks}

    def organisers(self):
        return [p for p in self.partners if p["role"] == EditionPartner.Role.ORGANISER]


def read_content(path=None):
    """The content of the JSON file at `path` (UTF-8; by default CONTENT_FILE), checked."""
    path = Path(path or CONTENT_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DemoContentError(f"{path.name}: not valid JSON: {error}") from error
    return ContentReader(path.name).read(data)


def entry_name(section, index, entry):
    """«days[2] «День 3. Велотранспорт»»: where an entry of a list is, and what."""
    keys = ("title", "name", "label", "question", "key") if isinstance(entry, dict) else ()
    name = next((entry[key] for key in keys if entry.get(key)), None)
    return f"{section}[{index}] «{name}»" if name else f"{section}[{index}]"


class ContentReader:
    """Converts and checks content.json's data part by part, naming what is wrong."""

    def __init__(self, file_name):
        self.file_name = file_name

    def fail(self, where, message):
        raise DemoContentError(f"{self.file_name}, {where}: {message}")

    def part(self, data, name, kind=dict):
        value = data.get(name) if isinstance(data, dict) else None
        if not isinstance(value, kind):
            self.fail(name, f"missing, or not a JSON {'object' if kind is dict else 'array'}")
        return value

    def value(self, entry, key, where):
        if key not in entry:
            self.fail(where, f"{key!r} is missing")
        return entry[key]

    def date(self, entry, key, where):
        value = self.value(entry, key, where)
        if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
            self.fail(where, f"{key} {value!r} is not a date written YYYY-MM-DD")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"{key} {value!r} is not a date of the calendar")

    def time(self, entry, key, where):
        value = self.value(entry, key, where)
        if not isinstance(value, str) or not TIME_PATTERN.fullmatch(value):
            self.fail(where, f"{key} {value!r} is not a time written HH:MM")
        try:
            return datetime.time.fromisoformat(value)
        except ValueError:
            self.fail(where, f"{key} {value!r} is not a time of the day")

    def choice(self, entry, key, choices, where):
        value = self.value(entry, key, where)
        if value not in choices:
            self.fail(where, f"{key} {value!r} is not one of: {', '.join(map(str, choices))}")
        return value

    def entries(self, data, name):
        """(where, entry) for each object of the list `name` of data."""
        items = self.part(data, name, list)
        for index, entry in enumerate(items):
            where = entry_name(name, index, entry)
            if not isinstance(entry, dict):
                self.fail(where, "not a JSON object")
            yield where, entry

    def read(self, data):
        if not isinstance(data, dict):
            self.fail("the file", "not a JSON object")
        edition = self.edition(self.part(data, "edition"))
        tracks = self.tracks(data)
        documents = self.documents(data)
        return Content(
            collection=self.value(data, "collection", "the file"),
            home=self.part(data, "home"),
            site_settings=self.part(data, "site_settings"),
            edition=edition,
            hero_image=self.part(data, "hero_image"),
            image_titles=self.part(data, "image_titles"),
            venue=self.part(data, "venue"),
            partners=self.partners(data),
            tracks=tracks,
            notices=self.part(data, "notices"),
            programme=self.part(data, "programme"),
            days=self.days(data, edition, {track["key"] for track in tracks}),
            documents_page=self.part(data, "documents_page"),
            documents=documents,
            registration=self.form(data, "registration", RegistrationFormField),
            questionnaire=self.form(data, "questionnaire", QuestionnaireFormField),
            links=self.links(data, {document["key"] for document in documents}),
        )

    def edition(self, edition):
        keys = ("published_on", "start_date", "end_date")
        dates = {key: self.date(edition, key, "edition") for key in keys}
        if dates["end_date"] < dates["start_date"]:
            self.fail("edition", f"end_date {dates['end_date']} is before start_date")
        return {**edition, **dates}

    def partners(self, data):
        roles = EditionPartner.Role.values
        return [
            {**partner, "role": EditionPartner.Role(self.choice(partner, "role", roles, where))}
            for where, partner in self.entries(data, "partners")
        ]

    def tracks(self, data):
        tracks, keys = [], set()
        for where, track in self.entries(data, "tracks"):
            key = self.value(track, "key", where)
            if key in keys:
                self.fail(where, f"key {key!r} is also another track's")
            keys.add(key)
            self.choice(track, "motif", list(MOTIFS), where)
            tracks.append(track)
        return tracks

    def days(self, data, edition, track_keys):
        days, dates = [], set()
        start, end = edition["start_date"], edition["end_date"]
        for where, day in self.entries(data, "days"):
            date = self.date(day, "date", where)
            if not start <= date <= end:
                self.fail(where, f"date {date} is outside the edition's dates ({start} – {end})")
            if date in dates:
                self.fail(where, f"date {date} is also another day's")
            dates.add(date)
            sessions = [
                self.session(session, f"{where} › {session_where}", track_keys)
                for session_where, session in self.entries(day, "sessions")
            ]
            days.append({**day, "date": date, "sessions": sessions})
        return days

    def session(self, session, where, track_keys):
        unknown = set(session) - SESSION_KEYS
        if unknown:
            self.fail(where, f"unknown keys: {', '.join(sorted(unknown))}")
        start, end = self.time(session, "start", where), self.time(session, "end", where)
        if end <= start:
            self.fail(where, f"end {end:%H:%M} is not after start {start:%H:%M}")
        track = session.get("track")
        if track is not None and track not in track_keys:
            self.fail(where, f"track {track!r} is not a track's key")
        return {
            "start": start,
            "end": end,
            "kind": Session.Kind(self.choice(session, "kind", Session.Kind.values, where)),
            "track": track,
            "spot": session.get("spot", ""),
            "title": self.value(session, "title", where),
            "hosts": session.get("hosts", ""),
            "description": session.get("description", ""),
        }

    def documents(self, data):
        documents = []
        for where, document in self.entries(data, "documents"):
            self.choice(document, "key", list(LAYOUTS), where)
            if document["key"] == "questionnaire":
                for question_where, question in self.entries(document, "questions"):
                    lines = question.get("lines")
                    choose_track = question.get("choose_track") is True
                    if choose_track == (isinstance(lines, int) and lines > 0):
                        self.fail(
                            f"{where} › {question_where}",
                            "give exactly one of lines (a number above 0) or choose_track",
                        )
            documents.append(document)
        return documents

    def form(self, data, name, field_model):
        form = self.part(data, name)
        types = [value for value, _label in field_model._meta.get_field("field_type").flatchoices]
        for where, form_field in self.entries(form, "fields"):
            self.choice(form_field, "field_type", types, f"{name} › {where}")
        return form

    def links(self, data, document_keys):
        links = []
        for where, link in self.entries(data, "links"):
            if ("document" in link) == ("url" in link):
                self.fail(where, "give exactly one of document or url")
            if "document" in link and link["document"] not in document_keys:
                self.fail(where, f"document {link['document']!r} is not a document's key")
            links.append(link)
        return links
