"""GIN indexes for full-text search on PostgreSQL; nothing on SQLite.

The indexed expressions are the ones forum.search queries with (written out
here, as migrations must not import code that may change later); a test
checks with EXPLAIN that the search uses them. They are not declared in the
models' Meta: SQLite has no GIN indexes and no to_tsvector, and Meta indexes
are created on every database.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"


def indexes():
    return [
        (
            "Post",
            GinIndex(
                SearchVector("title", weight="A", config=CONFIG)
                + SearchVector("body_html", weight="B", config=CONFIG),
                name="post_search_idx",
            ),
        ),
        (
            "Comment",
            GinIndex(
                SearchVector("body_html", config=CONFIG), name="comment_search_idx"
            ),
        ),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in indexes():
        schema_editor.add_index(apps.get_model("forum", model_name), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in indexes():
        schema_editor.remove_index(apps.get_model("forum", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0007_wordpress_ids"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
