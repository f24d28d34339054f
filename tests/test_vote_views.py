"""POST /comments/<pk>/vote/: a plain form without JavaScript, JSON with it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from forum.models import Comment, Vote
from forum.reading_order import VOTER_COOKIE
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def comment():
    return make_comment(post=make_post())


@pytest.fixture
def reader(client):
    user = make_user()
    client.force_login(user)
    return user


def _url(comment):
    return reverse("forum:comment-vote", kwargs={"pk": comment.pk})


def test_the_vote_url_is_the_forms_action(comment):
    assert _url(comment) == f"/comments/{comment.pk}/vote/"


def test_without_javascript_a_vote_returns_to_the_comment(client, reader, comment):
    response = client.post(_url(comment), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/comment/{comment.pk}/"
    landed = client.get(response["Location"])
    assert landed["Location"].endswith(f"#comment-{comment.pk}")
    assert Vote.objects.get().value == 1


def test_with_javascript_a_vote_answers_the_new_score(client, reader, comment):
    response = client.post(_url(comment), {"value": "-1"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {
        "comment": comment.pk,
        "score": -1,
        "up": 0,
        "down": 1,
        "vote": -1,
    }
    assert "no-store" in response["Cache-Control"]


def test_value_zero_takes_the_vote_back(client, reader, comment):
    client.post(_url(comment), {"value": "1"}, **JSON)
    response = client.post(_url(comment), {"value": "0"}, **JSON)
    assert response.json()["score"] == 0
    assert response.json()["vote"] == 0


def test_a_vote_needs_post(client, reader, comment):
    assert client.get(_url(comment)).status_code == 405


def test_a_vote_needs_the_csrf_token(reader, comment):
    from django.test import Client

    checked = Client(enforce_csrf_checks=True)
    checked.force_login(reader)
    assert checked.post(_url(comment), {"value": "1"}).status_code == 403
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["", "up", "5", "1.5"])
def test_a_garbled_value_is_a_400_with_a_message(client, reader, comment, value):
    response = client.post(_url(comment), {"value": value}, **JSON)
    assert response.status_code == 400
    assert "take it back" in response.json()["error"]


def test_a_guest_is_told_to_log_in(client, comment):
    response = client.post(_url(comment), {"value": "1"}, **JSON)
    assert response.status_code == 403
    assert response.json() == {"error": "Log in to vote."}


def test_a_refusal_without_javascript_lands_beside_the_comment(client, comment):
    response = client.post(_url(comment), {"value": "1"})
    assert response["Location"] == f"/comment/{comment.pk}/"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == "Log in to vote."
    assert f"comment-{comment.pk}" in message.extra_tags


def test_the_refusal_is_shown_on_the_page_beside_the_comment(client, comment):
    response = client.post(_url(comment), {"value": "1"}, follow=True)
    assert response.status_code == 200
    assert "Log in to vote." in response.content.decode()


def test_a_refusal_on_a_held_comment_lands_atop_the_comments(client, reader):
    held = make_comment(post=make_post(), status=Comment.Status.PENDING)
    response = client.post(_url(held), {"value": "1"})
    assert response["Location"] == held.post.get_absolute_url() + "#comments"


def test_an_unknown_comment_is_a_404_in_json(client, reader):
    response = client.post("/comments/987654/vote/", {"value": "1"}, **JSON)
    assert response.status_code == 404
    assert response.json() == {"error": "This comment does not exist."}


def test_an_unknown_comment_without_javascript_goes_home_with_a_message(client, reader):
    response = client.post("/comments/987654/vote/", {"value": "1"}, follow=True)
    assert response.status_code == 200
    assert "This comment does not exist." in response.content.decode()


def test_too_many_votes_is_a_429(settings, client, reader):
    settings.VOTES_PER_MINUTE = 1
    post = make_post()
    first, second = make_comment(post=post), make_comment(post=post)
    client.post(_url(first), {"value": "1"}, **JSON)
    response = client.post(_url(second), {"value": "1"}, **JSON)
    assert response.status_code == 429
    assert "too quickly" in response.json()["error"]


def test_a_guest_gets_a_signed_voter_cookie_where_everyone_votes(
    settings, client, comment
):
    settings.VOTES = "everyone"
    first = client.post(_url(comment), {"value": "1"}, **JSON)
    cookie = first.cookies[VOTER_COOKIE]
    assert cookie["httponly"]
    again = client.post(_url(comment), {"value": "-1"}, **JSON)
    assert VOTER_COOKIE not in again.cookies  # the same browser, the same voter
    assert again.json() == {
        "comment": comment.pk,
        "score": -1,
        "up": 0,
        "down": 1,
        "vote": -1,
    }
    assert Vote.objects.count() == 1


def test_a_forged_voter_cookie_is_a_new_voter(settings, client, comment):
    settings.VOTES = "everyone"
    client.post(_url(comment), {"value": "1"}, **JSON)
    client.cookies[VOTER_COOKIE] = "someone-else"
    response = client.post(_url(comment), {"value": "1"}, **JSON)
    assert response.json()["up"] == 2
    assert VOTER_COOKIE in response.cookies


def test_a_guest_cannot_vote_on_a_comment_written_in_the_same_browser(
    settings, client, relaxed_posting
):
    from tests.factories import comment_data

    settings.VOTES = "everyone"
    settings.COMMENT_HOLD_FIRST = False
    post = make_post()
    client.post(reverse("forum:comment-create"), comment_data(post))
    mine = Comment.objects.get(post=post)
    response = client.post(_url(mine), {"value": "1"}, **JSON)
    assert response.status_code == 403
    assert "your own" in response.json()["error"]
