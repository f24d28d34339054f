"""What the benchmark and the load test share: a throwaway database, a big thread."""

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from forum import services
from forum.models import Comment, Post

VOCABULARY = (
    "the front line moved again overnight and nobody can say for certain what "
    "it means for the spring supply routes winter mud artillery morale reports "
    "analysts expect officials said according to sources near the town"
)
WORDS = VOCABULARY.split()


@contextmanager
def throwaway_database(prefix: str) -> Iterator[None]:
    """Run in a database of its own (`<prefix>_<pid>`), dropped afterwards."""
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":  # SQLite runs in memory
        connection.settings_dict["TEST"]["NAME"] = f"{prefix}_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def text(rng: random.Random, length: int = 300) -> str:
    """About `length` characters of news-like words."""
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def build_thread(size: int, rng: random.Random, *, slug: str, one_root=False) -> Post:
    """Bulk-create a thread of `size` comments with a realistic shape.

    About 30% top-level comments, the rest answering random earlier ones, up
    to about 12 levels deep; `one_root` hangs everything under the first one.
    """
    post = services.post_create(
        title=slug, slug=slug, body="Benchmark.", author=_author()
    )
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()
    start = (last or 0) + 1
    month_ago = timezone.now() - timedelta(days=30)
    comments = [
        _comment(post, pk, parent, rng, month_ago + timedelta(seconds=30 * n))
        for n, (pk, parent) in enumerate(_shape(start, size, rng, one_root), 1)
    ]
    with Comment.objects.disable_mptt_updates():
        Comment.objects.bulk_create(comments, batch_size=1000)
    services.thread_rebuild(post_id=post.pk)
    _after_bulk_insert()
    return post


def _shape(start: int, size: int, rng, one_root: bool) -> Iterator[tuple[int, int]]:
    """Yield (pk, parent pk or None) for each comment, parents first."""
    levels: dict[int, int] = {}
    for pk in range(start, start + size):
        parent = None
        if pk > start and (one_root or rng.random() > 0.3):
            candidates = rng.sample(range(start, pk), min(3, pk - start))
            parent = min(candidates, key=lambda p: levels[p] >= 11)
            if one_root and rng.random() < 0.3:
                parent = start
        levels[pk] = levels[parent] + 1 if parent else 0
        yield pk, parent


def _comment(post: Post, pk: int, parent: int | None, rng, when) -> Comment:
    return Comment(
        pk=pk,
        post=post,
        parent_id=parent,
        author_name=f"Reader {pk % 97}",
        body=text(rng),
        body_html=f"<p>{text(rng)}</p>",
        status=Comment.Status.APPROVED,
        created_at=when,
        tree_id=0,
        lft=0,
        rght=0,
        level=0,
    )


def _after_bulk_insert() -> None:
    """PostgreSQL: move the id sequence past the given pks; fresh statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('forum_comment', 'id'), "
            "(SELECT MAX(id) FROM forum_comment))"
        )
        cursor.execute("ANALYZE forum_comment")


def _author():
    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user
