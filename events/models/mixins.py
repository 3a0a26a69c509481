"""What several page types share: feeds under their address, an address computed
once, and belonging to an edition. The page types are in edition.py, tracks.py and
programme.py; this module imports none of them."""

from functools import cached_property

from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.coreutils import resolve_model_string

from events.calendar import calendar_response


class FeedRoutesMixin(RoutablePageMixin):
    """A page with files of its own under its address (…/calendar.ics,
    …/schedule.json): routes whose address ends with the file name."""

    def feed_url(self, name, request=None, **kwargs):
        """The address of a feed route. Wagtail hands routes their path with a "/"
        appended, so feed routes are declared as "….ics/"; their address has none."""
        return self.get_url(request) + self.reverse_subpage(name, kwargs=kwargs).rstrip("/")


class CalendarFeedMixin(FeedRoutesMixin):
    """A page with an iCalendar feed of its sessions at `calendar.ics`, advertised in
    its head and offered as a link (`calendar_url` in the context)."""

    def calendar_sessions(self):
        raise NotImplementedError

    def calendar_name(self):
        return self.title

    @path("calendar.ics/", name="calendar")
    def calendar_feed(self, request):
        return calendar_response(
            self.calendar_sessions(),
            name=self.calendar_name(),
            filename=self.slug,
            request=request,
            edition=self.edition,
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["calendar_url"] = self.feed_url("calendar", request)
        return context


class CachedUrlMixin:
    """For pages whose address is read many times in one listing (every session links
    its day and its track): computed once per instance."""

    @cached_property
    def url(self):
        return self.get_url()


class EditionChildMixin:
    """For pages inside an edition: they know their edition and show its navigation."""

    @cached_property
    def edition(self):
        # By name: the edition's module imports this one.
        edition_page = resolve_model_string("events.EditionPage")
        return edition_page.objects.ancestor_of(self).select_related("hero_image").last()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["edition"] = self.edition
        return context
