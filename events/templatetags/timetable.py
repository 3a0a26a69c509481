"""A day's sessions as the programme, a day, a theme, «Мій розклад» and the embed
show them (`{% timetable sessions %}`): one compact row per session, built here in
Python rather than by an include per session and per part of it. At ten times
Lviv's programme (1,440 sessions) the includes cost 84 % of the page's time and the
rows most of its bytes (issue 18); benchmarks/render_profile.py measures both.

A row: the time (a <time> element), the title as a heading linked to the session's
page (which has the description and hosts), the status when it is not simply
planned (components/session_status.html says the same on the session's page), the
kind, the theme's colour (the row's `track-<id>` class and a swatch) and name, and
the venue (`session.where`, its Session.place(), set by the page's context) with
the spot. A cancelled session's title is struck through."""

from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from home import dates

register = template.Library()


def session_status(session):
    """«Скасовано» or «Змінено», what changed and the editor's note; "" when planned."""
    moved_from = getattr(session, "moved_from", None)
    if session.status == "planned" and not moved_from:
        return ""
    parts = []
    if session.status != "planned":
        label = esc(capfirst(session.status_label))
        parts.append(f'<strong class="session__status-label">{label}</strong>')
    if moved_from and not session.is_cancelled:
        moved = gettext("Moved from %(time)s") % {"time": moved_from.strftime("%H:%M")}
        parts.append(f"<span>{esc(moved)}</span>")
    if session.status_note:
        parts.append(f"<span>{esc(session.status_note)}</span>")
    status = esc(session.status)
    return f'<p class="session__status session__status--{status}">{" ".join(parts)}</p>'


def session_row(session, *, words, heading="h3", show_track=True):
    """One session's <li>; `words` are the row's translated labels, read once."""
    track = session.track if show_track else None
    classes = "session"
    if session.kind == "break":
        classes += " session--break"
    if session.is_cancelled:
        classes += " session--cancelled"
    if track is not None:
        classes += f" track-{track.pk}"
    title = esc(session.title)
    if session.is_cancelled:
        title = f"<s>{title}</s>"
    start = session.start_time
    moment = f"{session.page.date:%Y-%m-%d}T{start:%H:%M}"
    meta = [f'<span class="session__kind">{esc(capfirst(session.kind_label))}</span>']
    if track is not None:
        meta.append(
            f'<span class="visually-hidden">{words["theme"]}</span> <span class="track-label">'
            f'<span class="swatch"></span>{esc(track.title)}</span>'
        )
    venue = getattr(session, "where", None) or session.venue
    if venue or session.spot:
        where = ", ".join(esc(part) for part in (venue.name if venue else "", session.spot) if part)
        meta.append(
            f'<span class="session__where"><span class="visually-hidden">{words["where"]}</span>'
            f" {where}</span>"
        )
    return (
        f'<li class="{classes}" id="session-{session.pk}" data-session-id="{session.pk}">'
        f'<time class="session__time" datetime="{moment}">'
        f"{esc(dates.format_time_range(start, session.end_time))}</time>"
        f'<{heading} class="session__title"><a href="{esc(session.url)}">{title}</a></{heading}>'
        f"{session_status(session)}"
        f'<p class="session__meta">{" ".join(meta)}</p></li>'
    )


@register.simple_tag
def timetable(sessions, heading="h3", show_track=True):
    """The sessions of one day in time order as an <ol class="timetable">, or a note
    that they are not announced yet. `heading`: the titles' tag; `show_track`: the
    theme's colour and name (not on the theme's own page)."""
    sessions = list(sessions)
    if not sessions:
        return mark_safe(  # noqa: S308 - a translation of ours, escaped
            f"<p>{esc(gettext('The programme of this day will be announced soon.'))}</p>"
        )
    words = {"theme": esc(gettext("Theme:")), "where": esc(gettext("Where") + ":")}
    rows = "".join(
        session_row(session, words=words, heading=heading, show_track=show_track)
        for session in sessions
    )
    return mark_safe(f'<ol class="timetable">{rows}</ol>')  # noqa: S308 - escaped above
