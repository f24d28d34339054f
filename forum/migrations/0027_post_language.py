"""A language on each post (copied onto its comments); the search indexes
rebuilt to stem each row in its language's configuration (PostgreSQL only).

As in 0008, the indexed expressions are written out here rather than
imported from forum.search; a test checks with EXPLAIN that they match.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models import F, Func, TextField

import forum.models

CONFIGS = {
    "en": "english",
    "ar": "arabic",
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "pt-br": "portuguese",
}


class LanguageConfig(Func):
    output_field = TextField()

    def __init__(self):
        super().__init__(F("language"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        branches = " ".join(
            f"WHEN '{code}' THEN '{config}'::regconfig"
            for code, config in CONFIGS.items()
        )
        return f"CASE {column} {branches} ELSE 'simple'::regconfig END", params


def indexes(config):
    return [
        (
            "Post",
            GinIndex(
                SearchVector("title", weight="A", config=config)
                + SearchVector("body_html", weight="B", config=config),
                name="post_search_idx",
            ),
        ),
        (
            "Comment",
            GinIndex(
                SearchVector("body_html", config=config), name="comment_search_idx"
            ),
        ),
    ]


def rebuild(old, new):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, index in old():
            schema_editor.remove_index(apps.get_model("forum", model_name), index)
        for model_name, index in new():
            schema_editor.add_index(apps.get_model("forum", model_name), index)

    return run


def english():
    return indexes("english")


def per_language():
    return indexes(LanguageConfig())


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0026_subscription_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='language',
            field=models.CharField(default=forum.models.site_language, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='post',
            name='language',
            field=models.CharField(choices=forum.models.site_languages, default=forum.models.site_language, help_text='What the post is written in: search stems its words by it.', max_length=10, verbose_name='language'),
        ),
        migrations.RunPython(
            rebuild(english, per_language),
            rebuild(per_language, english),
            elidable=False,
        ),
    ]
