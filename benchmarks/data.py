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


def build_thread(
    size: int, rng: random.Random, *, slug: str, one_root=False, later: int = 0
) -> Post:
    """Bulk-create a thread of `size` comments with a realistic shape.

    About 30% top-level comments, the rest answering random earlier ones, up
    to about 12 levels deep; `one_root` hangs everything under the first one.
    `later` comments more come after them, in conversations of their own (the
    same shape among themselves): the first pages stay those of `size`.
    """
    post = services.post_create(
        title=slug, slug=slug, body="Benchmark.", author=_author()
    )
    month_ago = timezone.now() - timedelta(days=30)
    comments: list[Comment] = []
    for n, parent in enumerate(_shape(size, rng, one_root)):
        when = month_ago + timedelta(seconds=30 * (n + 1))
        parent = comments[parent] if parent is not None else None
        comments.append(_comment(n, parent, rng, when))
    for n, parent in enumerate(_shape(later, rng, False)):
        when = month_ago + timedelta(seconds=30 * (size + n + 1))
        parent = comments[size + parent] if parent is not None else None
        comments.append(_comment(size + n, parent, rng, when))
    services.thread_bulk_create(post=post, comments=comments)
    _analyze()
    return post


def _shape(size: int, rng, one_root: bool) -> Iterator[int | None]:
    """Yield each comment's parent (an earlier index) or None, in order."""
    levels: dict[int, int] = {}
    for n in range(size):
        parent = None
        if n and (one_root or rng.random() > 0.3):
            candidates = rng.sample(range(n), min(3, n))
            parent = min(candidates, key=lambda p: levels[p] >= 11)
            if one_root and rng.random() < 0.3:
                parent = 0
        levels[n] = levels[parent] + 1 if parent is not None else 0
        yield parent


def _comment(n: int, parent: Comment | None, rng, when) -> Comment:
    return Comment(
        parent=parent,
        author_name=f"Reader {n % 97}",
        body=text(rng),
        body_html=f"<p>{text(rng)}</p>",
        status=Comment.Status.APPROVED,
        created_at=when,
    )


def _analyze() -> None:
    """PostgreSQL: fresh statistics for the planner after a bulk insert."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE forum_comment")


def _author():
    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user
