"""The two roots Wagtail's migrations name «Root» in English, shown to editors in the
explorer («Перегляд сторінок: Root») and the collection choices: named in Ukrainian.
Only while they still have Wagtail's name, so that a name given since is kept."""

from django.db import migrations

ROOT_PAGE = ("Root", "Усі сайти")
ROOT_COLLECTION = ("Root", "Загальна колекція")


def rename(apps, schema_editor, forward=True):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    page_old, page_new = ROOT_PAGE if forward else ROOT_PAGE[::-1]
    collection_old, collection_new = ROOT_COLLECTION if forward else ROOT_COLLECTION[::-1]
    Page.objects.filter(depth=1, title=page_old).update(title=page_new, draft_title=page_new)
    Collection.objects.filter(depth=1, name=collection_old).update(name=collection_new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_urgent_notice"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
