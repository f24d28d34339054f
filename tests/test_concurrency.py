"""Concurrent writers on PostgreSQL: nothing lost, never a corrupt tree.

Threads stand in for gunicorn workers: each has its own connection, and a
barrier releases them together. They mix new top-level comments with replies
to random comments written so far. The guard tests send the same load through
bare django-mptt saves, proving the checks can see a corrupt tree at all.
"""

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from django.core.management import call_command
from django.db import DatabaseError, connection

from forum import services, tree_checks
from forum.models import Comment, Post
from tests import racing
from tests.factories import make_post

pytestmark = racing.MARKS

THREADS = 8
WRITES_PER_THREAD = 25
NEW_THREAD_SHARE = 0.25  # the rest are replies to a random existing comment
SEEDS_PER_POST = 2
GUARD_ROUNDS = 5

# A writer stores one comment: (post, parent or None, body) -> Comment.
Writer = Callable[[Post, Comment | None, str], Comment]


@dataclass
class Load:
    """What the writers share: the comments so far and what each was sent to."""

    known: list[tuple[int, Post]]  # (comment pk, its post): parents to pick from
    sent: list[tuple[int, int | None, int]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _locked_write(post, parent, body):
    return services.comment_create(
        post=post, parent=parent, body=body, author_name="Load", author_email=""
    )


def _unlocked_write(post, parent, body):
    # What a view that skipped the service would do: no transaction, no lock.
    comment = Comment(
        post=post,
        parent=parent,
        body=body,
        author_name="Load",
        status=Comment.Status.APPROVED,
    )
    comment.save()
    return comment


def _seed(posts: list[Post]) -> Load:
    known = [
        (_locked_write(post, None, f"seed {n} on {post.pk}").pk, post)
        for post in posts
        for n in range(SEEDS_PER_POST)
    ]
    return Load(known=known)


def _writes(load: Load, posts: list[Post], write: Writer, index: int) -> None:
    rng = random.Random(index)
    for n in range(WRITES_PER_THREAD):
        if rng.random() < NEW_THREAD_SHARE:
            parent_pk, post = None, rng.choice(posts)
        else:
            with load.lock:
                parent_pk, post = rng.choice(load.known)
        # Fetched here, as a view would from the form's parent id.
        parent = Comment.objects.get(pk=parent_pk) if parent_pk else None
        comment = write(post, parent, f"writer {index}, write {n}")
        with load.lock:
            load.known.append((comment.pk, post))
            load.sent.append((comment.pk, parent_pk, post.pk))


def _run(load: Load, posts: list[Post], write: Writer) -> None:
    """Run THREADS writers, released together, each on its own connection."""
    barrier = threading.Barrier(THREADS, timeout=30)

    def worker(index):
        try:
            connection.ensure_connection()
            barrier.wait()
            _writes(load, posts, write, index)
        except BaseException as error:  # reported by the test, not lost in a thread
            with load.lock:
                load.errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"


def _expected_parent(parent_pk, rows, max_depth):
    """Where the service puts a reply to `parent_pk`: there, or the capped ancestor."""
    while parent_pk is not None and rows[parent_pk][1] >= max_depth:
        parent_pk = rows[parent_pk][0]
    return parent_pk


def _assert_every_write_stored_where_sent(load: Load, max_depth: int) -> int:
    """Assert nothing is lost or misplaced; return how many replies were capped."""
    assert load.errors == []
    assert len(load.sent) == THREADS * WRITES_PER_THREAD
    assert Comment.objects.count() == len(load.known)
    rows = {
        pk: (parent_id, level, post_id)
        for pk, parent_id, level, post_id in Comment.objects.values_list(
            "pk", "parent_id", "level", "post_id"
        )
    }
    misplaced = [
        (pk, parent_pk, post_id, rows[pk])
        for pk, parent_pk, post_id in load.sent
        if (rows[pk][0], rows[pk][2])
        != (_expected_parent(parent_pk, rows, max_depth), post_id)
    ]
    assert misplaced == []
    return sum(
        1 for pk, parent_pk, _ in load.sent if parent_pk and rows[pk][0] != parent_pk
    )


def _assert_one_tree_per_root() -> None:
    roots = Comment.objects.filter(parent=None).count()
    trees_ = Comment.objects.values("tree_id").distinct().count()
    assert trees_ == roots


def test_concurrent_writers_on_one_post_lose_nothing_and_keep_the_tree_sound(
    settings,
):
    posts = [make_post()]
    load = _seed(posts)
    _run(load, posts, _locked_write)
    assert tree_checks.find_problems() == []
    _assert_every_write_stored_where_sent(load, settings.COMMENT_MAX_DEPTH)
    _assert_one_tree_per_root()


def test_concurrent_writers_on_two_posts_keep_both_forests_sound(settings):
    posts = [make_post(), make_post()]
    load = _seed(posts)
    _run(load, posts, _locked_write)
    assert tree_checks.find_problems() == []
    _assert_every_write_stored_where_sent(load, settings.COMMENT_MAX_DEPTH)
    _assert_one_tree_per_root()
    for post in posts:
        post.refresh_from_db()
    # Every write bumped its own post's version, none was lost or misdirected.
    sent_per_post = [sum(1 for *_, p in load.sent if p == post.pk) for post in posts]
    assert [post.comments_version for post in posts] == [
        n + SEEDS_PER_POST for n in sent_per_post
    ]


def test_concurrent_replies_past_the_depth_cap_attach_to_the_deepest_ancestor(
    settings,
):
    settings.COMMENT_MAX_DEPTH = 2
    posts = [make_post()]
    load = _seed(posts)
    _run(load, posts, _locked_write)
    assert tree_checks.find_problems() == []
    capped = _assert_every_write_stored_where_sent(load, max_depth=2)
    assert capped > 0, "the load never reached the cap; the test proves nothing"
    assert not Comment.objects.filter(level__gt=2).exists()


def _corrupt_with_unlocked_writers(posts: list[Post]) -> list[tree_checks.Problem]:
    """Run the load through bare mptt saves until the checks see damage."""
    load = _seed(posts)
    for round_ in range(1, GUARD_ROUNDS + 1):
        load.errors.clear()
        _run(load, posts, _unlocked_write)
        # Deadlocks between the bare UPDATEs are one more way to lose writes.
        assert all(isinstance(e, DatabaseError) for e in load.errors), load.errors
        problems = tree_checks.find_problems()
        if problems:
            print(f"\nunlocked writers, round {round_}: {len(load.errors)} errors")
            print("\n".join(f"  {problem}" for problem in problems))
            return problems
    return []


def test_unlocked_mptt_saves_under_the_same_load_corrupt_the_tree():
    problems = _corrupt_with_unlocked_writers([make_post(), make_post()])
    assert problems, f"{GUARD_ROUNDS} rounds of unlocked writers left no damage"


def test_check_threads_repair_fixes_a_tree_corrupted_by_unlocked_writers():
    assert _corrupt_with_unlocked_writers([make_post(), make_post()])
    parents = dict(Comment.objects.values_list("pk", "parent_id"))
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out, stderr=StringIO())
    assert "All comment trees are sound" in out.getvalue()
    assert tree_checks.find_problems() == []
    assert dict(Comment.objects.values_list("pk", "parent_id")) == parents
    _assert_one_tree_per_root()
