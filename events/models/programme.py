"""The programme of an edition: a programme page, one page per day, and the day's
sessions edited inline on it."""

import collections
import datetime
import functools
import operator
import re
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import model_from_serializable_data
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin
from wagtail.signals import page_published

from cms.search import index_in_bulk
from events.api_fields import (
    LocalDateTimeField,
    SessionChangesField,
    TrackSummaryField,
    VenueSummaryField,
)
from events.calendar import calendar_response
from events.changes import ChangesFeed, change_parts, differences, snapshot
from events.exports import frab_response, frab_xml_response, programme_csv
from events.filters import ProgrammeFilterForm
from events.indexing import references_indexed_once
from home.panels import InlinePanel
from home.site_url import absolute_url

from .edition import EditionPage, Venue
from .embed import EmbeddableProgrammeMixin
from .mixins import CachedUrlMixin, CalendarFeedMixin, EditionChildMixin, FeedRoutesMixin
from .starred import StarredProgrammeMixin
from .tracks import TrackPage

KYIV = ZoneInfo(settings.TIME_ZONE)
VENUE_SCREEN_REFRESH = 60  # seconds between two reloads of the venue screen


def _fresh_while_happening(response):
    """A page showing «Зараз/Далі» is kept by the page cache (and a CDN) for a minute
    at most, so that «now» stays now."""
    if (getattr(response, "context_data", None) or {}).get("happening"):
        patch_cache_control(response, max_age=VENUE_SCREEN_REFRESH)
    return response


def _first_to_start(sessions):
    """Of sessions still to come, those that start first (several may start at once)."""
    first_start = min((s.start_time for s in sessions), default=None)
    return [s for s in sessions if s.start_time == first_start]


