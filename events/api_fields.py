"""Serializer fields of the content API, used in the models' `api_fields`. They are
Django REST framework fields, which Wagtail's API v2 calls directly and API v3 wraps;
their return annotations give API v3's OpenAPI schema its types."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch
from django.db.models.functions import Length, Substr
from django.utils import timezone
from rest_framework.fields import Field, FloatField
from typing_extensions import TypedDict
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import CollectionViewRestriction

from home.site_url import absolute_url


def full_url(path, request=None):
    """A file's absolute address on the site's canonical address (an address that is
    already absolute, on an object storage, is given back as it is). API v2 hands its
    fields the request; API v3 does not, and the default Site's address is the same."""
    return absolute_url(path, request) if path else path


class RenditionField(ImageRenditionField):
    """Wagtail's rendition field, saying what it reads (cms/api.py reads it for every
    object served at once): the image's renditions of its filter."""

    def api_prefetch(self, lookup):
        renditions = get_image_model().get_rendition_model().objects
        return [
            Prefetch(
                f"{lookup}__renditions",
                queryset=renditions.filter(filter_spec__in=[self.filter_spec]),
                to_attr="prefetched_renditions",
            )
        ]


def rendition(source, filter_spec="fill-1440x810"):
    """An image as a rendition: its address, size and alternative text."""
    return RenditionField(filter_spec, source=source)


class LocalDateTimeField(Field):
    """A moment as ISO 8601 in the site's time zone, with its offset:
    "2017-06-12T10:00:00+03:00"."""

    def to_representation(self, value: datetime.datetime) -> str:
        return timezone.localtime(value).isoformat()


class CoordinateField(FloatField):
    """A latitude or longitude in degrees, as a JSON number (its return annotation
    types it in API v3's schema, where a bare FloatField would be «any value»)."""

    def to_representation(self, value) -> float:
        return super().to_representation(value)


class TrackSummary(TypedDict):
    id: int
    title: str
    colour: str


class TrackSummaryField(Field):
    """A session's theme: its page id, its name and its colour."""

    def to_representation(self, track) -> TrackSummary:
        return TrackSummary(id=track.pk, title=track.title, colour=track.colour)


class VenueSummary(TypedDict):
    id: int
    name: str


class VenueSummaryField(Field):
    def to_representation(self, venue) -> VenueSummary:
        return VenueSummary(id=venue.pk, name=venue.name)


class DocumentFile(TypedDict):
    id: int
    title: str
    url: str
    full_url: str
    file_type: str
    file_size: int | None


def restricted_collection_paths(context=None):
    """The tree paths of collections with a view restriction: their documents, and
    those of the collections below them, are not public. Read once for a whole API
    v2 answer (its serializers' shared `context`)."""
    if context is not None and RESTRICTED_PATHS in context:
        return context[RESTRICTED_PATHS]
    paths = list(CollectionViewRestriction.objects.values_list("collection__path", flat=True))
    if context is not None:
        context[RESTRICTED_PATHS] = paths
    return paths


RESTRICTED_PATHS = "restricted_collection_paths"


def documents_with_their_restriction():
    """Documents with their collection and whether it, or one above it, has a view
    restriction (`in_restricted_collection`), read in the same query: a collection's
    path starts with the paths of those above it."""
    restricted = CollectionViewRestriction.objects.filter(
        collection__path=Substr(OuterRef("collection__path"), 1, Length("collection__path"))
    )
    return (
        get_document_model()
        .objects.select_related("collection")
        .annotate(in_restricted_collection=Exists(restricted))
    )


def is_public(document, restricted_paths):
    if hasattr(document, "in_restricted_collection"):
        return not document.in_restricted_collection
    return not document.collection.path.startswith(tuple(restricted_paths()))


def document_file(document, request=None) -> DocumentFile:
    return DocumentFile(
        id=document.pk,
        title=document.title,
        url=document.url,
        full_url=full_url(document.url, request),
        file_type=document.content_type,
        file_size=document.get_file_size(),
    )


class DocumentFileField(Field):
    """A document as people download it: its address, type and size; null when it is
    in a collection with a view restriction (as in the documents endpoint)."""

    def api_prefetch(self, lookup):
        return [Prefetch(lookup, queryset=documents_with_their_restriction())]

    def to_representation(self, document) -> DocumentFile | None:
        if not is_public(document, lambda: restricted_collection_paths(self.context)):
            return None
        return document_file(document, self.context.get("request"))


class DocumentEntry(TypedDict):
    title: str
    description: str
    document: DocumentFile


class DocumentItemsField(Field):
    """The documents of a documents page, in the editor's order, without those in a
    collection with a view restriction (not even their titles)."""

    def api_prefetch(self, lookup):
        return [Prefetch(f"{lookup}__document", queryset=documents_with_their_restriction())]

    def to_representation(self, items) -> list[DocumentEntry]:
        paths = []

        def restricted():
            if not paths:
                paths.append(restricted_collection_paths(self.context))
            return paths[0]

        request = self.context.get("request")
        return [
            DocumentEntry(
                title=item.display_title,
                description=item.description,
                document=document_file(item.document, request),
            )
            for item in items.all()
            if is_public(item.document, restricted)
        ]


class SessionChange(TypedDict):
    session: int | None
    published_at: str
    date: str
    title: str
    old: dict
    new: dict
    note: str
    removed: bool


def _state(change, side):
    venue = getattr(change, f"{side}_venue")
    return {
        "title": getattr(change, f"{side}_title"),
        "start_time": getattr(change, f"{side}_start_time").strftime("%H:%M"),
        "end_time": getattr(change, f"{side}_end_time").strftime("%H:%M"),
        "venue": VenueSummary(id=venue.pk, name=venue.name) if venue else None,
        "status": getattr(change, f"{side}_status"),
    }


class SessionChangesField(Field):
    """A programme's change log, newest first: each published change of a session,
    its state before and after (title, times, venue, status) and the note. A session
    deleted from its published day is `removed`, its `session` null. Given the
    programme (`source="*"`): the changes of all the programmes served are read at
    once (`api_prefetch`), else its own `recent_changes()`."""

    READ = "_api_recent_changes"

    def api_prefetch(self, lookup):
        def read(programmes):
            changes = type(programmes[0]).recent_changes_of(programmes)
            for programme in programmes:
                setattr(programme, self.READ, changes[programme.pk])

        return [read] if not lookup else []

    def to_representation(self, programme) -> list[SessionChange]:
        changes = getattr(programme, self.READ, None)
        if changes is None:
            changes = programme.recent_changes()
        return [
            SessionChange(
                session=change.session_id,
                published_at=timezone.localtime(change.published_at).isoformat(),
                date=change.day.date.isoformat(),
                title=change.new_title,
                old=_state(change, "old"),
                new=_state(change, "new"),
                note=change.note,
                removed=change.removed,
            )
            for change in changes
        ]
