"""An edition's open data, ready for the national portal data.gov.ua: its sessions,
venues, themes and partners, each a dataset in CSV and JSON with the two files the
portal's datasets carry beside their data, as the Cabinet of Ministers' resolution
No. 835 of 21 October 2015 («Положення про набори даних, які підлягають оприлюдненню
у формі відкритих даних») asks:

* the passport («паспорт набору даних»): its identifier, name, description, grounds of
  collection, language, formats, compression, dates of first publication, of the
  latest change and of currency, update frequency, keywords, links to the data and to
  the structure, the information manager, the responsible person with an e-mail, and
  the licence (from the site settings);
* the structure («структура набору даних»): each field's name, Ukrainian title,
  description, type and whether it is always filled, as CSV with the columns the
  portal's recommendations use (name, title, description, datatype, required) and as
  JSON in the Frictionless Table Schema shape; a JSON Schema of the JSON data is
  generated from it (`json_schema`), and served too.

All of it is served under the edition: `/2017/open-data/` lists the datasets
(`EditionPage.open_data_page`) and `/2017/open-data/sessions.csv`,
`sessions.json`, `sessions-passport.csv`, `sessions-structure.json`,
`sessions-schema.json`… are its files (`EditionPage.open_data_file`). Only live,
public content is in them: the edition is served only when it is (Wagtail's serve);
sessions come from its live, public days (`ProgrammePage.days()`), themes are its live,
public tracks (`EditionPage.tracks`), venues and partners the published edition's rows.
A CSV file is UTF-8 with a byte order mark and its cells neutralised
(home/spreadsheets.py), as the programme's CSV is; every address is the site's public
one (`home.site_url.absolute_url`)."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Min
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.fields import Field as SerializerField
from typing_extensions import TypedDict
from wagtail.coreutils import resolve_model_string
from wagtail.models import PageLogEntry

from events.calendar import SessionAddresses
from home.models import SiteSettings
from home.site_url import absolute_url
from home.spreadsheets import csv_response

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TABLE_SCHEMA_PROFILE = "tableschema"
IDENTIFIER_PREFIX = "maisternia-mista"
TRACK = "events.TrackPage"  # by name: the edition's model imports this module
EXTENSIONS = ("csv", "json")
# The parts of a dataset: its data, passport and structure in both formats; the JSON
# Schema of its JSON data is JSON only.
PARTS = {"": EXTENSIONS, "passport": EXTENSIONS, "structure": EXTENSIONS, "schema": ("json",)}
FILE_NAME = re.compile(r"(?P<dataset>[a-z]+)(?:-(?P<part>[a-z]+))?\.(?P<extension>[a-z]+)")

# What a field's type is in JSON Schema: its JSON type and, for text that holds a
# date, a time, a moment, a colour or an address, the pattern it follows (checked
# without any optional format checker).
PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "time": r"^([01]\d|2[0-3]):[0-5]\d$",
    "datetime": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$",
    "uri": r"^https?://\S+$",
    "colour": r"^#[0-9a-fA-F]{6}$",
}
JSON_FORMATS = {"date": "date", "datetime": "date-time", "uri": "uri"}
JSON_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean"}
# Table Schema's own formats of the types whose default is not what is written here.
TABLE_FORMATS = {"time": "%H:%M", "datetime": "any"}


@dataclass(frozen=True)
class Field:
    """One field (column) of a dataset, as its structure file describes it. `type` is
    a Table Schema type (string, integer, number, date, time, datetime); `format` a
    string's kind (uri, colour). A required field is never empty; an optional number
    is null in JSON and empty in CSV, an optional string is empty in both."""

    name: str
    title: str
    description: str
    type: str = "string"
    required: bool = True
    format: str = ""


@dataclass(frozen=True)
class Dataset:
    """One dataset of an edition: what its passport says of it and its fields."""

    name: str
    title: str
    description: str
    keywords: tuple
    fields: tuple = field(default=())

    def file_name(self, part="", extension="json"):
        return f"{self.name}{'-' + part if part else ''}.{extension}"


SESSION_FIELDS = (
    Field(
        "id",
        _("Identifier"),
        _("The session's number on the site; it does not change."),
        "integer",
    ),
    Field("date", _("Date"), _("The day of the session."), "date"),
    Field("start", _("Start"), _("Start time, Kyiv time, hours and minutes."), "time"),
    Field("end", _("End"), _("End time, Kyiv time, hours and minutes."), "time"),
    Field(
        "starts_at",
        _("Start (ISO 8601)"),
        _("The start as a moment with its offset from UTC."),
        "datetime",
    ),
    Field(
        "ends_at",
        _("End (ISO 8601)"),
        _("The end as a moment with its offset from UTC."),
        "datetime",
    ),
    Field("title", _("Title"), _("The title of the session.")),
    Field("kind", _("Kind (code)"), _("The kind of session as a code: lecture, workshop…")),
    Field("kind_label", _("Kind"), _("The kind of session in words.")),
    Field("status", _("Status (code)"), _("planned, changed or cancelled.")),
    Field("status_label", _("Status"), _("The status in words.")),
    Field(
        "status_note",
        _("Note on the status"),
        _("Why the session changed or was cancelled."),
        required=False,
    ),
    Field(
        "theme_id",
        _("Theme identifier"),
        _("The identifier of the session's theme in the themes dataset; empty without one."),
        "integer",
        required=False,
    ),
    Field("theme", _("Theme"), _("The name of the session's theme."), required=False),
    Field(
        "venue_id",
        _("Venue identifier"),
        _("The identifier of the venue in the venues dataset."),
        "integer",
        required=False,
    ),
    Field("venue", _("Venue"), _("Where the session takes place."), required=False),
    Field("spot", _("Spot"), _("Where within the venue: a tent, a stage…"), required=False),
    Field(
        "hosts",
        _("Hosts and speakers"),
        _("Names and organisations, separated by commas."),
        required=False,
    ),
    Field("description", _("Description"), _("What the session is about."), required=False),
    Field("url", _("Page"), _("The address of the session's page."), format="uri"),
)

VENUE_FIELDS = (
    Field("id", _("Identifier"), _("The venue's number on the site."), "integer"),
    Field("order", _("Order"), _("1 is the main venue."), "integer"),
    Field("name", _("Name"), _("The name of the venue.")),
    Field("address", _("Address"), _("The postal address."), required=False),
    Field(
        "latitude",
        _("Latitude"),
        _("Decimal degrees (WGS 84); empty when not given."),
        "number",
        required=False,
    ),
    Field(
        "longitude",
        _("Longitude"),
        _("Decimal degrees (WGS 84); empty when not given."),
        "number",
        required=False,
    ),
    Field(
        "accessibility",
        _("Accessibility"),
        _("Steps and ramps, toilets, shade, seating: what a visitor should know."),
        required=False,
    ),
)

THEME_FIELDS = (
    Field(
        "id", _("Identifier"), _("The theme's number on the site; sessions refer to it."), "integer"
    ),
    Field("title", _("Name"), _("The name of the theme.")),
    Field("short_description", _("Short description"), _("One sentence about the theme.")),
    Field("colour", _("Colour"), _("The theme's colour as # and six hex digits."), format="colour"),
    Field("url", _("Page"), _("The address of the theme's page."), format="uri"),
)

PARTNER_FIELDS = (
    Field("id", _("Identifier"), _("The partner's number on the site."), "integer"),
    Field("order", _("Order"), _("The order in which the site lists them."), "integer"),
    Field("name", _("Name"), _("The name of the organisation.")),
    Field("role", _("Role (code)"), _("organiser, partner or funder.")),
    Field("role_label", _("Role"), _("The role in words.")),
    Field("website", _("Website"), _("The organisation's website."), required=False, format="uri"),
)

DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "sessions",
            _("Sessions of the programme"),
            _(
                "Every session of the programme of the edition «%(edition)s»: its date, "
                "start and end (Kyiv time), title, kind, status, theme, venue, hosts "
                "and description, with the address of its page."
            ),
            (_("programme"), _("sessions"), _("schedule")),
            SESSION_FIELDS,
        ),
        Dataset(
            "venues",
            _("Venues"),
            _(
                "The venues of the edition «%(edition)s»: name, address, coordinates and "
                "what a visitor should know about access. The first is the main venue."
            ),
            (_("venues"), _("addresses"), _("accessibility")),
            VENUE_FIELDS,
        ),
        Dataset(
            "themes",
            _("Themes"),
            _(
                "The themes of the edition «%(edition)s»: name, short description, "
                "colour and the address of the theme's page."
            ),
            (_("themes"), _("public space")),
            THEME_FIELDS,
        ),
        Dataset(
            "partners",
            _("Organisers, partners and funders"),
            _(
                "The organisers, partners and funders of the edition «%(edition)s», with "
                "their websites."
            ),
            (_("partners"), _("organisers"), _("funders")),
            PARTNER_FIELDS,
        ),
    )
}

PURPOSE = _(
    "Informing residents and participants about the edition (Law of Ukraine «On Access "
    "to Public Information»; resolution of the Cabinet of Ministers of Ukraine No. 835 "
    "of 21 October 2015)."
)
# The elements of a passport, in the resolution's order: (key, label).
PASSPORT_ELEMENTS = (
    ("identifier", _("Identifier of the dataset")),
    ("title", _("Name of the dataset")),
    ("description", _("Short description of the dataset's content")),
    ("purpose", _("Grounds and purpose of collecting the information in the dataset")),
    ("language", _("Language of the information in the dataset")),
    ("formats", _("Formats in which the dataset is available")),
    ("compression", _("Compression format of the dataset")),
    ("issued", _("Date and time the dataset was first published")),
    ("modified", _("Date and time of the latest changes to the dataset")),
    ("valid", _("Date the data in the dataset are current as of")),
    ("accrual_periodicity", _("Update frequency of the dataset")),
    ("keywords", _("Keywords reflecting the main content of the dataset")),
    ("distribution", _("Links to the dataset")),
    ("structure", _("Links to the structure of the dataset")),
    ("publisher", _("Information manager who holds the dataset")),
    ("contact_point", _("Responsible person")),
    ("contact_email", _("E-mail of the responsible person")),
    ("license", _("Licence")),
    ("license_url", _("Address of the licence")),
    ("landing_page", _("Page of the dataset")),
)
STRUCTURE_COLUMNS = ("name", "title", "description", "datatype", "required")


def edition_name(edition):
    """«Майстерня міста Житомир 2017», or the title alone when it says its year."""
    year = str(edition.start_date.year)
    if re.search(rf"(?<!\d){year}(?!\d)", edition.title):
        return edition.title
    return f"{edition.title} {year}"


def get_dataset(name):
    try:
        return DATASETS[name]
    except KeyError:
        raise Http404(gettext("There is no such dataset.")) from None


# The rows of each dataset: dicts of the fields' names, JSON values.


def session_rows(edition, request):
    programme = edition.programme_page
    if programme is None:
        return []
    rows = []
    address = SessionAddresses(request)
    for day in programme.days():  # live, public days; only live tracks are kept
        for session in day.sessions.all():
            venue, track = session.where, session.track
            rows.append(
                {
                    "id": session.pk,
                    "date": day.date.isoformat(),
                    "start": session.start_time.strftime("%H:%M"),
                    "end": session.end_time.strftime("%H:%M"),
                    "starts_at": session.starts_at.isoformat(),
                    "ends_at": session.ends_at.isoformat(),
                    "title": session.title,
                    "kind": session.kind,
                    "kind_label": str(session.kind_label),
                    "status": session.status,
                    "status_label": str(session.status_label),
                    "status_note": session.status_note,
                    "theme_id": track.pk if track else None,
                    "theme": track.title if track else "",
                    "venue_id": venue.pk if venue else None,
                    "venue": venue.name if venue else "",
                    "spot": session.spot,
                    "hosts": session.hosts,
                    "description": session.description,
                    "url": address(session),
                }
            )
    return rows


def _degrees(value):
    return None if value is None else float(value)


def venue_rows(edition, request):
    return [
        {
            "id": venue.pk,
            "order": order,
            "name": venue.name,
            "address": venue.address,
            "latitude": _degrees(venue.latitude),
            "longitude": _degrees(venue.longitude),
            "accessibility": venue.access_note,
        }
        for order, venue in enumerate(edition.venues.all(), start=1)
    ]


def theme_rows(edition, request):
    return [
        {
            "id": track.pk,
            "title": track.title,
            "short_description": track.short_description,
            "colour": track.colour,
            "url": absolute_url(track.url, request),
        }
        for track in edition.tracks
    ]


def partner_rows(edition, request):
    return [
        {
            "id": partner.pk,
            "order": order,
            "name": partner.name,
            "role": partner.role,
            "role_label": str(partner.get_role_display()),
            "website": partner.url,
        }
        for order, partner in enumerate(edition.partners.all(), start=1)
    ]


ROWS = {
    "sessions": session_rows,
    "venues": venue_rows,
    "themes": theme_rows,
    "partners": partner_rows,
}


def rows_of(dataset, edition, request):
    with translation.override(settings.LANGUAGE_CODE):
        return ROWS[dataset.name](edition, request)


# When each dataset was first published and last changed: the pages it is read from.


def _span(moments):
    """(first publication, latest publication) of (first, last) pairs."""
    firsts = [first for first, _last in moments if first]
    lasts = [last for _first, last in moments if last]
    return (min(firsts, default=None), max(lasts, default=None))


def _page_moments(pages):
    return [(page.first_published_at, page.last_published_at) for page in pages]


class Moments:
    """The publication moments of an edition's datasets, read once: the edition, its
    tracks (already loaded), its live days (one query), and when a day or a theme was
    last unpublished (one query each), since what is taken away changes the data too.
    (A page deleted while live leaves no trace under the edition to find.)"""

    def __init__(self, edition):
        self.edition = edition
        self._days = None
        self._unpublished = {}

    def days(self):
        if self._days is None:
            programme = self.edition.programme_page
            if programme is None:
                self._days = []
            else:
                span = programme.live_days().aggregate(
                    first=Min("first_published_at"), last=Max("last_published_at")
                )
                self._days = [(span["first"], span["last"])]
        return self._days

    def unpublished(self, page_type=None):
        """(None, the latest unpublication) of the pages under the edition (of one page
        type, given by name)."""
        if page_type not in self._unpublished:
            entries = PageLogEntry.objects.filter(
                action__startswith="wagtail.unpublish",
                page__path__startswith=self.edition.path,
                page__depth__gt=self.edition.depth,
            )
            if page_type:
                model = resolve_model_string(page_type)
                entries = entries.filter(
                    page__content_type=ContentType.objects.get_for_model(model)
                )
            self._unpublished[page_type] = entries.aggregate(last=Max("timestamp"))["last"]
        return (None, self._unpublished[page_type])

    def of(self, dataset):
        """(first publication, latest change) of the dataset; it was first published
        with the edition at the latest."""
        edition = _page_moments([self.edition])
        if dataset.name == "sessions":
            tracks = _page_moments(self.edition.tracks)
            first, last = _span([*edition, *tracks, *self.days(), self.unpublished()])
        elif dataset.name == "themes" and (self.edition.tracks or self.unpublished(TRACK)[1]):
            first, last = _span([*_page_moments(self.edition.tracks), self.unpublished(TRACK)])
        else:
            first, last = _span(edition)
        return (first or self.edition.first_published_at, last)


# The passport, the structure and the JSON Schema.


def file_url(edition, request, file_name):
    return absolute_url(edition.feed_url("open_data_file", request, file_name=file_name), request)


def page_url(edition, request):
    return absolute_url(edition.get_url(request) + edition.reverse_subpage("open_data"), request)


def publisher_of(edition, site_settings):
    """The information manager: the organiser named in the site settings, else the
    edition's organisers."""
    if site_settings.organiser_name:
        return site_settings.organiser_name
    organisers = edition.partners.filter(role="organiser").values_list("name", flat=True)
    return ", ".join(organisers)


