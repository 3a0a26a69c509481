"""The old edition's year and dates in texts, moved to the new edition's.

`DateShift` finds the phrases the site writes («12–17 червня 2017», «30 червня – 2 липня
2017», «12 червня», «12 червня 2017 року», «2017 року», «2017», «2017-06-12»,
«12.06.2017», «12 червня 2017, понеділок») and moves each date by the rollover's offset:
a range is written again by home/dates.py's rules (it may cross a month after the
shift), a weekday follows its new date, a bare year becomes the new year. A day-month
phrase without a year is taken to be in the old edition's year. Years inside other
numbers (12017, 2017.5), other years (2012) and URLs, e-mail addresses and paths
(…/2017/…) are left alone; `mentions` still reports every old year left in a text.

`text_fields(page)` lists the text fields of a page and of its child rows (sessions,
venues, partners, links, form fields, document items) from the models themselves, each
with its label for the editor and the id of its input in Wagtail's page editor."""

import datetime
import functools
import re
from dataclasses import dataclass

from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import InlinePanel
from wagtail.blocks import StreamValue
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from home.dates import date_range

MONTHS = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)
# As home/dates.format_day writes them (Django's Ukrainian names, lower case).
WEEKDAYS = ("понеділок", "вівторок", "середа", "четвер", "п'ятниця", "субота", "неділя")
WEEKDAY_SPELLINGS = ("п’ятниця", "пʼятниця")

_SPACE = r"(?:[ \u00a0\u202f]|&nbsp;|&#160;)+"
_OPT_SPACE = r"(?:[ \u00a0\u202f]|&nbsp;|&#160;)*"
# A range's dash: the en dash the site writes, a hyphen or its kin; not the em dash,
# which in Ukrainian parts a sentence («12 червня — 2 січня 2017»).
_DASH = r"(?:[\-\u2010-\u2013]|&ndash;|&#8211;)"
_MONTH = "(?i:" + "|".join(MONTHS) + ")"
_WEEKDAY = "(?i:" + "|".join([*WEEKDAYS, *WEEKDAY_SPELLINGS]) + ")"
_DAY_START = r"(?<![\d.,:/\w])"
_YEAR_END = r"(?!\d|[.,:/]\d)"

