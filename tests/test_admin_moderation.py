"""Moderating comments in the Django admin, as a moderator (not a superuser).

Every request goes through the admin's own URLs with the test client, logged
in as a staff user in the "Moderators" group that migration 0004 creates.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentStatusChange, Post
from tests.admin_client import CHANGELIST, act, listed, public_page, said, status
from tests.factories import make_comment, make_many_comments, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

Status = Comment.Status
REMOVED_TEXT = "This comment was removed."


def filter_link(response, text: str) -> str:
    """The changelist URL behind a link of the filter sidebar."""
    links = soup(response).select("#changelist-filter a")
    (href,) = [a["href"] for a in links if a.get_text(strip=True) == text]
    return CHANGELIST + href


# --- The changelist -------------------------------------------------------------------


# What each row shows is in tests/test_admin_comment_list.py.


def test_changelist_filters_by_status(mod):
    post = make_post()
    make_comment(post=post)
    spam = make_comment(post=post, status=Status.SPAM)
    response = mod.get(filter_link(mod.get(CHANGELIST), "Spam"))
    assert listed(response) == [spam.pk]


def test_changelist_filters_by_post(mod):
    post = make_post(title="The one post")
    mine = make_comment(post=post)
    make_comment(post=make_post())
    response = mod.get(filter_link(mod.get(CHANGELIST), "The one post"))
    assert listed(response) == [mine.pk]


def test_changelist_filters_by_date(mod):
    post = make_post()
    today = make_comment(post=post)
    make_comment(post=post, created_at=timezone.now() - timedelta(days=40))
    response = mod.get(filter_link(mod.get(CHANGELIST), "Today"))
    assert listed(response) == [today.pk]


def test_changelist_filters_by_having_replies(mod):
    post = make_post()
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    page = mod.get(CHANGELIST)
    assert listed(mod.get(filter_link(page, "Has replies"))) == [root.pk]
    assert listed(mod.get(filter_link(page, "No replies"))) == [reply.pk]


@pytest.mark.parametrize(
    "query", ["marmalade", "Quentin", "quentin@jam.example", "203.0.113.99"]
)
def test_changelist_search_covers_text_name_email_and_ip(mod, query):
    post = make_post()
    found = make_comment(
        post=post,
        body="Grandma's marmalade recipe.",
        author_name="Quentin Jam",
        author_email="quentin@jam.example",
        ip_address="203.0.113.99",
    )
    make_comment(post=post, ip_address="192.0.2.1")
    assert listed(mod.get(CHANGELIST, {"q": query})) == [found.pk]


# --- Bulk status actions --------------------------------------------------------------

STATUS_ACTIONS = [
    ("approve_comments", Status.PENDING, Status.APPROVED, "approved"),
    ("hold_comments", Status.APPROVED, Status.PENDING, "held for moderation"),
    ("mark_spam", Status.APPROVED, Status.SPAM, "marked as spam"),
    ("remove_comments", Status.APPROVED, Status.REMOVED, "removed"),
]


@pytest.mark.parametrize(("action", "before", "after", "done"), STATUS_ACTIONS)
def test_status_action_changes_status_and_says_how_many(
    mod, action, before, after, done
):
    post = make_post()
    changing = [make_comment(post=post, status=before) for _ in range(2)]
    already = make_comment(post=post, status=after)
    response = act(mod, action, [*changing, already])
    assert response.status_code == 302
    assert [status(c) for c in [*changing, already]] == [after] * 3
    assert said(response) == [f"2 comments {done}."]


@pytest.mark.parametrize(("action", "before", "after", "done"), STATUS_ACTIONS)
def test_status_action_on_one_comment_says_so_in_the_singular(
    mod, action, before, after, done
):
    comment = make_comment(post=make_post(), status=before)
    assert said(act(mod, action, [comment])) == [f"1 comment {done}."]


@pytest.mark.parametrize(("action", "before", "after", "done"), STATUS_ACTIONS)
def test_status_action_writes_the_admin_history(
    mod, moderator, action, before, after, done
):
    post = make_post()
    changing = [make_comment(post=post, status=before) for _ in range(2)]
    act(mod, action, changing)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment)
    )
    assert sorted(
        (e.object_id, e.user_id, e.action_flag, e.change_message) for e in entries
    ) == sorted(
        (str(c.pk), moderator.pk, CHANGE, f"{done.capitalize()}.") for c in changing
    )


@pytest.mark.parametrize(("action", "before", "after", "done"), STATUS_ACTIONS)
def test_status_action_records_the_change_with_its_moderator(
    mod, moderator, action, before, after, done
):
    comment = make_comment(post=make_post(), status=before)
    act(mod, action, [comment])
    change = CommentStatusChange.objects.get(comment=comment)
    assert (change.from_status, change.to_status, change.moderator) == (
        before,
        after,
        moderator,
    )
    assert change.created_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize("previous", [Status.PENDING, Status.APPROVED, Status.SPAM])
def test_restore_gives_back_the_status_before_removal(mod, previous):
    comment = make_comment(post=make_post(), status=previous)
    act(mod, "remove_comments", [comment])
    response = act(mod, "restore_comments", [comment])
    assert status(comment) == previous
    assert said(response)[-1] == "1 comment restored."


def test_restore_leaves_comments_that_are_not_removed(mod):
    post = make_post()
    removed = make_comment(post=post, status=Status.REMOVED)
    spam = make_comment(post=post, status=Status.SPAM)
    response = act(mod, "restore_comments", [removed, spam])
    assert (status(removed), status(spam)) == (Status.APPROVED, Status.SPAM)
    assert said(response) == ["1 comment restored."]


def test_status_action_makes_readers_caches_fetch_the_thread_again(mod):
    post = make_post()
    comment = make_comment(post=post, body="soon gone")
    # Last-Modified counts whole seconds: the first visit was an hour ago.
    hour_ago = timezone.now() - timedelta(hours=1)
    Post.objects.filter(pk=post.pk).update(
        updated_at=hour_ago, comments_changed_at=hour_ago
    )
    reader = Client()
    before = reader.get(post.get_absolute_url())
    act(mod, "remove_comments", [comment])
    again = reader.get(
        post.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]
    )
    assert again.status_code == 200
    assert "soon gone" not in again.content.decode()


@pytest.mark.parametrize("action", ["remove_comments", "lock_branches"])
def test_moderation_action_moves_the_posts_last_modified(mod, action):
    post = make_post()
    comment = make_comment(post=post)
    before = Post.objects.get(pk=post.pk).last_modified()
    act(mod, action, [comment])
    assert Post.objects.get(pk=post.pk).last_modified() > before


# --- The moderation queue -------------------------------------------------------------


def test_admin_index_shows_pending_and_spam_counts_linking_to_their_lists(mod):
    post = make_post()
    for _ in range(3):
        make_comment(post=post, status=Status.PENDING)
    make_comment(post=post, status=Status.SPAM)
    make_comment(post=post)
    queue = soup(mod.get(reverse("admin:index"))).select_one("#moderation-queue")
    pending, spam = queue.select_one(".queue-pending"), queue.select_one(".queue-spam")
    assert pending.select_one(".queue-count").get_text() == "3"
    assert spam.select_one(".queue-count").get_text() == "1"
    assert pending.a["href"] == f"{CHANGELIST}?status__exact=pending"
    assert spam.a["href"] == f"{CHANGELIST}?status__exact=spam"


def test_pending_queue_lists_oldest_first(mod):
    post = make_post()
    now = timezone.now()
    newer = make_comment(post=post, status=Status.PENDING, created_at=now)
    oldest = make_comment(
        post=post, status=Status.PENDING, created_at=now - timedelta(days=2)
    )
    older = make_comment(
        post=post, status=Status.PENDING, created_at=now - timedelta(days=1)
    )
    make_comment(post=post)
    queue = soup(mod.get(reverse("admin:index"))).select_one(".queue-pending a")
    assert listed(mod.get(queue["href"])) == [oldest.pk, older.pk, newer.pk]


# --- Removal keeps the conversation ---------------------------------------------------


def test_removed_comment_with_approved_reply_stays_as_a_placeholder(mod):
    post = make_post()
    removed = make_comment(post=post, author_name="Gone Author", body="gone words")
    reply = make_comment(post=post, parent=removed, body="the reply stays")
    act(mod, "remove_comments", [removed])
    page = public_page(post)
    placeholder = page.select_one(f"li#comment-{removed.pk}")
    article = placeholder.find("article", recursive=False)
    assert article.get_text(strip=True) == REMOVED_TEXT
    assert "Gone Author" not in str(page) and "gone words" not in str(page)
    shown = placeholder.select_one(f"ol.children > li#comment-{reply.pk}")
    assert "the reply stays" in shown.get_text()


def test_removed_comment_without_visible_replies_disappears(mod):
    post = make_post()
    kept = make_comment(post=post)
    removed = make_comment(post=post, body="gone words")
    make_comment(post=post, parent=removed, status=Status.PENDING)
    act(mod, "remove_comments", [removed])
    page = public_page(post)
    assert [li["id"] for li in page.select("li.comment")] == [f"comment-{kept.pk}"]
    assert REMOVED_TEXT not in str(page)


# --- Speed ----------------------------------------------------------------------------


def changelist_queries(client) -> tuple[int, list[int]]:
    client.get(CHANGELIST)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries), listed(response)


def test_changelist_queries_do_not_grow_with_10000_comments(mod):
    make_many_comments(post=make_post(), count=8)
    small, _ = changelist_queries(mod)
    make_many_comments(post=make_post(), count=10_000)
    big, shown = changelist_queries(mod)
    print(f"changelist queries: {small} at 8 comments, {big} at 10,008")
    assert small == big
    assert big <= 12
    assert len(shown) == 100


def test_changelist_paginates_by_100(mod):
    post = make_post()
    make_many_comments(post=post, count=250)
    last = soup(mod.get(CHANGELIST, {"p": "3"}))
    assert len(last.select("#result_list tbody tr")) == 50
    assert "250 comments" in last.select_one(".paginator").get_text()
