"""Moderators («Модератори») unlock sign-ins locked out after too many wrong passwords
(Settings → «Заблоковані входи»): django-axes' permission to delete access attempts,
which is what unlocking does. The permission row is created here if axes' own
post-migrate step has not run yet, as 0003 does for the site settings."""

from django.db import migrations

MODERATORS = "Модератори"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is None:
        return
    attempt_type, _ = ContentType.objects.get_or_create(app_label="axes", model="accessattempt")
    permission, _ = Permission.objects.get_or_create(
        content_type=attempt_type,
        codename="delete_accessattempt",
        defaults={"name": "Can delete access attempt"},
    )
    moderators.permissions.add(permission)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is not None:
        moderators.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="axes", codename="delete_accessattempt"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_sitesettings_plural"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
