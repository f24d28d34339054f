"""Conditional GET and the thread cache: fast, never one reader's page for another."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.models import Post
from tests.admin_client import form_data
from tests.factories import (
    comment_data,
    make_category,
    make_comment,
    make_moderator,
    make_post,
    make_user,
)
from tests.html import soup, tokens_blanked

pytestmark = pytest.mark.django_db


def thread_of(response) -> str:
    """The thread as rendered, but the CSRF tokens of its vote forms (per reader,
    like the page around it)."""
    return str(tokens_blanked(soup(response).select_one("ol.comment-list")))


def _revalidate(client, url, response):
    return client.get(url, headers={"if-none-match": response["ETag"]})


def _visit(client, url):
    """A reader's first visit sets the CSRF cookie, which is part of the ETag."""
    client.get(url)
    return client.get(url)


def test_thread_page_sends_validators_and_private_caching(client):
    post = make_post()
    response = client.get(post.get_absolute_url())
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


def test_unchanged_thread_answers_304(client):
    post = make_post()
    make_comment(post=post)
    url = post.get_absolute_url()
    first = _visit(client, url)
    again = _revalidate(client, url, first)
    assert again.status_code == 304
    assert again.content == b""


def test_if_modified_since_answers_304_until_the_thread_changes(client):
    post = make_post()
    url = post.get_absolute_url()
    first = _visit(client, url)
    since = {"if-modified-since": first["Last-Modified"]}
    assert client.get(url, headers=since).status_code == 304
    # HTTP dates have whole seconds: the change must land in a later one.
    Post.objects.filter(pk=post.pk).update(
        comments_changed_at=timezone.now() + timedelta(seconds=2)
    )
    assert client.get(url, headers=since).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda post, comment: make_comment(post=post, parent=comment),
        lambda post, comment: services.comment_edit(
            comment=comment, fields={"body": "x"}
        ),
        lambda post, comment: services.comment_set_status(
            comments=[comment], status="removed"
        ),
        lambda post, comment: services.branch_lock(comment=comment),
    ],
    ids=["reply", "edit", "moderation", "lock"],
)
def test_every_thread_change_gives_a_new_page(client, change):
    post = make_post()
    comment = make_comment(post=post, body="before")
    url = post.get_absolute_url()
    first = _visit(client, url)
    change(post, comment)
    again = _revalidate(client, url, first)
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert thread_of(again) != thread_of(first)


def test_an_unchanged_thread_renders_the_same(client):
    post = make_post()
    make_comment(post=post)
    url = post.get_absolute_url()
    assert thread_of(Client().get(url)) == thread_of(client.get(url))


def test_cached_thread_is_served_without_the_thread_queries(client):
    post = make_post()
    for _ in range(3):
        make_comment(post=post)
    url = post.get_absolute_url()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = Client().get(url)
    thread = 'SELECT "forum_comment"'
    assert any(q["sql"].startswith(thread) for q in cold.captured_queries)
    assert not any(q["sql"].startswith(thread) for q in warm.captured_queries)
    assert str(tokens_blanked(soup(second).select_one("ol.comment-list"))) == str(
        tokens_blanked(soup(first).select_one("ol.comment-list"))
    )


def test_cached_thread_never_shows_one_readers_pending_comment_to_another(
    client, relaxed_posting, guests_held
):
    post = make_post()
    make_comment(post=post, body="an approved comment")
    url = post.get_absolute_url()
    other = Client()
    other.get(url)  # fills the cache before the pending comment exists
    response = client.post(
        "/comments/post/", comment_data(post, comment="mine, pending")
    )
    assert response.status_code == 302
    assert "mine, pending" in client.get(url).content.decode()
    assert "mine, pending" not in other.get(url).content.decode()
    assert "mine, pending" not in Client().get(url).content.decode()


def test_remembered_details_never_reach_another_reader(client, relaxed_posting):
    post = make_post()
    data = comment_data(post, author="Zed Private", cookies_consent="on")
    client.post("/comments/post/", data)
    url = post.get_absolute_url()
    assert soup(client.get(url)).select_one("#id_author")["value"] == "Zed Private"
    assert "Zed Private" not in Client().get(url).content.decode()


def test_reply_form_under_a_comment_is_not_cached(client):
    post = make_post()
    comment = make_comment(post=post)
    url = post.get_absolute_url()
    client.get(f"{url}?replytocom={comment.pk}")
    page = soup(Client().get(url))
    assert page.select_one(f"#comment-{comment.pk} #respond") is None
    assert page.select_one("#respond")


def test_thread_pages_work_when_the_cache_server_is_down(client, settings):
    # A Redis server nobody listens on: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    post = make_post()
    make_comment(post=post, body="still readable")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "still readable" in response.content.decode()


# --- What else the cached thread shows: the post's address, who writes --------


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def edit_post_in_the_admin(client, post, **changes):
    url = f"/admin/forum/post/{post.pk}/change/"
    data = {**form_data(client.get(url), "#post_form"), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")


def badges(post, comment) -> list[str]:
    page = soup(Client().get(Post.objects.get(pk=post.pk).get_absolute_url()))
    return [b.get_text() for b in page.select(f"#comment-{comment.pk} .comment-badge")]


def test_renaming_a_posts_slug_in_the_admin_moves_its_reply_links(editor_client):
    post = make_post(slug="old-address")
    comment = make_comment(post=post)
    Client().get("/posts/old-address/")  # the thread is cached
    edit_post_in_the_admin(editor_client, post, slug="new-address")
    page = soup(Client().get("/posts/new-address/"))
    link = page.select_one(f"#comment-{comment.pk} .comment-reply-link")["href"]
    assert link.startswith("/posts/new-address/")
    response = Client().get(link)
    assert response.status_code == 200
    assert soup(response).select_one(f"#comment-{comment.pk} #respond")


def test_changing_a_posts_author_in_the_admin_moves_the_author_badge(editor_client):
    writer = make_user(first_name="Wanda")
    post = make_post()
    comment = make_comment(post=post, user=writer)
    assert badges(post, comment) == []  # and the thread is cached
    edit_post_in_the_admin(editor_client, post, author=str(writer.pk))
    assert badges(post, comment) == ["Author"]


def test_a_new_moderators_comments_get_the_badge():
    reader = make_user(is_staff=True)
    post = make_post()
    comment = make_comment(post=post, user=reader)
    assert badges(post, comment) == []
    reader.groups.add(make_moderator().groups.get())
    assert badges(post, comment) == ["Moderator"]


def test_a_former_moderators_comments_lose_the_badge():
    moderator = make_moderator()
    post = make_post()
    comment = make_comment(post=post, user=moderator)
    assert badges(post, comment) == ["Moderator"]
    moderator.is_staff = False
    moderator.save()
    assert badges(post, comment) == []


def test_editing_a_post_goes_through_the_service_and_keeps_its_categories(
    editor_client,
):
    category = make_category()
    post = make_post(categories=[category])
    version = post.comments_version
    edit_post_in_the_admin(editor_client, post, title="A better title")
    post.refresh_from_db()
    assert post.title == "A better title"
    assert list(post.categories.all()) == [category]
    assert post.comments_version == version + 1


def test_adding_members_to_the_moderators_group_gives_them_the_badge():
    writer = make_user(is_staff=True)
    post = make_post()
    comment = make_comment(post=post, user=writer)
    assert badges(post, comment) == []
    make_moderator().groups.get().user_set.add(writer)
    assert badges(post, comment) == ["Moderator"]
