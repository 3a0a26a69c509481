"""The page's schema.org data as JSON-LD (`{% structured_data %}`): the edition as an
Event with its sessions, a day's, a track's or one session's Events, the programme's
list of Events, the documents page's documents, a form page, or on the home page the
site and its editions. Built by events/structured_data.py from what the page's
context already holds; the programme's other views (changes, the venue screen, «Мій
розклад») give none."""

import json

from django import template
from django.utils.safestring import mark_safe

from documents.models import DocumentsPage
from events.models import DayPage, EditionPage, ProgrammePage, TrackPage
from events.models.form_pages import ParticipationFormPage
from events.structured_data import StructuredData
from home.models import HomePage

register = template.Library()

# As Django's json_script: nothing in the data can close the script element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def rendered_template(context):
    return getattr(getattr(context, "template", None), "name", None)


def data_for(context, site_name):
    request = context["request"]
    page = context.get("page")
    edition = context.get("edition")
    schema = StructuredData(request, site_name)
    if isinstance(page, EditionPage):
        partners = [p for _label, group in context.get("partner_groups", []) for p in group]
        # The edition alone: its sessions are Events on their days, their themes,
        # the programme and their own pages, each pointing to it (superEvent), so
        # that the edition page does not carry every session (issue 18).
        return schema.edition_page(
            page, venues=context.get("venues", []), partners=partners, days=[]
        )
    if isinstance(page, HomePage):
        return schema.home_page(page, editions=context.get("editions", []))
    if edition is None:
        return None
    if isinstance(page, DayPage) and context.get("session") is not None:
        return schema.sessions_page([context["session"]], edition=edition)
    if isinstance(page, DayPage | TrackPage):
        return schema.sessions_page(context.get("sessions", []), edition=edition)
    if isinstance(page, ProgrammePage) and rendered_template(context) == page.template:
        return schema.programme_page(page, edition=edition, days=context.get("days", []))
    if isinstance(page, DocumentsPage):
        return schema.documents_page(page, edition=edition, documents=context.get("documents", []))
    if isinstance(page, ParticipationFormPage):
        return schema.form_page(page, edition=edition)
    return None


@register.simple_tag(takes_context=True, name="structured_data")
def structured_data_script(context, site_name):
    """The page's schema.org data in a <script type="application/ld+json">, or nothing
    for a page that has none."""
    data = data_for(context, site_name)
    if not data:
        return ""
    return json_ld(data)
