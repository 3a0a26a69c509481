"""Publishing invalidates what the change shows, no more (home/freshness.py): the
addresses of the page and of the pages that show it, in the page cache (new versions)
and the CDN (a purge in the background). A change every page shows (the site
settings, a page moved or deleted) is one new version of the whole site."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from home import freshness
from home.models import SiteSettings

BEFORE = "_freshness_before"


@receiver(pre_save, dispatch_uid="freshness_note_live_version")
def note_live_version(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a full save of a live page (what a publication makes): the addresses its
    live version shows, which the published one may not (a session removed from a
    day, a session moved to another track). A new title or slug shows on every page
    that links it (the edition's navigation, the breadcrumbs): the whole site."""
    if raw or update_fields is not None or not isinstance(instance, Page) or not instance.pk:
        return
    live = type(instance).objects.filter(pk=instance.pk, live=True).first()
    if live is None:
        return
    if live.title != instance.title or live.slug != instance.slug:
        setattr(instance, BEFORE, None)
    else:
        setattr(instance, BEFORE, freshness.urls_shown_by([live]))


@receiver(page_published, dispatch_uid="freshness_published")
def page_published_changes(sender, instance, **kwargs):
    before = instance.__dict__.pop(BEFORE, set())
    if before is None:
        freshness.everything_changed()
    else:
        freshness.pages_changed([instance], also=before)


@receiver(page_unpublished, dispatch_uid="freshness_unpublished")
def page_unpublished_changes(sender, instance, **kwargs):
    freshness.pages_changed([instance])


@receiver(post_page_move, dispatch_uid="freshness_moved")
@receiver(post_delete, sender=Page, dispatch_uid="freshness_deleted")
@receiver(post_save, sender=SiteSettings, dispatch_uid="freshness_settings")
def everything_changed(created=False, **kwargs):
    # Settings made on their first read (SiteSettings.for_request) change nothing shown.
    if not created:
        freshness.everything_changed()


# What Wagtail notes of a file when it first reads it (its size, its hash): nothing
# a page shows changes.
FILE_METADATA = {"file_size", "file_hash"}


def media_changed(sender, instance, update_fields=None, **kwargs):
    """A document or an image: the pages that show it (Wagtail's reference index) and
    the API's listing of its kind."""
    if update_fields is not None and set(update_fields) <= FILE_METADATA:
        return
    kind = "document" if issubclass(sender, get_document_model()) else "image"
    freshness.pages_changed(
        freshness.pages_referring_to(instance),
        also=freshness.absolute_paths(freshness.MEDIA_API_PATHS[kind]),
    )


for model in (get_document_model(), get_image_model()):
    post_save.connect(media_changed, sender=model, dispatch_uid=f"freshness_media_{model}")
    pre_delete.connect(media_changed, sender=model, dispatch_uid=f"freshness_media_d_{model}")
