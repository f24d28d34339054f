from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from forum.models import BlocklistEntry, Comment, CommentManager, Post
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db


def test_comment_tree_manager_is_ours():
    # mptt uses Comment._tree_manager for inserts: it must be the manager whose
    # tree ids can't collide (django-mptt is pinned because this is private API).
    assert type(Comment._tree_manager) is CommentManager
    assert type(Comment.objects) is CommentManager


def test_top_level_comments_get_distinct_tree_ids():
    post = make_post()
    first = make_comment(post=post)
    second = make_comment(post=post)
    other = make_comment(post=make_post())
    assert len({first.tree_id, second.tree_id, other.tree_id}) == 3
    assert first.tree_id < second.tree_id < other.tree_id


def test_allocate_tree_ids_never_repeats():
    first = Comment.objects.allocate_tree_ids(3)
    make_comment(post=make_post())
    second = Comment.objects.allocate_tree_ids(2)
    assert len(set(first)) == 3
    if connection.vendor == "postgresql":
        # The sequence also skips ids handed out but never used.
        assert min(second) > max(first)


def test_post_body_is_rendered_and_sanitized_on_save():
    post = make_post(
        body="Hello *world* <script>alert(1)</script><b onclick='x()'>b</b>"
    )
    assert "<em>world</em>" in post.body_html
    assert "<script" not in post.body_html
    assert "onclick" not in post.body_html


def test_published_excludes_drafts_and_future_posts():
    public = make_post()
    make_post(status=Post.Status.DRAFT)
    make_post(published_at=timezone.now() + timedelta(days=1))
    assert list(Post.objects.published()) == [public]


def test_post_accepts_comments_only_when_open_and_public():
    assert make_post().accepts_comments()
    assert not make_post(comments_open=False).accepts_comments()
    assert not make_post(status=Post.Status.DRAFT).accepts_comments()


def test_comments_close_automatically_after_setting_days(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_post(published_at=timezone.now() - timedelta(days=15))
    recent = make_post(published_at=timezone.now() - timedelta(days=13))
    assert not old.accepts_comments()
    assert recent.accepts_comments()


def test_comments_never_close_by_age_by_default():
    assert make_post(
        published_at=timezone.now() - timedelta(days=3650)
    ).accepts_comments()


def test_the_stored_comment_count_counts_approved_comments_only():
    post = make_post()
    make_comment(post=post)
    make_comment(post=post, status=Comment.Status.PENDING)
    make_comment(post=post, status=Comment.Status.SPAM)
    assert Post.objects.get(pk=post.pk).comment_count == 1


def test_comment_status_is_constrained_in_the_database():
    comment = make_comment(post=make_post())
    with pytest.raises(IntegrityError):
        Comment.objects.filter(pk=comment.pk).update(status="bogus")


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip", "text", "hit"),
    [
        ("word", "casino", "", None, "Best CASINO bonus", True),
        ("word", "casino", "", None, "occasional", False),
        ("email", "bot@spam.test", "BOT@spam.test", None, "", True),
        ("email", "@spam.test", "anyone@spam.test", None, "", True),
        ("email", "@spam.test", "anyone@notspam.test", None, "", False),
        ("ip", "203.0.113.7", "", "203.0.113.7", "", True),
        ("ip", "203.0.113.0/24", "", "203.0.113.200", "", True),
        ("ip", "203.0.113.0/24", "", "198.51.100.1", "", False),
        ("ip", "2001:db8::/32", "", "2001:db8::1", "", True),
    ],
)
def test_blocklist_entry_matches(kind, value, email, ip, text, hit):
    entry = BlocklistEntry(kind=kind, value=value)
    entry.full_clean()
    assert entry.matches(text=text, email=email, ip=ip) is hit


def test_blocklist_rejects_an_invalid_ip_range():
    with pytest.raises(ValidationError, match="IP address"):
        BlocklistEntry(kind="ip", value="203.0.113.0/99").full_clean()


def test_no_comment_index_holds_lft_or_rght():
    # A reply shifts lft/rght of later rows; with no index on them, PostgreSQL
    # can update those rows in place (HOT) instead of touching every index.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "forum_comment")
    indexed = {
        column
        for info in constraints.values()
        if info["index"]
        for column in info["columns"]
    }
    assert "tree_id" in indexed
    assert not indexed & {"lft", "rght"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL setting")
def test_postgresql_jit_is_off_for_our_connections():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_thread_rows_read_times_exactly_as_stored():
    post = make_post()
    comment = make_comment(post=post)
    [row] = Comment.objects.for_post(post).thread_rows()
    assert row[4] == comment.created_at
    assert row[4].utcoffset().total_seconds() == 0
