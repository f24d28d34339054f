"""A PostgreSQL sequence for Comment.tree_id (see CommentManager.allocate_tree_ids).

django-mptt computes a new tree's id as MAX(tree_id)+1, which two concurrent
writers can both read. A sequence cannot hand out a value twice. SQLite has no
sequences and serialises writers instead, so nothing is done there.
"""

from django.db import migrations

SEQUENCE = "forum_comment_tree_id_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} OWNED BY forum_comment.tree_id"
    )
    schema_editor.execute(
        f"SELECT setval('{SEQUENCE}', COALESCE(MAX(tree_id), 0) + 1, false) "
        "FROM forum_comment"
    )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