def moment_text(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def passport(dataset, edition, request, *, moments=None, site_settings=None, publisher=None):
    """The dataset's passport as (key, label, value) triples, in the resolution's
    order; a value is a text or a list of texts."""
    site_settings = site_settings or SiteSettings.for_request(request)
    moments = moments or Moments(edition)
    issued, modified = moments.of(dataset)
    contact_name, contact_email = site_settings.open_data_contact
    licence = site_settings.licence
    if publisher is None:
        publisher = publisher_of(edition, site_settings)
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "identifier": f"{IDENTIFIER_PREFIX}-{edition.start_date.year}-{dataset.name}",
            "title": f"{dataset.title} · {edition_name(edition)}",
            "description": str(dataset.description) % {"edition": edition_name(edition)},
            "purpose": str(PURPOSE),
            "language": gettext("Ukrainian"),
            "formats": [extension.upper() for extension in EXTENSIONS],
            "compression": gettext("none"),
            "issued": moment_text(issued),
            "modified": moment_text(modified),
            "valid": modified.date().isoformat() if modified else "",
            "accrual_periodicity": gettext("Immediately after changes are made"),
            "keywords": [
                gettext("City Workshop"),
                edition.city,
                *(str(keyword) for keyword in dataset.keywords),
            ],
            "distribution": [
                file_url(edition, request, dataset.file_name("", extension))
                for extension in EXTENSIONS
            ],
            "structure": [
                file_url(edition, request, dataset.file_name("structure", extension))
                for extension in EXTENSIONS
            ],
            "publisher": publisher,
            "contact_point": contact_name,
            "contact_email": contact_email,
            "license": licence.name,
            "license_url": licence.url,
            "landing_page": page_url(edition, request),
        }
        return [(key, str(label), values[key]) for key, label in PASSPORT_ELEMENTS]


