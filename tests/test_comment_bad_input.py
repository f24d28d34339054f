"""Bad input to the comment form: a message beside the field, the text kept,
nothing stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum.models import Comment, Post
from tests.commenting import field_error, form_error, kept_text, submit
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_or_blank_comment_is_refused(client, text):
    response = submit(client, make_post(), comment=text, author="Kept Name")
    assert response.status_code == 400
    assert field_error(response, "comment") == "Please type your comment."
    assert soup(response).select_one("[name=author]")["value"] == "Kept Name"
    assert not Comment.objects.exists()


def test_comment_over_the_length_limit_is_refused(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    response = submit(client, make_post(), comment="x" * 21)
    assert response.status_code == 400
    assert field_error(response, "comment") == (
        "Please shorten your comment to 20 characters or fewer."
    )
    assert kept_text(response) == "x" * 21
    assert not Comment.objects.exists()


def test_comment_at_the_length_limit_is_accepted(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    assert submit(client, make_post(), comment="x" * 20).status_code == 302
    assert Comment.objects.get().body == "x" * 20


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author", "", "Please enter your name."),
        ("author", "n" * 101, "Please shorten your name to 100 characters or fewer."),
        ("email", "", "Please enter your email address."),
        ("email", "anna@", "Please enter a valid email address"),
        ("url", "http://exa mple.com", "Please enter a valid web address"),
    ],
)
def test_invalid_author_details_are_refused_beside_the_field(
    client, field, value, message
):
    response = submit(client, make_post(), comment="Keep me.", **{field: value})
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    assert kept_text(response) == "Keep me."
    assert not Comment.objects.exists()


def test_invalid_reply_is_shown_again_under_the_comment_answered(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    response = submit(client, post, comment_parent=str(anna.pk), email="")
    page = soup(response)
    assert len(page.select("form#commentform")) == 1
    respond = page.select_one(f"li#comment-{anna.pk} > #respond")
    assert (
        respond.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Reply to Anna")
    )
    assert respond.select_one("[name=comment_parent]")["value"] == str(anna.pk)


def test_reply_to_a_missing_comment_is_refused(client):
    response = submit(client, make_post(), comment="Keep me.", comment_parent="999")
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert not Comment.objects.exists()


def test_refused_reply_is_offered_as_a_new_comment(client):
    response = submit(client, make_post(), comment_parent="999")
    page = soup(response)
    assert page.select_one("#comments > #respond [name=comment_parent]")["value"] == "0"
    assert (
        page.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Leave a Reply")
    )


def test_reply_to_a_comment_on_another_post_is_refused(client):
    elsewhere = make_comment(post=make_post())
    response = submit(
        client, make_post(), comment="Keep me.", comment_parent=str(elsewhere.pk)
    )
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_reply_to_an_unapproved_comment_is_refused(client, status):
    post = make_post()
    held = make_comment(post=post, status=status)
    response = submit(client, post, comment="Keep me.", comment_parent=str(held.pk))
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert Comment.objects.count() == 1


def test_comment_on_a_closed_post_is_refused_with_the_text_kept(client):
    post = make_post(comments_open=False)
    response = submit(client, post, comment="My forged words.")
    assert response.status_code == 403
    page = soup(response)
    assert page.select_one(".error-message").get_text() == (
        "Comments are closed on this post."
    )
    assert page.select_one("#kept-comment").get_text() == "My forged words."
    assert not Comment.objects.exists()


def test_invalid_form_on_a_closed_post_still_says_closed_and_keeps_text(client):
    post = make_post(comments_open=False)
    response = submit(client, post, comment="My words.", email="")
    assert response.status_code == 403
    assert soup(response).select_one("#kept-comment").get_text() == "My words."
    assert not Comment.objects.exists()


def test_comment_on_a_post_past_the_closing_age_is_refused(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    post = make_post(published_at=timezone.now() - timedelta(days=15))
    assert submit(client, post).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_comment_on_an_unpublished_post_is_refused(client, overrides):
    response = submit(client, make_post(**overrides), comment="Keep me.")
    assert response.status_code == 404
    page = soup(response)
    assert "not published" in page.select_one(".error-message").get_text()
    assert page.select_one("#kept-comment").get_text() == "Keep me."
    assert not Comment.objects.exists()


def test_saying_the_same_thing_twice_is_refused(
    client, relaxed_posting, guests_trusted
):
    post = make_post()
    submit(client, post, comment="Same words.")
    response = submit(client, post, comment="  Same words.  ")
    assert response.status_code == 400
    assert field_error(response, "comment") == "You've already said that."
    assert kept_text(response) == "  Same words.  "
    assert Comment.objects.count() == 1


def test_posting_again_within_the_flood_window_gets_a_429_page(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    submit(client, post)
    response = submit(client, post, comment="Too soon.")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15
    page = soup(response)
    assert "too quickly" in page.select_one(".error-message").get_text()
    assert page.select_one("#kept-comment").get_text() == "Too soon."
    assert Comment.objects.count() == 1


def test_flood_control_counts_per_ip(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    submit(client, post, meta={"REMOTE_ADDR": "192.0.2.1"}, email="a@example.com")
    other = submit(
        client, post, meta={"REMOTE_ADDR": "192.0.2.2"}, email="b@example.com"
    )
    assert other.status_code == 302
    assert Comment.objects.count() == 2


def test_flood_control_follows_a_logged_in_user_across_ips(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    client.force_login(make_user())
    post = make_post()
    submit(client, post, meta={"REMOTE_ADDR": "192.0.2.1"})
    assert submit(client, post, meta={"REMOTE_ADDR": "192.0.2.2"}).status_code == 429
    assert Comment.objects.count() == 1


def test_sending_the_same_comment_twice_says_so_rather_than_flooding(client):
    post = make_post()
    data = comment_data(post, comment="Exactly this.")
    assert client.post("/comments/post/", data).status_code == 302
    again = client.post("/comments/post/", data)
    assert again.status_code == 400
    assert "already said that" in again.content.decode()
    assert Comment.objects.count() == 1
