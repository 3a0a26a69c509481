"""«Мій розклад»: the sessions a visitor starred, at an address that holds them all
(`…/programme/my/?s=12,15,31`), so it can be shared, bookmarked and rendered without
JavaScript, with its own calendar feed (`…/programme/my/calendar.ics?s=…`).

Nothing is stored on the server: the stars live in the browser's storage
(static/js/starred.js) and the page depends on its query string only, which is part
of the page cache's key, so one visitor's programme is never served to another."""

import re

from django.utils.translation import gettext as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from events.calendar import calendar_response

# At most this many sessions in one programme (more than anyone attends in a week),
# and only the first characters of `?s=` are read: a 10 000-id address costs nothing.
MAX_STARRED = 100
MAX_QUERY_CHARS = MAX_STARRED * 12
# A primary key has at most 9 digits here: larger numbers are no session's, and
# PostgreSQL's integer would refuse them.
SESSION_ID = re.compile(r"[1-9][0-9]{0,8}")


def starred_ids(raw):
    """The session ids of a `?s=` value, in order and without repeats, and whether
    anything in it was dropped (not a number, repeated, past the cap)."""
    raw = raw or ""
    dropped = len(raw) > MAX_QUERY_CHARS
    ids = []
    for part in raw[:MAX_QUERY_CHARS].split(","):
        part = part.strip()
        if not part:
            continue
        if not SESSION_ID.fullmatch(part) or len(ids) >= MAX_STARRED:
            dropped = True
            continue
        value = int(part)
        if value in ids:
            dropped = True
        else:
            ids.append(value)
    return ids, dropped


class StarredProgrammeMixin(RoutablePageMixin):
    """The programme page's «Мій розклад» routes. Expects the page's `days()` (its live
    days with their sessions) and `feed_url()` (FeedRoutesMixin)."""

    def my_programme_url(self, request=None):
        return self.get_url(request) + self.reverse_subpage("my_programme")

    def starred(self, request):
        """The starred days (each with its starred sessions, in programme order) of
        the ids in the query string, and whether some ids were dropped. Ids of
        sessions that are not in this programme's live days are dropped too."""
        ids, dropped = starred_ids(request.GET.get("s"))
        days = []
        if ids:
            days = [day for day in self.days({"pk__in": ids}) if day.sessions.all()]
        found = sum(len(day.sessions.all()) for day in days)
        return days, dropped or found < len(ids), found

    def found_ids(self, days):
        """The ids of the sessions found, in programme order (for the feed's link and
        the button that keeps a shared programme)."""
        return [str(session.pk) for day in days for session in day.sessions.all()]

    @path("my/", name="my_programme")
    def my_programme(self, request):
        days, dropped, found = self.starred(request)
        shared = ",".join(self.found_ids(days))
        calendar_url = f"{self.feed_url('my_calendar', request)}?s={shared}" if found else None
        return self.render(
            request,
            template="pages/my_programme.html",
            context_overrides={
                "days": days,
                "starred_count": found,
                "dropped": dropped,
                "shared_ids": shared,
                "calendar_url": calendar_url,
            },
        )

    @path("my/calendar.ics/", name="my_calendar")
    def my_calendar(self, request):
        days, _dropped, _found = self.starred(request)
        return calendar_response(
            [session for day in days for session in day.sessions.all()],
            name=_("My programme · %(edition)s") % {"edition": self.edition.title},
            filename="my-programme",
            request=request,
            edition=self.edition,
        )
