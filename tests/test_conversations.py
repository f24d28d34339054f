"""A reply re-renders only its own conversation (issue 14): every reader's
thread HTML is cached per top-level conversation (forum.conversations)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import conversations, services
from forum.models import Comment, Post
from forum.thread_html import Links, ThreadLayout, render_conversations
from tests.factories import make_comment, make_post
from tests.html import soup, tokens_blanked

pytestmark = pytest.mark.django_db


def thread_of(response) -> str:
    """The thread as rendered; CSRF tokens (the page's, the vote forms') differ
    per visit."""
    return str(tokens_blanked(soup(response).select_one("ol.comment-list")))


@pytest.fixture
def thread():
    """Two conversations, A and B, each a comment with a reply."""
    post = make_post(status="published")
    a = make_comment(post=post, body="Conversation A")
    make_comment(post=post, parent=a, body="Reply in A")
    b = make_comment(post=post, body="Conversation B")
    make_comment(post=post, parent=b, body="Reply in B")
    return post, a, b


def _behind_the_services_back(comment: Comment, text: str) -> None:
    """Change a comment's stored HTML without bumping anything: whatever page
    still shows the old text came from the cache."""
    Comment.objects.filter(pk=comment.pk).update(body_html=f"<p>{text}</p>")


def test_a_reply_in_one_conversation_reuses_the_others_cached_html(client, thread):
    post, a, b = thread
    client.get(post.get_absolute_url())  # both conversations cached
    _behind_the_services_back(b, "B changed unseen")
    make_comment(post=post, parent=a, body="A new reply in A")
    with CaptureQueriesContext(connection) as queries:
        page = thread_of(client.get(post.get_absolute_url()))
    assert "A new reply in A" in page
    assert "Conversation B" in page  # B's bytes came from the cache
    assert "B changed unseen" not in page
    rows = [q["sql"] for q in queries if '"forum_comment"."body_html"' in q["sql"]]
    assert len(rows) == 1
    assert f'"tree_id" IN ({a.tree_id})' in rows[0]  # A's rows only


def test_a_status_change_re_renders_its_conversation_only(client, thread):
    post, a, b = thread
    client.get(post.get_absolute_url())
    _behind_the_services_back(a, "A changed unseen")
    services.comment_set_status(comments=[b], status=Comment.Status.REMOVED)
    page = thread_of(client.get(post.get_absolute_url()))
    assert "Conversation B" not in page
    assert "This comment was removed." in page
    assert "Conversation A" in page
    assert "A changed unseen" not in page


def test_a_change_to_the_whole_post_re_renders_every_conversation(client, thread):
    post, a, b = thread
    client.get(post.get_absolute_url())
    services.posts_set_comments_open(
        posts=Post.objects.filter(pk=post.pk), is_open=False
    )
    page = soup(client.get(post.get_absolute_url()))
    assert page.select("li.comment")  # A and B, with their replies
    assert page.select(".comment-reply-link") == []  # in both conversations


def _render_counting(post, layout, rendered):
    def render(rows, trees):
        rendered.append(sorted(trees))
        return render_conversations(rows, links=Links(reply="/"), layout=layout)

    return render


def test_only_missing_conversations_are_rendered(thread):
    post, a, b = thread
    layout, rendered = ThreadLayout(), []
    render = _render_counting(post, layout, rendered)

    def page():
        post.refresh_from_db()
        return conversations.page_html(
            post, 1, layout, comments_open=True, render=render
        )

    first = page()
    assert first[2] == 2
    assert page()[1] == first[1]  # all from the cache
    make_comment(post=post, parent=b)
    assert page()[2] == 1
    assert rendered == [sorted([a.tree_id, b.tree_id]), [b.tree_id]]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_an_assembled_page_is_the_page_a_fresh_render_gives(client, settings, order):
    settings.COMMENTS_ORDER = order
    settings.COMMENTS_PER_PAGE = 2
    post = make_post(status="published")
    roots = [make_comment(post=post, body=f"Root {i}") for i in range(5)]
    make_comment(post=post, parent=roots[1])
    url = f"{post.get_absolute_url()}comment-page-2/"
    before = client.get(url)
    make_comment(post=post, parent=roots[2], body="Late reply")
    services.comment_set_status(comments=[roots[3]], status=Comment.Status.PENDING)
    assembled = client.get(url)
    cache.clear()
    fresh = client.get(url)
    assert thread_of(assembled) == thread_of(fresh)
    assert thread_of(assembled) != thread_of(before)
    assert (
        soup(assembled).select_one("ol.comment-list")["start"]
        == soup(fresh).select_one("ol.comment-list")["start"]
    )
