"""The page's schema.org data as JSON-LD (`{% structured_data %}`): the edition as an
Event with its sessions, a day's, a track's or one session's Events, or on the home
page the series of editions. Built by events/structured_data.py from what the page's
context already holds."""

import json

from django import template
from django.utils.safestring import mark_safe

from events import structured_data
from events.models import DayPage, EditionPage, TrackPage
from home.models import HomePage

register = template.Library()

# As Django's json_script: nothing in the data can close the script element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def data_for(context, site_name):
    request = context["request"]
    page = context.get("page")
    edition = context.get("edition")
    if isinstance(page, EditionPage):
        partners = [p for _label, group in context.get("partner_groups", []) for p in group]
        return structured_data.edition_event(
            page,
            request,
            venues=context.get("venues", []),
            partners=partners,
            days=context.get("days", []),
        )
    if isinstance(page, DayPage) and context.get("session") is not None:
        return structured_data.session_page_event(
            context["session"], request, day=page, edition=edition
        )
    if isinstance(page, DayPage | TrackPage):
        return structured_data.part_events(context.get("sessions", []), request, edition=edition)
    if isinstance(page, HomePage):
        return structured_data.home_series(
            page, request, name=site_name, editions=context.get("editions", [])
        )
    return None


@register.simple_tag(takes_context=True, name="structured_data")
def structured_data_script(context, site_name):
    """The page's schema.org data in a <script type="application/ld+json">, or nothing
    for a page that has none."""
    data = data_for(context, site_name)
    if not data:
        return ""
    return json_ld(data)
