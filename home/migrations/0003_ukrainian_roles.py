"""The press office's roles, in Ukrainian. Wagtail's own migrations create the groups
Editors (add and edit pages, images and documents; cannot publish) and Moderators
(also publish, lock and unlock), and a «Moderators approval» workflow on the root
page in which moderators approve what editors submit. Here they get Ukrainian names,
and moderators also manage the site settings (contacts, footer). Site administrators
are superusers."""

from django.db import migrations

GROUPS = {"Editors": "Редактори", "Moderators": "Модератори"}
WORKFLOW = ("Moderators approval", "Затвердження модераторами")


def rename(apps, names, workflow):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for old, new in names.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    old, new = workflow
    Workflow.objects.filter(name=old).update(name=new)
    Task.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, GROUPS, WORKFLOW)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    moderators = Group.objects.filter(name=GROUPS["Moderators"]).first()
    if moderators is None:
        return
    settings_type, _ = ContentType.objects.get_or_create(app_label="home", model="sitesettings")
    permission, _ = Permission.objects.get_or_create(
        content_type=settings_type,
        codename="change_sitesettings",
        defaults={"name": "Can change site settings"},
    )
    moderators.permissions.add(permission)


def backwards(apps, schema_editor):
    rename(
        apps,
        {new: old for old, new in GROUPS.items()},
        tuple(reversed(WORKFLOW)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_create_homepage"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