def table_schema(dataset):
    """The structure as a Frictionless Table Schema: the fields with their Ukrainian
    titles, descriptions, types and constraints."""
    with translation.override(settings.LANGUAGE_CODE):
        fields = []
        for item in dataset.fields:
            described = {
                "name": item.name,
                "title": str(item.title),
                "description": str(item.description),
                "type": item.type,
            }
            if item.format == "uri" or item.type in TABLE_FORMATS:
                described["format"] = "uri" if item.format == "uri" else TABLE_FORMATS[item.type]
            constraints = {"required": item.required}
            if item.format == "colour":
                constraints["pattern"] = PATTERNS["colour"][1:-1]
            described["constraints"] = constraints
            fields.append(described)
        return {
            "profile": TABLE_SCHEMA_PROFILE,
            "title": str(dataset.title),
            "fields": fields,
            "primaryKey": ["id"],
            "missingValues": [""],
        }


def _field_json_schema(described):
    kind = described["type"]
    required = described["constraints"]["required"]
    if kind in JSON_TYPES:
        json_type = JSON_TYPES[kind]
        return {"type": json_type if required else [json_type, "null"]}
    schema = {"type": "string"}
    pattern_name = described.get("format") if described.get("format") == "uri" else kind
    if described["constraints"].get("pattern"):
        pattern_name = "colour"
    if pattern_name in PATTERNS:
        pattern = PATTERNS[pattern_name]
        # An optional text may be empty.
        schema["pattern"] = pattern if required else f"^(?:{pattern[1:-1]})?$"
    if pattern_name in JSON_FORMATS and required:
        schema["format"] = JSON_FORMATS[pattern_name]
    if required:
        schema["minLength"] = 1
    return schema


