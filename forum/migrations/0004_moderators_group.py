"""The "Moderators" group, with exactly what moderating needs.

Moderators view and change comments (every status action, branch locks and
removals, editing typos), manage the blocklist and trusted authors, and view
posts, categories, reports and status history. They can't delete posts or
comments, or manage users. Permissions are created here because Django only
creates them after all migrations have run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    "view_comment",
    "change_comment",
    "view_post",
    "view_category",
    "view_commentreport",
    "view_commentstatuschange",
    "add_blocklistentry",
    "change_blocklistentry",
    "delete_blocklistentry",
    "view_blocklistentry",
    "add_trustedauthor",
    "change_trustedauthor",
    "delete_trustedauthor",
    "view_trustedauthor",
]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("forum")
    app_config.models_module = True  # create_permissions skips apps without models
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="forum", codename__in=PERMISSIONS)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0003_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
