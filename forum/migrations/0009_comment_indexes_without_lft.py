"""Indexes without lft or rght, and room on each page: reply shifts become HOT.

See NO_NESTED_SET_INDEX in forum/models.py. The fill factor applies to pages
written from now on; `VACUUM FULL forum_comment` rewrites existing ones.
"""

from django.conf import settings
from django.db import migrations, models


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE forum_comment SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE forum_comment RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0008_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="comment",
            name="forum_comment_tree_id_lft_idx",
        ),
        migrations.RemoveIndex(
            model_name="comment",
            name="comment_thread_idx",
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["tree_id"], name="comment_tree_idx"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["post", "tree_id"], name="comment_thread_idx"),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
