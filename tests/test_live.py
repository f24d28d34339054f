"""The open thread page's poll (forum.live, forum.views.live): what changed since
the version the page holds, from the cache when nothing did."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from forum import services
from forum.models import Comment, Post
from tests.commenting import submit
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """Versions kept in the cache, as with Redis (one process here)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.COMMENTS_PER_PAGE = 0


def version_of(post) -> int:
    return Post.objects.get(pk=post.pk).comments_version


def poll(client, post, version, *, tag=None, **params):
    url = reverse("forum:thread-changes", kwargs={"slug": post.slug})
    query = {"v": version, "page": 1, **params}
    headers = {"If-None-Match": tag} if tag else {}
    return client.get(url, query, headers=headers)


def test_poll_unchanged_is_304_without_a_query(client, django_assert_num_queries):
    post = make_post()
    make_comment(post=post)
    version = version_of(post)
    first = poll(client, post, version)
    assert first.status_code == 204
    with django_assert_num_queries(0):
        again = poll(client, post, version, tag=first["ETag"])
    assert again.status_code == 304
    assert "no-store" in again["Cache-Control"]


def test_poll_after_a_reply_renders_it_under_its_parent(client):
    post = make_post()
    parent = make_comment(post=post, author_name="Ana", body="First thought.")
    version = version_of(post)
    tag = poll(client, post, version)["ETag"]
    reply = make_comment(post=post, parent=parent, body="An answer.")
    answer = poll(client, post, version, tag=tag)
    data = answer.json()
    assert answer.status_code == 200
    assert data["changed"] == [reply.pk]
    assert data["version"] == version_of(post) > version
    assert data["responses"] == f"2 Responses to “{post.title}”"
    nested = f'<ol class="children"><li id="comment-{reply.pk}"'
    assert data["html"].startswith(f'<li id="comment-{parent.pk}"')
    assert nested in data["html"]
    assert "An answer." in data["html"]
    assert answer["ETag"] != tag
    assert "private" in answer["Cache-Control"]


def test_poll_is_right_when_the_cache_lost_the_version(client):
    post = make_post()
    version = version_of(post)
    tag = poll(client, post, version)["ETag"]
    cache.clear()
    assert poll(client, post, version, tag=tag).status_code == 204
    make_comment(post=post, body="After the eviction.")
    cache.clear()
    answer = poll(client, post, version, tag=tag)
    assert "After the eviction." in answer.json()["html"]