class ProgrammePage(
    EditionChildMixin, StarredProgrammeMixin, EmbeddableProgrammeMixin, FeedRoutesMixin, Page
):
    """The whole programme of an edition, day by day. Its children are the days. Its
    open data: the frab schedule as JSON (`schedule.json`) and XML (`schedule.xml`),
    and a CSV (`programme.csv`);
    its change log: `changes/` and its Atom feed `changes.atom`."""

    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["events.EditionPage"]
    subpage_types = ["events.DayPage"]
    max_count_per_parent = 1
    template = "pages/programme_page.html"

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [
        APIField("intro"),
        APIField("changes", serializer=SessionChangesField(source="*")),
    ]

    # The change log's page and feed show the latest changes, at most this many.
    CHANGES_SHOWN = 200

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def live_days(self):
        return DayPage.objects.child_of(self).live().public().order_by("date")

    def days(self, session_lookups=None):
        """The live days in date order, with their sessions (those matching the
        lookups, if given) and their tracks and venues fetched: three queries."""
        sessions = (
            Session.objects.filter(**(session_lookups or {})).select_related("venue").with_changes()
        )
        days = list(self.live_days().prefetch_related(Prefetch("sessions", queryset=sessions)))
        # The edition's tracks are loaded already: share them (and their cached
        # addresses) rather than a copy per session. A track that is not live is
        # not shown.
        edition = self.edition
        tracks = {track.pk: track for track in edition.tracks}
        for day in days:
            for session in day.sessions.all():
                if session.track_id:
                    session.track = tracks.get(session.track_id)
                session.where = session.place(edition)
        return days

    def filtered_days(self, request):
        """The days for the programme page and its filter form, from the query string.
        Values that match nothing in the programme are ignored (the form says so)."""
        days = self.days()
        edition = self.edition
        form = ProgrammeFilterForm(
            request.GET,
            days=days,
            tracks=edition.tracks,
            kinds=[
                (kind, label)
                for kind, label in Session.Kind.choices
                if any(s.kind == kind for day in days for s in day.sessions.all())
            ],
            venues=edition.venues.all(),
        )
        if lookups := form.session_lookups():
            days = [day for day in self.days(lookups) if day.sessions.all()]
        if form.chosen_day:
            days = [day for day in days if day.date == form.chosen_day]
        return form, days

    def get_cached_paths(self):
        """Its own addresses (home/freshness.py): the page, the embed, the venue
        screen, the change log and its feed, the frab files, the CSV, «Мій розклад»."""
        routes = ["now", "changes", "changes_atom", "frab", "frab_xml", "csv"]
        routes += ["my_programme", "my_calendar"]
        paths = [self.reverse_subpage(name) for name in routes]
        # A file's route ("changes.atom/") is served without its slash (FeedRoutesMixin).
        files = [path.rstrip("/") if "." in path else path for path in paths]
        return [*super().get_cached_paths(), *files]

    def get_showing_pages(self):
        """The edition (its programme) and the home page."""
        return list(self.get_ancestors().filter(depth__gt=1))

    def shows_now_and_next(self, today, context=None):
        """During the event days (home/freshness.py keeps it a minute at most then)."""
        edition = self.edition
        return edition is not None and edition.shows_now_and_next(today)

    def now_and_next(self, moment=None, venue=None):
        """During an event day: the sessions going on now and the ones starting next
        (Europe/Kyiv time), for the whole programme and per venue (`venues`: each of
        the edition's venues with its own now and next, or only `venue` if given).
        Each session carries `where`, its `Session.place()`. None on any other day."""
        moment = timezone.localtime(moment)
        today = self.live_days().filter(date=moment.date()).first()
        if today is None:
            return None
        edition = self.edition
        all_venues = list(edition.venues.all())
        if "main_venue" not in edition.__dict__:
            # The first of them (EditionPage.main_venue), without asking again.
            edition.main_venue = all_venues[0] if all_venues else None
        sessions = list(today.sessions.select_related("track", "venue"))
        for session in sessions:
            session.where = session.place(edition)
        time = moment.time()
        going_on = [s for s in sessions if s.start_time <= time < s.end_time]
        later = [s for s in sessions if s.start_time > time]
        venues = [venue] if venue is not None else all_venues
        return {
            "day": today,
            "moment": moment,
            "now": going_on,
            "next": _first_to_start(later),
            "venues": [
                {
                    "venue": place,
                    "now": [s for s in going_on if s.where == place],
                    "next": _first_to_start([s for s in later if s.where == place]),
                }
                for place in venues
            ],
        }

    def serve(self, request, *args, **kwargs):
        return _fresh_while_happening(super().serve(request, *args, **kwargs))

    @path("now/", name="now")
    def venue_screen(self, request):
        """The screen at a pavilion: now and next at each venue (or one, `?venue=`),
        in large type, reloading itself every minute (a meta refresh, no JavaScript).
        An unknown venue is ignored: the screen shows every venue and says so."""
        edition = self.edition
        chosen = None
        ignored = None
        if value := request.GET.get("venue", "").strip():
            chosen = next((v for v in edition.venues.all() if str(v.pk) == value), None)
            if chosen is None:
                ignored = value[:50]
        response = self.render(
            request,
            template="pages/venue_screen.html",
            context_overrides={
                "happening": self.now_and_next(venue=chosen),
                "chosen_venue": chosen,
                "ignored_venue": ignored,
                "refresh_seconds": VENUE_SCREEN_REFRESH,
            },
        )
        # The page cache (and a CDN) may keep it for less than a refresh only.
        patch_cache_control(response, max_age=VENUE_SCREEN_REFRESH // 2)
        return response

    def recent_changes(self):
        """The recorded changes of the live days' sessions, newest first, with what
        the page, the feed and the API show fetched: one query."""
        return list(
            SessionChange.objects.filter(day__in=self.live_days())
            .select_related("day", "session", "old_venue", "new_venue")
            .order_by("-published_at", "-pk")[: self.CHANGES_SHOWN]
        )

    @classmethod
    def recent_changes_of(cls, programmes):
        """`recent_changes()` of several programmes (an API listing) in one query: a
        dict by programme id."""
        programmes = list(programmes)
        if not programmes:
            return {}
        days = (
            DayPage.objects.live()
            .public()
            .filter(
                functools.reduce(
                    operator.or_,
                    (Q(path__startswith=p.path, depth=p.depth + 1) for p in programmes),
                )
            )
        )
        changes = {programme.pk: [] for programme in programmes}
        by_path = {programme.path: programme.pk for programme in programmes}
        for change in (
            SessionChange.objects.filter(day__in=days)
            .select_related("day", "session", "old_venue", "new_venue")
            .order_by("-published_at", "-pk")
        ):
            shown = changes[by_path[change.day.path[: -Page.steplen]]]
            if len(shown) < cls.CHANGES_SHOWN:
                shown.append(change)
        return changes

    def change_link(self, change, request):
        """The session's page; the day's, for a session no longer in it."""
        if change.session_id:
            change.session.page = change.day
            return change.session.get_url(request)
        return change.day.get_url(request)

    @path("changes/", name="changes")
    def changes_page(self, request):
        changes = self.recent_changes()
        for change in changes:
            change.link = self.change_link(change, request)
        # The page's context without the programme's own (its days and filters).
        context = super().get_context(request)
        context.update(changes=changes, atom_url=self.feed_url("changes_atom", request))
        return TemplateResponse(request, "pages/changes_page.html", context)

    @path("changes.atom/", name="changes_atom")
    def changes_atom(self, request):
        changes = self.recent_changes()
        for change in changes:
            change.link = absolute_url(self.change_link(change, request), request)
        page_url = absolute_url(self.get_url(request) + self.reverse_subpage("changes"), request)
        return ChangesFeed(self, changes, page_url)(request)

    @path("schedule.json/", name="frab")
    def frab_schedule(self, request):
        return frab_response(self, request)

    @path("schedule.xml/", name="frab_xml")
    def frab_xml_schedule(self, request):
        return frab_xml_response(self, request)

    @path("programme.csv/", name="csv")
    def programme_csv(self, request):
        return programme_csv(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form, days = self.filtered_days(request)
        edition = context["edition"]
        happening = self.now_and_next()
        today = happening["day"].date if happening else None
        for day in days:
            # On an event day the days before it are folded away, today's is marked.
            day.is_today = day.date == today
            day.is_past = today is not None and day.date < today
        context.update(
            days=days,
            today=today,
            filter_form=form,
            happening=happening,
            venue_screen_url=self.url + self.reverse_subpage("now"),
            calendar_url=edition.feed_url("calendar", request),
            frab_url=self.feed_url("frab", request),
            frab_xml_url=self.feed_url("frab_xml", request),
            csv_url=self.feed_url("csv", request),
            changes_url=self.get_url(request) + self.reverse_subpage("changes"),
            changes_atom_url=self.feed_url("changes_atom", request),
        )
        return context


class ReadOnce:
    """The options of a choice field that every session form of a day offers (the
    edition's tracks, its venues), read with one query for the whole formset: Django
    gives each form's ModelChoiceField a queryset of its own, which it reads again to
    draw the options and again to check the answer, two queries a field a session.
    `check_with()` only checks the answers (read when the first is checked): the
    sessions' hidden ids, which Django looks up one query a form."""

    def __init__(self, queryset):
        self.queryset = queryset

    @cached_property
    def objects(self):
        return {str(item.pk): item for item in self.queryset}

    def give_to(self, field):
        field.queryset = self.queryset  # what it stands for (not read again)
        options = [(pk, field.label_from_instance(item)) for pk, item in self.objects.items()]
        if field.empty_label is not None:
            options.insert(0, ("", field.empty_label))
        field.choices = options
        self.check_with(field)

    def check_with(self, field):
        def to_python(value):
            if value in field.empty_values:
                return None
            key = str(value.pk if isinstance(value, models.Model) else value)
            if key not in self.objects:
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
            return self.objects[key]

        field.to_python = to_python


def _posted_ids(formset):
    """The ids that a bound formset's rows post back (those that are numbers)."""
    if not formset.is_bound:
        return []
    row_id = re.compile(rf"{re.escape(formset.prefix)}-\d+-{formset.model._meta.pk.name}")
    return [
        int(value)
        for key, value in formset.data.items()
        if row_id.fullmatch(key) and isinstance(value, str) and value.isdigit()
    ]


class DayPageForm(WagtailAdminPageForm):
    """Limits each session's track and venue to those of the day's own edition, keeps
    the day inside the edition's dates, and one day per date in the programme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = self._find_edition()
        sessions = self.formsets.get("sessions")
        if sessions is None or self.edition is None:
            return
        tracks = ReadOnce(TrackPage.objects.child_of(self.edition).order_by("path"))
        venues = ReadOnce(Venue.objects.filter(edition=self.edition))
        main_venue = self.edition.main_venue
        # The posted sessions, for the rows' hidden ids: all of them at the first check.
        posted = ReadOnce(Session.objects.filter(pk__in=_posted_ids(sessions)))
        base_form = sessions.form

        class SessionForm(base_form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                track = self.fields["track"]
                tracks.give_to(track)
                track.error_messages["invalid_choice"] = _(
                    "Choose one of the tracks of this edition."
                )
                venue = self.fields["venue"]
                venues.give_to(venue)
                venue.error_messages["invalid_choice"] = _(
                    "Choose one of the venues of this edition."
                )
                if self.instance.pk is None and main_venue is not None:
                    venue.initial = main_venue.pk
                if "status" in self.fields:
                    self.fields["status"].required = False

            def full_clean(self):
                # The formset adds the id field after __init__.
                if (pk := self.fields.get(Session._meta.pk.name)) is not None:
                    posted.check_with(pk)
                super().full_clean()

            def _get_validation_exclusions(self):
                # The track and venue are those that ReadOnce read, or the main venue:
                # the model need not check again, a query each, that they exist.
                return super()._get_validation_exclusions() | {"track", "venue"}

            def clean_venue(self):
                return self.cleaned_data.get("venue") or main_venue

            def clean_status(self):
                # A form without the field (an older page, a script) keeps it planned.
                return self.cleaned_data.get("status") or Session.Status.PLANNED

        # Forms are built lazily, so every form (and the empty template) uses this class.
        sessions.form = SessionForm

    def _programme(self):
        return self.instance.get_parent() if self.instance.pk else self.parent_page

    def _find_edition(self):
        parent = self._programme()
        if parent is None:
            return None
        return EditionPage.objects.ancestor_of(parent, inclusive=True).last()

    def _other_day_on(self, day):
        programme = self._programme()
        if programme is None:
            return None
        others = DayPage.objects.child_of(programme).exclude(pk=self.instance.pk)
        return others.filter(date=day).first()

    def clean(self):
        cleaned_data = super().clean()
        day = cleaned_data.get("date")
        edition = self.edition
        if day and edition and not edition.start_date <= day <= edition.end_date:
            self.add_error(
                "date",
                _("This day is outside the edition's dates (%(start)s – %(end)s).")
                % {
                    "start": edition.start_date.strftime("%d.%m.%Y"),
                    "end": edition.end_date.strftime("%d.%m.%Y"),
                },
            )
        elif day and (other := self._other_day_on(day)):
            # Its sessions belong on that day; two days of one date break the rollover.
            self.add_error(
                "date",
                _("The programme already has a day on %(date)s: «%(title)s».")
                % {"date": day.strftime("%d.%m.%Y"), "title": other.title},
            )
        return cleaned_data


def _with_existing_references(model, rows):
    """Serialised rows of `model` (a revision's) as django-modelcluster's check of their
    foreign keys leaves them, with one query a key instead of one a key and row: a row
    whose CASCADE key points at nothing is left out, a SET_NULL key emptied."""
    rows = [dict(row) for row in rows]
    for field in model._meta.concrete_fields:
        if not field.many_to_one:
            continue
        name = field.remote_field.field_name
        target = field.related_model._meta.get_field(name)
        wanted = {
            row[field.name]: target.to_python(row[field.name])
            for row in rows
            if row.get(field.name) is not None
        }
        found = (
            set(
                field.related_model._default_manager.filter(
                    **{f"{name}__in": set(wanted.values())}
                ).values_list(name, flat=True)
            )
            if wanted
            else set()
        )
        gone = {value for value, clean in wanted.items() if clean not in found}
        if not gone:
            continue
        if field.remote_field.on_delete is models.CASCADE:
            rows = [row for row in rows if row.get(field.name) not in gone]
        elif field.remote_field.on_delete is not models.DO_NOTHING:
            for row in rows:
                if row.get(field.name) in gone:
                    row[field.name] = None
    return rows


class DayPage(CachedUrlMixin, EditionChildMixin, CalendarFeedMixin, Page):
    """One day of the programme, with its sessions in time order."""

    date = models.DateField(_("date"))
    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["events.ProgrammePage"]
    subpage_types = []
    template = "pages/day_page.html"
    base_form_class = DayPageForm

    api_fields = [APIField("date"), APIField("intro"), APIField("sessions")]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.FilterField("date"),
        # The sessions are indexed on their own (Session.search_fields): a search
        # leads to the session's page, not to its day.
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        InlinePanel(
            "sessions",
            heading=_("Sessions"),
            label=_("Session"),
            add_label=_("Add a session"),
            help_text=_("Sessions are shown in the order of their start time."),
        ),
    ]

    class Meta:
        verbose_name = _("programme day")
        verbose_name_plural = _("programme days")

    def calendar_sessions(self):
        return self.sessions.for_calendar()

    def save(self, *args, **kwargs):
        """A full save of a day that is live (the one Wagtail's publish makes, from
        the admin, the workflow, the scheduler or `publish_edition`) first notes its
        live sessions, so that `record_session_changes` can compare them with the
        published ones. A first publication is not a change."""
        if self.pk and kwargs.get("update_fields") is None:
            self._live_sessions = self.live_sessions_snapshot()
        # Each session saved would index the day's references again, and itself in the
        # search index (`_index_session`), some ten queries a session: both are done
        # once for the whole day when it is saved. django-modelcluster would save the
        # sessions one by one: `_commit_sessions` writes them in bulk.
        pending = getattr(self, "_cluster_related_objects", {})
        sessions = pending.pop("sessions", None) if kwargs.get("update_fields") is None else None
        self._sessions_to_index = []
        try:
            with references_indexed_once():
                result = super().save(*args, **kwargs)
                if sessions is not None:
                    self._commit_sessions(sessions)
            indexed = self._sessions_to_index
        except BaseException:
            if sessions is not None:  # nothing lost: the day keeps its edited sessions
                self._cluster_related_objects["sessions"] = sessions
            raise
        finally:
            del self._sessions_to_index
        index_in_bulk(Session, indexed)
        return result

    def _commit_sessions(self, sessions):
        """What django-modelcluster's commit of the day's sessions does (the rows not
        among `sessions` deleted, the others saved), with one query for all updated
        and one for all new, not one a session. A session with an id the database no
        longer holds (a revision's, deleted since) is saved again under it, as there."""
        saved = set(Session.objects.filter(page=self).values_list("pk", flat=True))
        if removed := saved - {session.pk for session in sessions}:
            Session.objects.filter(pk__in=removed).delete()
        for session in sessions:
            session.page = self
        existing = [session for session in sessions if session.pk in saved]
        new = [session for session in sessions if session.pk is None]
        again = [
            session for session in sessions if session.pk is not None and session not in existing
        ]
        fields = [field.name for field in Session._meta.concrete_fields if not field.primary_key]
        Session.objects.bulk_update(existing, fields)
        if connection.features.can_return_rows_from_bulk_insert:
            Session.objects.bulk_create(new)
        else:
            again += new
        for session in again:
            session.save()  # `_index_session` notes it
        if self.live:
            self._sessions_to_index += [*existing, *(s for s in new if s not in again)]

    @classmethod
    def from_serializable_data(cls, data, check_fks=True, strict_fks=False):
        """A version of the day (a revision as it is published, previewed or compared)
        with its sessions' day, track and venue checked with one query each, not three
        queries a session as django-modelcluster does, to the same effect: a session
        of a deleted day is left out, a deleted track or venue emptied."""
        rows = data.get("sessions")
        if not check_fks or not rows:
            return super().from_serializable_data(data, check_fks, strict_fks)
        day = super().from_serializable_data(
            {key: value for key, value in data.items() if key != "sessions"},
            check_fks,
            strict_fks,
        )
        if day is not None:
            day.sessions = [
                model_from_serializable_data(Session, row, check_fks=False)
                for row in _with_existing_references(Session, rows)
            ]
        return day

    def live_sessions_snapshot(self):
        """The tracked fields of the day's sessions as the database holds them, if the
        day is live there; else None."""
        if not DayPage.objects.filter(pk=self.pk, live=True).exists():
            return None
        main_venue = self.edition.main_venue if self.edition else None
        return snapshot(
            Session.objects.filter(page_id=self.pk), main_venue.pk if main_venue else None
        )

    def get_cached_paths(self):
        """Its own addresses (home/freshness.py): the page, its calendar, each of its
        sessions' page and calendar (those in the database: a publication reads them
        before and after)."""
        paths = ["/", self.reverse_subpage("calendar").rstrip("/")]
        for pk in Session.objects.filter(page_id=self.pk).values_list("pk", flat=True):
            paths.append(self.session_path(pk))
            paths.append(
                self.reverse_subpage("session_calendar", kwargs={"session_id": pk}).rstrip("/")
            )
        return paths

    def get_showing_pages(self):
        """The programme, the edition, the home page and the tracks of its sessions."""
        tracks = Session.objects.filter(page_id=self.pk, track__isnull=False)
        return [
            *self.get_ancestors().filter(depth__gt=1),
            *TrackPage.objects.filter(pk__in=tracks.values("track_id")).live(),
        ]

    def shows_now_and_next(self, today, context=None):
        """During the event days every day shows «Зараз/Далі» (its `get_context`)."""
        edition = self.edition
        return edition is not None and edition.shows_now_and_next(today)

    def session_path(self, session_id):
        """A session's own page, under the day's address: «sessions/<id>/». The route
        is reversed once per day (a programme links every session)."""
        if self._session_path is None:
            marker = 987654321  # an id that the rest of the route cannot contain
            path = self.reverse_subpage("session", kwargs={"session_id": marker})
            self._session_path = path.replace(str(marker), "{}", 1)
        return self._session_path.format(int(session_id))

    _session_path = None

    def serve(self, request, *args, **kwargs):
        return _fresh_while_happening(super().serve(request, *args, **kwargs))

    def get_sitemap_urls(self, request=None):
        """The day and each of its sessions' own pages."""
        urls = super().get_sitemap_urls(request)
        if not urls:
            return urls
        day_url, lastmod = urls[0]["location"], urls[0]["lastmod"]
        return [
            *urls,
            *(
                {
                    "location": day_url + self.session_path(pk),
                    "lastmod": lastmod,
                }
                for pk in self.sitemap_session_ids(request)
            ),
        ]

    def sitemap_session_ids(self, request=None):
        """The day's session ids, in programme order. The sitemap asks every day: the
        ids of all live days' sessions are read once for the request."""
        if request is None:
            return list(self.sessions.values_list("pk", flat=True))
        by_day = getattr(request, "_sitemap_session_ids", None)
        if by_day is None:
            by_day = collections.defaultdict(list)
            rows = Session.objects.filter(page__live=True).values_list("page_id", "pk")
            for day_id, pk in rows:
                by_day[day_id].append(pk)
            request._sitemap_session_ids = by_day
        return by_day.get(self.pk, [])

    def calendar_name(self):
        return f"{self.title} · {self.edition.title}"

    @path("sessions/<int:session_id>/", name="session")
    def session_page(self, request, session_id):
        session = get_object_or_404(
            self.sessions.select_related("track", "venue").with_changes(), pk=session_id
        )
        return self.render(
            request,
            template="pages/session_page.html",
            context_overrides={
                "session": session,
                "calendar_url": session.get_calendar_url(request),
            },
        )

    @path("sessions/<int:session_id>/calendar.ics/", name="session_calendar")
    def session_calendar(self, request, session_id):
        session = get_object_or_404(self.sessions.for_calendar(), pk=session_id)
        return calendar_response(
            [session],
            name=session.title,
            filename=session.title,
            request=request,
            edition=self.edition,
        )

    def displayed_sessions(self):
        """The day's sessions in programme order, each with its recorded changes
        (`SessionQuerySet.with_changes`). In a preview (of the edit form or of an older
        version) they are the day's sessions in memory, not a query: those already saved
        take what the database recorded of them, a new one has no changes yet."""
        sessions = self.sessions.all()
        if isinstance(sessions, models.QuerySet):
            return list(sessions.select_related("track", "venue").with_changes())
        recorded = (
            Session.objects.filter(pk__in=[session.pk for session in sessions if session.pk])
            .with_changes()
            .in_bulk()
        )
        for session in sessions:
            saved = recorded.get(session.pk)
            session.sequence = saved.sequence if saved else 0
            session.moved_from = saved.moved_from if saved else None
        models.prefetch_related_objects(sessions, "track", "venue")  # as select_related
        return sorted(sessions, key=lambda session: (session.start_time, session.end_time))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        other_days = DayPage.objects.sibling_of(self, inclusive=False).live().public()
        edition = self.edition
        sessions = self.displayed_sessions()
        for session in sessions:
            session.where = session.place(edition)
        programme = None
        if edition.start_date <= timezone.localdate() <= edition.end_date:
            programme = ProgrammePage.objects.parent_of(self).first()
            if programme is not None:
                programme.edition = edition  # known already (a cached property)
        context.update(
            sessions=sessions,
            happening=programme.now_and_next() if programme else None,
            previous_day=other_days.filter(date__lt=self.date).order_by("-date").first(),
            next_day=other_days.filter(date__gt=self.date).order_by("date").first(),
        )
        return context


class SessionQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def published(self):
        """Sessions of live, public days, in programme order."""
        days = DayPage.objects.live().public()
        return self.filter(page__in=days).order_by("page__date", "start_time", "end_time")

    def of_edition(self, edition):
        days = DayPage.objects.descendant_of(edition).live().public()
        return self.filter(page__in=days).order_by("page__date", "start_time", "end_time")

    def for_calendar(self):
        """With everything a calendar entry shows fetched in the same query."""
        return self.select_related("page", "track", "venue").with_changes()

    def with_changes(self):
        """Each session with `sequence` (the number of its recorded changes: the
        iCalendar SEQUENCE) and `moved_from` (its start before its latest move, if it
        was moved), in the same query."""
        changes = SessionChange.objects.filter(session=OuterRef("pk"))
        moves = changes.exclude(old_start_time=models.F("new_start_time")).order_by(
            "-published_at", "-pk"
        )
        return self.annotate(
            sequence=Coalesce(
                Subquery(
                    changes.order_by().values("session").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            moved_from=Subquery(moves.values("old_start_time")[:1]),
        )


class Session(index.Indexed, models.Model):
    """One item of a day's programme: a talk, a workshop, an excursion, a break…
    Searched on its own: its title, description, hosts, spot and kind (in the site's
    language), so that «лекція» finds the lectures."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CHANGED = "changed", _("changed")
        CANCELLED = "cancelled", _("cancelled")

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("discussion")
        WORKSHOP = "workshop", _("workshop")
        LECTURE = "lecture", _("lecture")
        PRESENTATION = "presentation", _("presentation")
        EXCURSION = "excursion", _("excursion")
        PERFORMANCE = "performance", _("performance")
        EXHIBITION = "exhibition", _("exhibition")
        FILM = "film", _("film screening")
        GAME = "game", _("game")
        OPENING = "opening", _("ceremony")
        BREAK = "break", _("break")
        OTHER = "other", _("other")

    page = ParentalKey(DayPage, on_delete=models.CASCADE, related_name="sessions")
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    track = models.ForeignKey(
        TrackPage,
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text=_("One of this edition's themes, or none (for breaks, openings…)."),
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text=_("Empty means the main venue."),
    )
    spot = models.CharField(
        _("spot"),
        max_length=200,
        blank=True,
        help_text=_("Where within the venue: the tent, the stage, the reading room…"),
    )
    hosts = models.CharField(
        _("hosts and speakers"),
        max_length=500,
        blank=True,
        help_text=_("Names and organisations, separated by commas."),
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PLANNED,
        help_text=_(
            "«Changed» when the time or the place changed; a cancelled session stays "
            "on the programme, struck through. Cancel rather than delete a published "
            "session: a deleted one is only listed as removed among the changes."
        ),
    )
    status_note = models.CharField(
        _("note on the status"),
        max_length=300,
        blank=True,
        help_text=_("Shown next to the status, e.g. «The speaker is ill»."),
    )

    objects = SessionQuerySet.as_manager()

    # Indexed by _index_session below rather than by the search app's own handlers,
    # which read each saved session and its day again.
    search_auto_update = False
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("description"),
        index.SearchField("hosts"),
        index.SearchField("spot"),
        index.SearchField("kind_words"),
        index.FilterField("page"),
    ]

    panels = [
        FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("title"),
        FieldPanel("kind"),
        FieldPanel("track", widget=forms.Select),
        MultiFieldPanel(
            [FieldPanel("venue", widget=forms.Select), FieldPanel("spot")], heading=_("Place")
        ),
        FieldPanel("hosts"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("status_note")]),
    ]

    api_fields = [
        APIField("title"),
        APIField("kind"),
        APIField("start_time"),
        APIField("end_time"),
        APIField("starts_at", serializer=LocalDateTimeField()),
        APIField("ends_at", serializer=LocalDateTimeField()),
        APIField("track", serializer=TrackSummaryField()),
        APIField("venue", serializer=VenueSummaryField()),
        APIField("spot"),
        APIField("hosts"),
        APIField("description"),
        APIField("status"),
        APIField("status_note"),
    ]

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start_time", "end_time", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The end must be later than the start.")})

    @property
    def starts_at(self):
        """The start as a moment in the site's time zone (the day gives the date)."""
        return datetime.datetime.combine(self.page.date, self.start_time, tzinfo=KYIV)

    @property
    def ends_at(self):
        return datetime.datetime.combine(self.page.date, self.end_time, tzinfo=KYIV)

    def place(self, edition):
        """The venue the session takes place at: its own or, when that is empty, the
        edition's main venue (read only then). Every reader goes by this: the pages,
        the calendars, JSON-LD, the frab and CSV exports."""
        return self.venue or edition.main_venue

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def status_label(self):
        try:
            return self.Status(self.status).label
        except ValueError:
            return self.status

    @property
    def kind_label(self):
        # As get_kind_display(), without rebuilding and hashing the lazy choices on
        # every call (it showed in the profile of a 144-session programme).
        try:
            return self.Kind(self.kind).label
        except ValueError:
            return self.kind

    def kind_words(self):
        """The kind as the public reads it, for the search index: in the site's
        language whatever language the editor who saved it uses."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.kind_label)

    def get_url(self, request=None):
        """The session's own page, under its day."""
        return self._under(self.page.get_url(request))

    @property
    def url(self):
        return self._under(self.page.url)  # the day's, computed once (CachedUrlMixin)

    def _under(self, day_url):
        # A session not saved yet (in a preview of the day) has no page: its day's.
        return day_url if self.pk is None else day_url + self.page.session_path(self.pk)

    def get_calendar_url(self, request=None):
        return self.page.feed_url("session_calendar", request, session_id=self.pk)


@receiver(post_save, sender=Session)
def _index_session(sender, instance, raw=False, **kwargs):
    """A session saved on a live day goes into the search index at once (publishing a
    day saves its sessions again). Those of draft days, as a rollover copies them, cost
    nothing: the search shows only live days' sessions."""
    if raw or not Session.page.is_cached(instance) or not instance.page.live:
        return
    pending = getattr(instance.page, "_sessions_to_index", None)
    if pending is not None:  # the day indexes them all once saved (DayPage.save)
        pending.append(instance)
        return
    index.insert_or_update_object(instance)


@receiver(post_delete, sender=Session)
def _unindex_session(sender, instance, **kwargs):
    index.remove_object(instance)


class SessionChange(models.Model):
    """A published change of a session: recorded when its day, live before, is
    published again with the session's time, venue, status or title changed. The
    session's iCalendar SEQUENCE is the number of its changes."""

    day = models.ForeignKey(
        DayPage, verbose_name=_("programme day"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    old_title = models.CharField(_("old title"), max_length=255)
    new_title = models.CharField(_("new title"), max_length=255)
    old_start_time = models.TimeField(_("old start"))
    new_start_time = models.TimeField(_("new start"))
    old_end_time = models.TimeField(_("old end"))
    new_end_time = models.TimeField(_("new end"))
    old_venue = models.ForeignKey(
        Venue, verbose_name=_("old venue"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_venue = models.ForeignKey(
        Venue, verbose_name=_("new venue"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_status = models.CharField(_("old status"), max_length=20, choices=Session.Status.choices)
    new_status = models.CharField(_("new status"), max_length=20, choices=Session.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The session was deleted from the published day: the old_* fields say what it
    # was, the new_* ones repeat them.
    removed = models.BooleanField(_("removed from the programme"), default=False)

    class Meta:
        verbose_name = _("session change")
        verbose_name_plural = _("session changes")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.new_title

    @classmethod
    def record(cls, day, before, after):
        """A row for each session whose tracked fields differ between the snapshots
        (events/changes.py), and one for each session deleted from the day, all at
        the day's publication time."""
        moment = timezone.now()  # the publication's, within the same request
        rows = []
        for pk, old, new in differences(before, after):
            removed = new is None
            if removed:  # the row is gone: say what it was
                new = {**old, "status_note": ""}
            rows.append(
                cls(
                    day=day,
                    session_id=None if removed else pk,
                    removed=removed,
                    published_at=moment,
                    old_title=old["title"],
                    new_title=new["title"],
                    old_start_time=old["start_time"],
                    new_start_time=new["start_time"],
                    old_end_time=old["end_time"],
                    new_end_time=new["end_time"],
                    old_venue_id=old["venue_id"],
                    new_venue_id=new["venue_id"],
                    old_status=old["status"],
                    new_status=new["status"],
                    note=new["status_note"],
                )
            )
        return cls.objects.bulk_create(rows)

    @property
    def old_status_label(self):
        return Session.Status(self.old_status).label

    @property
    def new_status_label(self):
        return Session.Status(self.new_status).label

    @property
    def summary_parts(self):
        return change_parts(self)

    @property
    def struck_through(self):
        return self.removed or self.new_status == Session.Status.CANCELLED


def record_session_changes(sender, instance, **kwargs):
    """On a day's publication: what changed in its sessions since the live version
    that `DayPage.save` noted (nothing for a first publication)."""
    before = instance.__dict__.pop("_live_sessions", None)
    if before is None:
        return
    main_venue = instance.edition.main_venue if instance.edition else None
    after = snapshot(
        Session.objects.filter(page_id=instance.pk), main_venue.pk if main_venue else None
    )
    SessionChange.record(instance, before, after)


page_published.connect(record_session_changes, sender=DayPage, dispatch_uid="session_changes")
