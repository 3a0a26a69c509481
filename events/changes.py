"""The change log of a programme: what changed in a published day's sessions when the
day was published again (time, venue, status, title), and the Atom feed of those
changes. Plain functions over sessions and change rows; the `SessionChange` model and
the routes that use them are in events/models/programme.py."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from events.calendar import site_hostname
from home.dates import format_date, format_time, format_time_range
from home.site_url import absolute_url

# The fields whose change is recorded, as (field of the snapshot, name in the log).
TRACKED = ("start_time", "end_time", "venue_id", "status", "title")


def snapshot(sessions, main_venue_id):
    """The tracked fields of each session, by primary key. An empty venue is the main
    venue (`Session.place`), so choosing the main venue explicitly is no change."""
    return {
        session.pk: {
            "start_time": session.start_time,
            "end_time": session.end_time,
            "venue_id": session.venue_id or main_venue_id,
            "status": session.status,
            "title": session.title,
            "status_note": session.status_note,
        }
        for session in sessions
    }


def differences(before, after):
    """(session id, old values, new values) for each session present in both
    snapshots whose tracked fields differ, and (session id, old values, None) for each
    session deleted from the day: it was published, so its removal is news to whoever
    planned to come. A new session is no change (it was not published before)."""
    for pk, old in before.items():
        new = after.get(pk)
        if new is None:
            yield pk, old, None
        elif any(old[field] != new[field] for field in TRACKED):
            yield pk, old, new


def change_parts(change):
    """What changed, each in a few plain words: «Перенесено з 15:00 на 16:00»,
    «Скасовано»… (the changes page lists them; the feed joins them)."""
    if change.removed:
        return [_("Removed from the programme")]
    parts = []
    if change.old_status != change.new_status:
        status = str(capfirst(change.new_status_label))
        if change.old_status != "planned":
            status += " (" + _("was: %(old)s") % {"old": change.old_status_label} + ")"
        parts.append(status)
    if change.old_start_time != change.new_start_time:
        parts.append(
            _("Moved from %(old)s to %(new)s")
            % {"old": format_time(change.old_start_time), "new": format_time(change.new_start_time)}
        )
    elif change.old_end_time != change.new_end_time:
        parts.append(
            _("Ends at %(new)s instead of %(old)s")
            % {"old": format_time(change.old_end_time), "new": format_time(change.new_end_time)}
        )
    if change.old_venue_id != change.new_venue_id:
        parts.append(
            _("Venue: %(old)s → %(new)s")
            % {
                "old": change.old_venue.name if change.old_venue else "—",
                "new": change.new_venue.name if change.new_venue else "—",
            }
        )
    if change.old_title != change.new_title:
        parts.append(_("Was called «%(old)s»") % {"old": change.old_title})
    return parts


def change_summary(change):
    return "; ".join(change_parts(change))


class ChangesFeed(Feed):
    """The Atom feed of a programme's changes, newest first. Made per request with the
    programme and its changes (fetched by the caller in a bounded number of queries)."""

    feed_type = Atom1Feed

    def __init__(self, programme, changes, page_url):
        super().__init__()
        self.programme = programme
        self.changes = changes
        self.page_url = page_url

    def __call__(self, request, *args, **kwargs):
        self.hostname = site_hostname(request)
        # The feed's own address (rel="self"), which Django's Feed would put on the
        # request's host.
        self.self_url = absolute_url(request.path, request)
        return super().__call__(request, *args, **kwargs)

    def feed_url(self, programme):
        return self.self_url

    def get_object(self, request, *args, **kwargs):
        return self.programme

    def title(self, programme):
        return _("Programme changes · %(edition)s") % {"edition": programme.edition.title}

    def link(self, programme):
        return self.page_url

    def subtitle(self, programme):
        return _("Times, venues and cancellations changed after publication.")

    def author_name(self, programme):
        return programme.edition.title

    def feed_guid(self, programme):
        return f"tag:{self.hostname},2017:programme-{programme.pk}/changes"

    def items(self, programme):
        return self.changes

    def item_title(self, change):
        return f"{change.new_title}: {change_summary(change)}"

    def item_description(self, change):
        day = format_date(change.day.date)
        text = f"{day}, {format_time_range(change.new_start_time, change.new_end_time)}. "
        text += change_summary(change) + "."
        if change.note:
            text += " " + change.note
        return text

    def item_link(self, change):
        return change.link

    def item_guid(self, change):
        return f"tag:{self.hostname},2017:session-change-{change.pk}"

    def item_guid_is_permalink(self, change):
        return False

    def item_pubdate(self, change):
        return change.published_at

    def item_updateddate(self, change):
        return change.published_at
