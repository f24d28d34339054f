"""The comment form on a post page: its fields, and where replies open it."""

import pytest

from forum.models import Comment
from tests.commenting import URL
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


def test_post_page_has_one_form_with_wordpress_field_names(client):
    post = make_post()
    page = soup(client.get(post.get_absolute_url()))
    [form] = page.select("form#commentform")
    assert (form["method"], form["action"]) == ("post", URL)
    names = {field["name"] for field in form.select("[name]")}
    assert {"comment", "author", "email", "url", "comment_parent"} <= names
    assert form.select_one("[name=comment_parent]")["value"] == "0"
    assert form.select_one("[name=comment_post_ID]")["value"] == str(post.pk)
    assert (
        page.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Leave a Reply")
    )


def test_logged_in_user_is_not_asked_for_name_or_email(client):
    client.force_login(make_user(first_name="Eda", last_name="Tor"))
    form = soup(client.get(make_post().get_absolute_url())).select_one("#commentform")
    names = {field["name"] for field in form.select("[name]")}
    assert not names & {"author", "email", "url", "cookies_consent"}
    assert "Logged in as Eda Tor." in form.get_text()


def test_reply_link_points_to_replytocom_without_javascript(client):
    post = make_post()
    comment = make_comment(post=post)
    link = soup(client.get(post.get_absolute_url())).select_one(".comment-reply-link")
    assert link["href"] == f"{post.get_absolute_url()}?replytocom={comment.pk}#respond"


def test_replytocom_renders_the_one_form_under_that_comment(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    make_comment(post=post)
    page = soup(client.get(f"{post.get_absolute_url()}?replytocom={anna.pk}"))
    assert len(page.select("form#commentform")) == 1
    respond = page.select_one(f"li#comment-{anna.pk} > #respond")
    assert respond.select_one("#reply-title").get_text(" ", strip=True) == (
        "Reply to Anna Cancel reply"
    )
    cancel = respond.select_one("#cancel-comment-reply-link")
    assert cancel["href"] == f"{post.get_absolute_url()}#respond"
    assert not cancel.has_attr("hidden")
    assert respond.select_one("[name=comment_parent]")["value"] == str(anna.pk)


def test_replytocom_an_unapproved_comment_leaves_the_form_at_the_bottom(client):
    post = make_post()
    held = make_comment(post=post, status=Comment.Status.PENDING)
    page = soup(client.get(f"{post.get_absolute_url()}?replytocom={held.pk}"))
    assert page.select_one("#comments > #respond #commentform")
    assert page.select_one("[name=comment_parent]")["value"] == "0"