def json_schema(structure):
    """A JSON Schema of a dataset's JSON file (an array of records, each with every
    field), generated from its structure (`table_schema`)."""
    fields = structure["fields"]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": structure["title"],
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                described["name"]: _field_json_schema(described) for described in fields
            },
            "required": [described["name"] for described in fields],
            "additionalProperties": False,
        },
    }


# The files.


def _json_response(data):
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _csv_text(value):
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def file_response(edition, request, file_name):
    """A file of the open data, by its name («sessions.csv», «venues-passport.json»,
    «themes-schema.json»); 404 for any other name."""
    match = FILE_NAME.fullmatch(file_name)
    if not match:
        raise Http404(gettext("There is no such file."))
    dataset = get_dataset(match["dataset"])
    part, extension = match["part"] or "", match["extension"]
    if extension not in PARTS.get(part, ()):
        raise Http404(gettext("There is no such file."))
    download_name = f"{edition.start_date.year}-{file_name}"
    if part == "":
        rows = rows_of(dataset, edition, request)
        if extension == "json":
            response = _json_response(rows)
        else:
            names = [item.name for item in dataset.fields]
            response = csv_response(
                [names, *([row[name] for name in names] for row in rows)], download_name
            )
    elif part == "passport":
        elements = passport(dataset, edition, request)
        if extension == "json":
            response = _json_response({key: value for key, _label, value in elements})
        else:
            header = [gettext("Field"), gettext("Element of the dataset"), gettext("Value")]
            response = csv_response(
                [header, *([key, label, _csv_text(value)] for key, label, value in elements)],
                download_name,
            )
    elif part == "structure":
        structure = table_schema(dataset)
        if extension == "json":
            response = _json_response(structure)
        else:
            response = csv_response(
                [
                    list(STRUCTURE_COLUMNS),
                    *(
                        [
                            described["name"],
                            described["title"],
                            described["description"],
                            described["type"],
                            _csv_text(described["constraints"]["required"]),
                        ]
                        for described in structure["fields"]
                    ),
                ],
                download_name,
            )
    else:  # the JSON Schema
        response = _json_response(json_schema(table_schema(dataset)))
    licence = SiteSettings.for_request(request).licence
    response["Link"] = f'<{licence.url}>; rel="license"'
    return response


