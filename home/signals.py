"""Publishing empties the page cache, so that readers never see yesterday's page; the
next reader of each page fills it again."""

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from home.models import SiteSettings


def empty_page_cache(**kwargs):
    # A page shows others' content (the edition lists its themes, the home page its
    # editions, every page the footer): the whole cache goes, not only the page's own.
    caches["pages"].clear()


page_published.connect(empty_page_cache, dispatch_uid="empty_page_cache_published")
page_unpublished.connect(empty_page_cache, dispatch_uid="empty_page_cache_unpublished")


@receiver(post_delete, sender=Page, dispatch_uid="empty_page_cache_deleted")
@receiver(post_save, sender=SiteSettings, dispatch_uid="empty_page_cache_settings")
def empty_page_cache_on_change(**kwargs):
    empty_page_cache()


for model in (get_document_model(), get_image_model()):
    post_save.connect(empty_page_cache, sender=model, dispatch_uid=f"empty_pages_{model}")
    post_delete.connect(empty_page_cache, sender=model, dispatch_uid=f"empty_pages_d_{model}")
