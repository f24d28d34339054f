"""Stored counters (issue 14): Post.comment_count and Post.root_count are kept
by every write, never drift, and are what the pages read."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services, tree_checks
from forum.models import Comment, Post
from forum.services import accounts
from forum.services.retention import comments_purge
from tests.factories import make_comment, make_many_comments, make_post

pytestmark = pytest.mark.django_db
Status = Comment.Status


def real_counts(post: Post) -> tuple[int, int]:
    """(approved comments, conversations every reader sees), counted."""
    comments = Comment.objects.for_post(post)
    return comments.approved().count(), comments.shown().filter(parent=None).count()


def assert_true(post: Post) -> None:
    post.refresh_from_db()
    assert (post.comment_count, post.root_count) == real_counts(post)
    assert tree_checks.counter_drift() == []


@pytest.fixture
def post():
    return make_post(status="published")


def test_new_comments_and_replies_move_the_counters(post):
    root = make_comment(post=post)
    make_comment(post=post, parent=root)
    make_comment(post=post, status=Status.PENDING)
    make_comment(post=post, parent=root, status=Status.SPAM)
    assert_true(post)
    assert (post.comment_count, post.root_count) == (2, 1)


def test_an_approved_reply_under_a_removed_comment_brings_back_its_conversation(post):
    root = make_comment(post=post, status=Status.REMOVED)
    assert_true(post)
    assert post.root_count == 0
    make_comment(post=post, parent=root)
    assert_true(post)
    assert (post.comment_count, post.root_count) == (1, 1)


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.SPAM, Status.REMOVED, Status.APPROVED]
)
def test_status_changes_keep_the_counters_true(post, status):
    root = make_comment(post=post, status=Status.PENDING)
    reply = make_comment(post=post, parent=root)
    other = make_comment(post=post)
    services.comment_set_status(comments=[root, other], status=status)
    assert_true(post)
    services.comment_set_status(comments=[reply], status=status)
    assert_true(post)


def test_branch_remove_and_restore_keep_the_counters_true(post):
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    make_comment(post=post, parent=reply)
    services.branch_remove(comment=root)
    assert_true(post)
    assert (post.comment_count, post.root_count) == (0, 0)
    services.branch_restore(comment=root)
    assert_true(post)
    assert (post.comment_count, post.root_count) == (3, 1)
    services.comment_restore(comments=[root])
    services.branch_lock(comment=root)
    assert_true(post)


def test_delete_author_removal_and_anonymising_keep_the_counters_true(post):
    root = make_comment(post=post, author_email="someone@example.com")
    leaf = make_comment(post=post, parent=root)
    services.comment_delete(comment=leaf)
    assert_true(post)
    services.comment_author_remove(comment=root)
    assert_true(post)
    accounts.anonymise("someone@example.com")
    assert_true(post)
    assert post.root_count == 0


def test_bulk_create_import_and_rebuild_keep_the_counters_true(post):
    make_comment(post=post)
    make_many_comments(post=post, count=40)
    assert_true(post)
    assert (post.comment_count, post.root_count) == (41, 11)
    services.thread_rebuild(post_id=post.pk)
    assert_true(post)


def test_purge_keeps_the_counters_true(post):
    old = {"created_at": timezone.now() - timedelta(days=400)}
    kept = make_comment(post=post, status=Status.REMOVED, **old)
    make_comment(post=post, parent=kept, **old)
    make_comment(post=post, status=Status.SPAM, **old)
    comments_purge()
    assert_true(post)
    assert (post.comment_count, post.root_count) == (1, 1)


def test_post_edits_and_opening_comments_keep_the_counters_true(post):
    make_comment(post=post)
    services.posts_set_comments_open(
        posts=Post.objects.filter(pk=post.pk), is_open=False
    )
    services.threads_touch_for_users(user_ids=[post.author_id])
    assert_true(post)
    assert post.comment_count == 1


def _drift(post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(comment_count=7, root_count=0)


def test_check_threads_reports_a_drifted_counter(post):
    make_comment(post=post)
    _drift(post)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_threads", stdout=StringIO(), stderr=err)
    assert f"stored comment counts differ: posts {post.pk}" in err.getvalue()


def test_check_threads_repair_recounts_a_drifted_post(post):
    make_comment(post=post)
    _drift(post)
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out, stderr=StringIO())
    assert "Recounted 1 post(s)." in out.getvalue()
    assert_true(post)
    assert post.comment_count == 1


def test_pages_read_the_counts_from_the_post_row(client, settings):
    settings.COMMENTS_PER_PAGE = 10
    post = make_post(status="published")
    make_many_comments(post=post, count=100)  # 25 conversations: 3 pages
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"{post.get_absolute_url()}comment-page-2/")
        home = client.get("/")
    assert page.status_code == home.status_code == 200
    assert "100 Responses" in page.content.decode()
    assert "comment-page-3/" in page.content.decode()
    assert "100 Responses" in home.content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # Django's paginator counts the home page's posts; no query counts comments.
    assert all("forum_comment" not in sql for sql in counts), counts


def test_a_thread_page_costs_the_same_queries_at_any_size(
    client, settings, django_assert_num_queries
):
    settings.COMMENTS_PER_PAGE = 10
    small, big = make_post(status="published"), make_post(status="published")
    make_many_comments(post=small, count=60)
    make_many_comments(post=big, count=400)
    client.get(small.get_absolute_url())  # sessions, content types: warm
    with CaptureQueriesContext(connection) as small_page:
        client.get(f"{small.get_absolute_url()}comment-page-2/")
    with django_assert_num_queries(len(small_page)):
        client.get(f"{big.get_absolute_url()}comment-page-2/")