# The page that lists them.


@dataclass
class Listed:
    """A dataset as the open-data page shows it."""

    dataset: Dataset
    title: str
    description: str
    files: list
    passport: list
    modified: datetime.datetime | None

    @property
    def modified_iso(self):
        return moment_text(self.modified)


FORMAT_TYPES = {"csv": "text/csv", "json": "application/json"}


LINK_ELEMENTS = {"distribution", "structure", "license_url", "landing_page"}


def shown_element(key, label, value):
    """A passport's element as the page shows it: its parts, the addresses as links."""
    values = value if isinstance(value, list) else [value]
    if key == "issued" or key == "modified":
        values = [
            date_format(
                timezone.localtime(datetime.datetime.fromisoformat(text)), "DATETIME_FORMAT"
            )
            if text
            else ""
            for text in values
        ]
    links = key in LINK_ELEMENTS
    parts = []
    for text in values:
        href = text if links else (f"mailto:{text}" if key == "contact_email" and text else "")
        parts.append({"text": text, "href": href})
    return {"label": label, "parts": parts, "links": links}


def listed(edition, request):
    site_settings = SiteSettings.for_request(request)
    moments = Moments(edition)
    publisher = publisher_of(edition, site_settings)
    items = []
    for dataset in DATASETS.values():
        elements = passport(
            dataset,
            edition,
            request,
            moments=moments,
            site_settings=site_settings,
            publisher=publisher,
        )
        values = {key: value for key, _label, value in elements}
        files = [
            {
                "label": label,
                "format": extension.upper(),
                "type": FORMAT_TYPES[extension],
                "url": file_url(edition, request, dataset.file_name(part, extension)),
            }
            for part, label in (
                ("", gettext("Data")),
                ("passport", gettext("Passport")),
                ("structure", gettext("Structure")),
                ("schema", gettext("JSON Schema")),
            )
            for extension in PARTS[part]
        ]
        items.append(
            Listed(
                dataset=dataset,
                title=values["title"],
                description=values["description"],
                files=files,
                passport=[shown_element(*element) for element in elements],
                modified=moments.of(dataset)[1],
            )
        )
    return items, site_settings