def test_poll_without_kept_versions_asks_the_database_once(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # no shared cache: versions are not kept
    post = make_post()
    version = version_of(post)
    with django_assert_num_queries(1):
        assert poll(client, post, version).status_code == 204
    make_comment(post=post, body="Seen all the same.")
    assert "Seen all the same." in poll(client, post, version).json()["html"]


def test_poll_shows_an_edit_in_place(client, relaxed_posting):
    post = make_post()
    comment = make_comment(post=post, body="Teh first draft.")
    version = version_of(post)
    services.comment_author_edit(comment=comment, body="The first draft.")
    data = poll(client, post, version).json()
    assert data["changed"] == [comment.pk]
    assert "The first draft." in data["html"]
    assert "(edited)" in data["html"]


def test_poll_turns_a_removed_comment_into_its_placeholder(client):
    post = make_post()
    comment = make_comment(post=post, body="Regrettable words.")
    version = version_of(post)
    services.comment_set_status(comments=[comment], status=Status.REMOVED)
    data = poll(client, post, version).json()
    assert data["changed"] == [comment.pk]
    assert "comment-placeholder" in data["html"]
    assert "This comment was removed." in data["html"]
    assert "Regrettable words." not in data["html"]
    assert data["responses"] == "Comments"


def test_poll_removes_a_conversation_gone_from_the_page(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    post = make_post()
    gone = make_comment(post=post, body="Soon gone.")
    make_comment(post=post)
    version = version_of(post)
    services.comment_set_status(comments=[gone], status=Status.REMOVED)
    data = poll(client, post, version).json()
    assert data["changed"] == [gone.pk]
    assert "This comment was removed." in data["html"]


def test_poll_keeps_others_pending_comments_out(client):
    post = make_post()
    held = make_comment(post=post, body="Not yet.", status=Status.PENDING)
    version_before = version_of(post) - 1
    data = poll(client, post, version_before).json()
    assert data["changed"] == []
    assert data["html"] == ""
    services.comment_set_status(comments=[held], status=Status.APPROVED)
    data = poll(client, post, version_before).json()
    assert data["changed"] == [held.pk]
    assert "Not yet." in data["html"]


def test_poll_shows_the_readers_own_pending_comment_to_them(
    client, relaxed_posting, guests_held
):
    post = make_post()
    version = version_of(post)
    submit(client, post, comment="Mine, waiting.")
    data = poll(client, post, version).json()
    assert "Mine, waiting." in data["html"]
    assert "Your comment is awaiting moderation." in data["html"]
    stranger = poll(client.__class__(), post, version).json()
    assert "Mine, waiting." not in stranger["html"]


def test_poll_brings_a_hidden_parent_along_as_placeholder(client):
    post = make_post()
    parent = make_comment(post=post, body="Gone soon.")
    services.comment_set_status(comments=[parent], status=Status.REMOVED)
    version = version_of(post)
    reply = make_comment(post=post, parent=parent, body="Still an answer.")
    data = poll(client, post, version).json()
    assert data["changed"] == [reply.pk]
    assert (
        f'id="comment-{parent.pk}" class="comment depth-1 comment-placeholder'
        in (data["html"])
    )
    assert "Gone soon." not in data["html"]
    assert "Still an answer." in data["html"]


def test_poll_counts_new_comments_on_later_pages(client, settings):
    settings.COMMENTS_PER_PAGE = 1
    post = make_post()
    first = make_comment(post=post, body="Page one.")
    version = version_of(post)
    make_comment(post=post, body="Page two.")
    make_comment(post=post, parent=first, body="A reply on page one.")
    data = poll(client, post, version).json()
    assert "A reply on page one." in data["html"]
    assert "Page two." not in data["html"]
    assert data["elsewhere"] == 1
    assert data["elsewhere_text"] == "1 new comment on later pages"
    assert data["elsewhere_url"] == (
        reverse("forum:post-comments-page", kwargs={"slug": post.slug, "page": 2})
        + "#comments"
    )


def test_poll_on_a_subthread_page_stays_in_its_branch(client, settings):
    post = make_post()
    top = make_comment(post=post)
    other = make_comment(post=post)
    version = version_of(post)
    inside = make_comment(post=post, parent=top, body="Inside the branch.")
    make_comment(post=post, parent=other, body="Elsewhere.")
    data = poll(client, post, version, top=top.pk).json()
    assert data["changed"] == [inside.pk]
    assert "Elsewhere." not in data["html"]


def test_poll_after_a_lock_updates_the_branch(client):
    post = make_post()
    top = make_comment(post=post)
    reply = make_comment(post=post, parent=top)
    version = version_of(post)
    services.branch_lock(comment=top)
    data = poll(client, post, version).json()
    assert sorted(data["changed"]) == sorted([top.pk, reply.pk])
    assert "comment-reply-link" not in data["html"]


def test_poll_says_when_comments_closed_or_opened_again(client):
    post = make_post()
    make_comment(post=post)
    version = version_of(post)
    posts = Post.objects.filter(pk=post.pk)
    services.posts_set_comments_open(posts=posts, is_open=False)
    closed = poll(client, post, version).json()
    assert (closed["open"], closed["changed"], closed["html"]) == (False, [], "")
    services.posts_set_comments_open(posts=posts, is_open=True)
    assert poll(client, post, closed["version"]).json()["open"] is True


def test_poll_without_a_version_says_so(client):
    post = make_post()
    answer = client.get(reverse("forum:thread-changes", kwargs={"slug": post.slug}))
    assert answer.status_code == 400
    assert answer.json() == {"error": "Which version?"}


def test_thread_page_tells_the_script_where_and_how_often(client, settings):
    settings.LIVE_POLL_SECONDS = 7
    post = make_post()
    page = client.get(post.get_absolute_url()).content.decode()
    live = reverse("forum:thread-changes", kwargs={"slug": post.slug})
    assert f'data-live-url="{live}?page=1"' in page
    assert f'data-live-version="{version_of(post)}"' in page
    assert 'data-live-seconds="7"' in page
    assert 'aria-live="polite"' in page


def test_live_updates_off_leave_the_page_as_it_was(client, settings):
    settings.LIVE_POLL_SECONDS = 0
    post = make_post()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "data-live-url" not in page
    assert "live.js" not in page
    assert "live-status" not in page


def test_a_polled_comment_gets_a_vote_form_with_the_readers_token(client):
    post = make_post()
    version = version_of(post)
    tag = poll(client, post, version)["ETag"]
    comment = make_comment(post=post)
    html = poll(client, post, version, tag=tag).json()["html"]
    assert f'action="/comments/{comment.pk}/vote/"' in html
    assert "csrf-token-slot" not in html
    assert 'name="csrfmiddlewaretoken" value="' in html
