"""Wagtail's reference index (what uses which page, image or document: the «Usage» of
each) updated once per object at the end of a bulk change, instead of at every save.

Wagtail re-indexes an object on each save, and a child row's save (a session, a form
field) re-indexes its whole page: copying a day of twelve sessions indexes that day
some fifteen times. `references_indexed_once()` turns Wagtail's own updates off for the
current thread (its `disable_reference_index_auto_update`), notes what is saved, and
indexes each of those objects (a row: its page) once when the block ends. Deletions
are indexed at once, as Wagtail would. A block inside another (a day's save within the
rollover's copy) leaves its objects to the outer one."""

from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save
from modelcluster.fields import ParentalKey
from wagtail.models import ReferenceIndex


def _indexed_object(instance):
    """(model, pk) of what Wagtail indexes for a save of `instance`: a child row's page
    (through its parental keys), a page as its specific type. None: nothing."""
    while True:
        keys = [field for field in instance._meta.get_fields() if isinstance(field, ParentalKey)]
        if not keys:
            break
        instance = getattr(instance, keys[0].name)
        if instance is None:
            return None
    model = getattr(instance, "specific_class", None) or type(instance)
    return (model, instance.pk) if ReferenceIndex.is_indexed(model) else None


# wagtail.signal_handlers loads the page model when imported: it is imported when
# used, so that the models (DayPage.save) may use this module.


def _in_this_block():
    from wagtail.signal_handlers import reference_index_auto_update_disabled

    return getattr(reference_index_auto_update_disabled, "value", False)


@contextmanager
def references_indexed_once():
    if _in_this_block():  # Wagtail's switch is not nested: the outer block notes all
        yield
        return
    saved = {}  # (model, pk) → None, in the order first saved

    def tracked(sender):
        return sender in ReferenceIndex.tracked_models and _in_this_block()

    def on_save(sender, instance, raw=False, **kwargs):
        if not raw and tracked(sender) and (key := _indexed_object(instance)):
            saved.setdefault(key)

    def on_delete(sender, instance, **kwargs):
        if tracked(sender):  # what Wagtail does at once; a row's page is indexed again
            ReferenceIndex.remove_for_object(instance)
            ReferenceIndex.remove_references_to(instance)
            try:
                key = _indexed_object(instance)
            except ObjectDoesNotExist:  # its page is deleted with it
                key = None
            if key:  # found again at the end unless it is gone
                saved.setdefault(key)

    from wagtail.signal_handlers import disable_reference_index_auto_update

    post_save.connect(on_save, weak=False)
    post_delete.connect(on_delete, weak=False)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        post_save.disconnect(on_save)
        post_delete.disconnect(on_delete)
    # Only when the block succeeded (an exception skips this), inside its transaction.
    objects = {}
    for model, pk in saved:
        objects.setdefault(model, []).append(pk)
    for model, pks in objects.items():
        for instance in model.objects.filter(pk__in=pks):
            ReferenceIndex.create_or_update_for_object(instance)