def page_response(edition, request):
    datasets, site_settings = listed(edition, request)
    contact_name, contact_email = site_settings.open_data_contact
    context = edition.get_open_data_context(request)
    context.update(
        datasets=datasets,
        licence=site_settings.licence,
        contact_name=contact_name,
        contact_email=contact_email,
        modified=max((item.modified for item in datasets if item.modified), default=None),
    )
    context["modified_iso"] = moment_text(context["modified"])
    return TemplateResponse(request, "pages/open_data_page.html", context)


# In the content API: the edition's datasets and their files' addresses.


class DatasetFiles(TypedDict):
    csv: str
    json: str


class DatasetLinks(TypedDict):
    name: str
    title: str
    data: DatasetFiles
    passport: DatasetFiles
    structure: DatasetFiles
    json_schema: str


class OpenDataLinks(TypedDict):
    page: str
    datasets: list[DatasetLinks]


class OpenDataField(SerializerField):
    """An edition's open data in the API: the open-data page and, for each dataset,
    the addresses of its data, passport, structure and JSON Schema. No query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, edition) -> OpenDataLinks:
        request = self.context.get("request") if self.parent is not None else None

        def files(dataset, part):
            return DatasetFiles(
                **{
                    extension: file_url(edition, request, dataset.file_name(part, extension))
                    for extension in EXTENSIONS
                }
            )

        with translation.override(settings.LANGUAGE_CODE):
            return OpenDataLinks(
                page=page_url(edition, request),
                datasets=[
                    DatasetLinks(
                        name=dataset.name,
                        title=str(dataset.title),
                        data=files(dataset, ""),
                        passport=files(dataset, "passport"),
                        structure=files(dataset, "structure"),
                        json_schema=file_url(edition, request, dataset.file_name("schema")),
                    )
                    for dataset in DATASETS.values()
                ],
            )