# One pattern, the alternatives in order of priority; re.sub scans the text once.
_DATE = (
    _DAY_START
    + r"(?P<d1>[0-3]?\d)(?!\d)"
    # a day alone is no date: a month or a range must follow
    + rf"(?=(?:{_SPACE}{_MONTH})|(?:{_OPT_SPACE}{_DASH}{_OPT_SPACE}[0-3]?\d{_SPACE}{_MONTH}))"
    + rf"(?:(?P<s1>{_SPACE})(?P<m1>{_MONTH})(?:(?P<sy1>{_SPACE})(?P<y1>\d{{4}}){_YEAR_END})?)?"
    + rf"(?:(?P<dash>{_OPT_SPACE}{_DASH}{_OPT_SPACE})(?P<d2>[0-3]?\d)(?P<s2>{_SPACE})"
    + rf"(?P<m2>{_MONTH})(?:(?P<sy2>{_SPACE})(?P<y2>\d{{4}}){_YEAR_END})?)?"
    + rf"(?:(?P<wsep>,{_OPT_SPACE})(?P<wd>{_WEEKDAY})(?!\w))?"
)
# Days joined by a word before one month: «з 12 по 17 червня», «12, 13 і 14 червня».
_LAST_JOIN = r"(?:[ \u00a0]|&nbsp;)+(?:і|й|та|по|до|або|чи)(?:[ \u00a0]|&nbsp;)+"
_DAYS = (
    _DAY_START
    + rf"(?P<days>[0-3]?\d(?:,(?:[ \u00a0]|&nbsp;)*[0-3]?\d)*{_LAST_JOIN}[0-3]?\d)(?!\d)"
    + rf"(?P<ls>{_SPACE})(?P<lm>{_MONTH})(?:(?P<lsy>{_SPACE})(?P<ly>\d{{4}}){_YEAR_END})?"
)
_ISO = r"(?<![\d\-\w])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d|-\d)"
_DOTTED = r"(?<![\d.\w])(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4})(?!\d|\.\d)"
_URL = r"(?P<url>(?:https?://|www\.|mailto:)[^\s<>\"']+|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)"
TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
ALT = re.compile(r"""(\balt\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!][^>]*>")


def _year_pattern(year):
    # «2017», «2017 року», «2017р.», «2017-й»; not 12017, 2017.5, /2017/, 2015-2017.
    return (
        r"(?<![\w@+.,:/\\\-])(?P<year>" + re.escape(year) + r")"
        r"(?:(?=р(?:\.|(?!\w)))|(?!\w|[.,:/\-]\d))"
    )


def _same_case(word, like):
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _month(date, like=""):
    return _same_case(MONTHS[date.month - 1], like)


def format_range(start, end, with_year=True):
    """home/dates.date_range's rule with this module's month names, whatever the
    active language."""
    return date_range(start, end, lambda value: f"{value.day} {_month(value)}", with_year)


class DateShift:
    """The old edition's dates moved to the new edition's."""

    def __init__(self, old_start, old_end, new_start):
        self.old_start = old_start
        self.old_end = old_end or old_start
        self.offset = new_start - old_start
        self.new_start = new_start
        self.new_end = self.old_end + self.offset
        self.old_year = str(old_start.year)
        self.new_year = str(new_start.year)
        self.pattern = re.compile(
            "|".join([_URL, _ISO, _DOTTED, _DAYS, _DATE, _year_pattern(self.old_year)])
        )
        self.loose_year = re.compile(r"\S*(?<!\d)" + re.escape(self.old_year) + r"(?!\d)\S*")

    # Plain text and rich text ---------------------------------------------------------

    def shift(self, text):
        """Plain text with the old edition's dates and year moved to the new edition's."""
        if not text:
            return text
        return self.pattern.sub(lambda match: self._replace(match)[0], text)

    def shift_html(self, html):
        """Rich text: its text nodes and alt="" attributes shifted, nothing else (ids,
        hrefs, other attributes and comments stay as they are)."""
        if not html:
            return html
        parts = TAG.split(html)
        for i, part in enumerate(parts):
            if i % 2 == 0:
                parts[i] = self.shift(part)
            elif not part.startswith("<!--"):
                parts[i] = ALT.sub(self._shift_alt, part)
        return "".join(parts)

    def _shift_alt(self, match):
        if match[2] is not None:
            return f'{match[1]}"{self.shift(match[2])}"'
        return f"{match[1]}'{self.shift(match[3])}'"

    def mentions(self, text):
        """The old year and old date phrases still in `text` (rich or plain), as written:
        the phrases `shift` would move, and any other old year (in a URL, a path, a
        range of years). A day-month phrase without a year is counted only when it is a
        day of the old edition that is not a day of the new one («17 червня» of 12–17
        June 2017 after a rollover to 11–16 June 2018)."""
        if not text:
            return []
        if LOOKS_LIKE_HTML.search(text):
            found = []
            parts = TAG.split(text)
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    found += self._mentions(part)
                elif not part.startswith("<!--"):
                    for alt in ALT.finditer(part):
                        found += self._mentions(alt[2] if alt[2] is not None else alt[3])
            return found
        return self._mentions(text)

    def _mentions(self, text):
        found = []
        covered = []
        for match in self.pattern.finditer(text):
            _, old = self._replace(match)
            if old:
                found.append((match.start(), match[0]))
                covered.append((match.start(), match.end()))
        for match in self.loose_year.finditer(text):
            start, end = match.span()
            if not any(s < end and start < e for s, e in covered):
                found.append((start, match[0]))
        return [phrase for _, phrase in sorted(found)]

    # One phrase ----------------------------------------------------------------------

    def _replace(self, match):
        """(the phrase shifted, whether it was the old edition's)"""
        text = match[0]
        if match["url"]:
            return text, False
        if match["year"]:
            return self.new_year, True
        if match["iy"]:
            return self._replace_numeric(
                match, match["iy"], match["im"], match["id"], lambda d: d.isoformat()
            )
        if match["dy"]:

            def dotted(d):
                return f"{d.day:0{len(match['dd'])}d}.{d.month:0{len(match['dm'])}d}.{d.year}"

            return self._replace_numeric(match, match["dy"], match["dm"], match["dd"], dotted)
        if match["days"]:
            return self._replace_days(match)
        return self._replace_date(match)

    def _replace_days(self, match):
        """«з 12 по 17 червня 2017»: each day moved, the words between them kept; each
        day is written with its month when the shift parts them."""
        text = match[0]
        if match["ly"] and match["ly"] != self.old_year:
            return text, False
        parts = re.split(r"(\d+)", match["days"])  # ["", day, join, day, …, ""]
        days, joins = parts[1::2], parts[2:-1:2]
        month = MONTHS.index(match["lm"].lower()) + 1
        year = int(match["ly"] or self.old_year)
        try:
            dates = [datetime.date(year, month, int(day)) for day in days]
        except ValueError:
            return self._swap_year(text)
        moved = [date + self.offset for date in dates]
        one_month = len({(date.year, date.month) for date in moved}) == 1
        written = ""
        for i, date in enumerate(moved):
            written += str(date.day)
            if not one_month or i == len(moved) - 1:
                written += f"{match['ls']}{_month(date, match['lm'])}"
            if i < len(joins):
                written += joins[i]
        if match["ly"]:
            written += f"{match['lsy']}{moved[-1].year}"
        elif moved[-1].year != int(self.new_year):
            written += f" {moved[-1].year}"
        return written, bool(match["ly"]) or self._old_days(dates[0], dates[-1])

    def _swap_year(self, text):
        swapped = re.sub(r"(?<!\d)" + re.escape(self.old_year) + r"(?!\d)", self.new_year, text)
        return swapped, swapped != text

    def _replace_numeric(self, match, year, month, day, write):
        if year != self.old_year:
            return match[0], False
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            return self._swap_year(match[0])
        return write(date + self.offset), True

    def _replace_date(self, match):
        text = match[0]
        y1 = int(match["y1"]) if match["y1"] else None
        y2 = int(match["y2"]) if match["y2"] else None
        old = int(self.old_year)
        new = int(self.new_year)
        explicit = {year for year in (y1, y2) if year}
        if explicit and old not in explicit:
            return text, False
        try:
            if match["d2"] is None:
                return self._replace_single(match, y1 or old, bool(y1))
            m2 = MONTHS.index(match["m2"].lower()) + 1
            m1 = MONTHS.index(match["m1"].lower()) + 1 if match["m1"] else m2
            end_year = y2 or y1 or old
            start_year = y1 or (end_year if m1 <= m2 else end_year - 1)
            start = datetime.date(start_year, m1, int(match["d1"]))
            end = datetime.date(end_year, m2, int(match["d2"]))
        except ValueError:
            return self._swap_year(text)
        if end < start:
            return self._swap_year(text)
        old_phrase = bool(explicit) or self._old_days(start, end)
        start, end = start + self.offset, end + self.offset
        with_year = bool(explicit) or start.year != new or end.year != new
        written = format_range(start, end, with_year)
        if match["wd"]:
            written += match["wsep"] + match["wd"]
        return written, old_phrase

    def _replace_single(self, match, year, explicit):
        date = datetime.date(year, MONTHS.index(match["m1"].lower()) + 1, int(match["d1"]))
        new = date + self.offset
        written = f"{new.day}{match['s1']}{_month(new, match['m1'])}"
        if explicit:
            written += f"{match['sy1']}{new.year}"
        elif new.year != int(self.new_year):
            written += f" {new.year}"
        if match["wd"]:
            written += match["wsep"] + _same_case(WEEKDAYS[new.weekday()], match["wd"])
        return written, explicit or self._old_days(date, date)

    def _old_days(self, start, end):
        """Whether a date or range without a year names a day of the old edition that is
        not a day of the new edition."""
        years = int(self.new_year) - int(self.old_year)

        def in_new_year(day):
            try:
                return day.replace(year=day.year + years)
            except ValueError:  # 29 February
                return day.replace(year=day.year + years, day=28)

        return any(
            self.old_start <= day <= self.old_end
            and not self.new_start <= in_new_year(day) <= self.new_end
            for day in (start, end)
        )

    # Values of fields ----------------------------------------------------------------

    def shifted_value(self, field):
        """The new value of a TextField (a str, or the StreamValue of a stream)."""
        value = field.raw
        if isinstance(value, StreamValue):
            block = value.stream_block
            raw = []
            for item in value.raw_data:
                child = block.child_blocks.get(item["type"])
                item = dict(item)
                if isinstance(item.get("value"), str):
                    if isinstance(child, blocks.RichTextBlock):
                        item["value"] = self.shift_html(item["value"])
                    elif isinstance(child, (blocks.CharBlock, blocks.TextBlock)):
                        item["value"] = self.shift(item["value"])
                raw.append(item)
            return StreamValue(block, raw, is_lazy=True)
        return self.shift_html(value) if field.html else self.shift(value)

    def shifted_fields(self, obj, skip=()):
        """{name: new value} of the text fields of `obj` (a page or a row) that the shift
        changes, found from its model (cached) without a query; `skip`: names kept."""
        changed = {}
        for name, html in field_kinds(type(obj)):
            if name in skip:
                continue
            value = getattr(obj, name)
            if isinstance(value, StreamValue):
                new = self.shifted_value(TextField(obj, name, "", "", html, None))
                if list(new.raw_data) != list(value.raw_data):
                    changed[name] = new
            elif value:
                new = self.shift_html(value) if html else self.shift(value)
                if new != value:
                    changed[name] = new
        return changed

    def shift_object(self, obj, skip=()):
        """Shift the text fields of `obj` in place; the names of those changed."""
        changed = self.shifted_fields(obj, skip)
        for name, value in changed.items():
            setattr(obj, name, value)
        return list(changed)


# The text fields of a page --------------------------------------------------------------

PAGE_FIELDS = ("title", "seo_title", "search_description")
# Text fields that hold machine values, not words for a visitor.
MACHINE_NAMES = {"clean_name", "to_address", "from_address", "colour", "color", "slug"}
MACHINE_WORDS = ("phone", "email", "url", "colour", "color", "token", "hash", "path")
TEXT_BLOCKS = (blocks.CharBlock, blocks.TextBlock, blocks.RichTextBlock)


@dataclass
class TextField:
    obj: object  # the specific page, or one of its child rows
    name: str  # the model field's name on obj
    label: str  # for the editor
    anchor: str  # the id of the field's input in the page editor
    html: bool  # rich text?
    page: object  # the page whose editor holds the field

    @property
    def raw(self):
        return getattr(self.obj, self.name)

    @property
    def value(self):
        """The current text (a stream's items one per line)."""
        value = self.raw
        if isinstance(value, StreamValue):
            return "\n".join(
                item["value"] for item in value.raw_data if isinstance(item.get("value"), str)
            )
        return value or ""


def is_text_field(field):
    if isinstance(field, StreamField):
        return field.editable and all(
            isinstance(block, TEXT_BLOCKS) for block in field.stream_block.child_blocks.values()
        )
    if not isinstance(field, (models.CharField, models.TextField)):
        return False
    if isinstance(field, (models.URLField, models.EmailField, models.SlugField)):
        return False
    if not field.editable or field.choices or field.primary_key:
        return False
    name = field.name.lower()
    return name not in MACHINE_NAMES and not any(word in name for word in MACHINE_WORDS)


def model_text_fields(model, own_only=False):
    """The text fields of a model, in the order of its definition; for a page, those of
    its own model (Page's are PAGE_FIELDS)."""
    page_fields = {field.name for field in Page._meta.get_fields()}
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not (own_only and field.name in page_fields)
        and is_text_field(field)
    ]


@functools.cache
def field_kinds(model):
    """(name, rich text?) of each text field of a model: a page's own and Page's title,
    SEO title and description, or a row's."""
    if issubclass(model, Page):
        fields = [(name, False) for name in PAGE_FIELDS]
        fields += [
            (field.name, isinstance(field, RichTextField))
            for field in model_text_fields(model, own_only=True)
        ]
        return tuple(fields)
    return tuple(
        (field.name, isinstance(field, RichTextField)) for field in model_text_fields(model)
    )


def child_relations(model):
    """The child relations (ParentalKey) of a page model, in the order of their models."""
    return [
        relation
        for relation in model._meta.related_objects
        if isinstance(relation.remote_field, ParentalKey)
    ]


def _verbose(field):
    return capfirst(str(field.verbose_name))


def row_name(row):
    """How the editor knows a row: «15:00 «Відкриття…»», «Площа біля бібліотеки»."""
    for attribute in ("title", "label", "name"):
        text = getattr(row, attribute, "") or ""
        if text:
            break
    else:
        text = str(row)
    name = f"«{Truncator(text).chars(40)}»"
    start = getattr(row, "start_time", None)
    if isinstance(start, datetime.time):
        name = f"{start:%H:%M} {name}"
    return name


def page_text_fields(page):
    """The text fields of the page itself (not of its rows)."""
    fields = [
        TextField(page, name, _verbose(Page._meta.get_field(name)), f"id_{name}", False, page)
        for name in PAGE_FIELDS
    ]
    for field in model_text_fields(type(page), own_only=True):
        # A stream's input is its container, whose id is the field's name.
        anchor = field.name if isinstance(field, StreamField) else f"id_{field.name}"
        fields.append(
            TextField(
                page,
                field.name,
                _verbose(field),
                anchor,
                isinstance(field, RichTextField),
                page,
            )
        )
    return fields


def row_kind(page_model, relation):
    """What the page editor calls one row of the relation: its InlinePanel's label
    («Подія», «Поле»), else the model's verbose name."""
    accessor = relation.get_accessor_name()
    panels = [page_model.get_edit_handler()]
    while panels:
        panel = panels.pop()
        if isinstance(panel, InlinePanel) and panel.relation_name == accessor:
            return capfirst(str(panel.label))
        panels += getattr(panel, "children", [])
    return capfirst(str(relation.related_model._meta.verbose_name))


def row_text_fields(page, relation, rows):
    accessor = relation.get_accessor_name()
    model = relation.related_model
    kind = row_kind(type(page), relation)
    names = model_text_fields(model)
    fields = []
    for index, row in enumerate(rows):
        for field in names:
            fields.append(
                TextField(
                    row,
                    field.name,
                    _("%(row)s %(name)s: %(field)s")
                    % {"row": kind, "name": row_name(row), "field": str(field.verbose_name)},
                    f"id_{accessor}-{index}-{field.name}",
                    isinstance(field, RichTextField),
                    page,
                )
            )
    return fields


def text_fields(page):
    """Every text field of a page and of its child rows, as the editor finds them."""
    page = page.specific
    fields = page_text_fields(page)
    for relation in child_relations(type(page)):
        rows = getattr(page, relation.get_accessor_name()).all()
        fields += row_text_fields(page, relation, rows)
    return fields
