"""The comment form's signed token: bound to its post, and used a few times only.

A bot that fetched one form used to post with its token for a week, on any
post, as often as it liked: the minimum fill time and the forged-token check
then meant nothing.
"""

import time

import pytest
from django.core import signing

from forum.forms import TOKEN_SALT, TOKEN_USES
from forum.models import Comment
from tests.factories import aged_token, comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

URL = "/comments/post/"


@pytest.fixture(autouse=True)
def _known_and_unhurried(relaxed_posting):
    make_comment(
        post=make_post(), author_name="Anna Reader", author_email="anna@example.com"
    )


def test_a_token_from_another_posts_form_is_forged(client):
    post, other = make_post(), make_post()
    data = comment_data(post, form_token=aged_token(other))
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "send it again" in response.content.decode()
    assert not Comment.objects.filter(body=data["comment"]).exists()


def test_a_token_is_taken_a_few_times_then_the_form_asks_to_send_again(client):
    post = make_post()
    token = aged_token(post)
    for n in range(TOKEN_USES.times):
        sent = client.post(URL, comment_data(post, form_token=token, comment=f"#{n}"))
        assert sent.status_code == 302
    replay = client.post(URL, comment_data(post, form_token=token, comment="Again."))
    page = soup(replay)
    assert replay.status_code == 400
    assert "already been sent" in page.select_one(".form-errors").get_text()
    assert page.select_one("textarea[name=comment]").get_text().strip() == "Again."
    assert page.select_one("input[name=form_token]")["value"] != token
    assert Comment.objects.filter(post=post).count() == TOKEN_USES.times


def test_the_fresh_token_of_a_refused_replay_counts_the_fill_time_anew(
    client, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    post = make_post()
    token = aged_token(post)
    for n in range(TOKEN_USES.times + 1):
        replay = client.post(URL, comment_data(post, form_token=token, comment=f"{n}"))
    fresh = soup(replay).select_one("input[name=form_token]")["value"]
    response = client.post(URL, comment_data(post, form_token=fresh, comment="Now."))
    assert response.status_code == 400  # sent the moment it was shown
    assert not Comment.objects.filter(body="Now.").exists()


def test_correcting_field_errors_never_uses_the_token_up(client):
    post = make_post()
    token = aged_token(post)
    for _ in range(TOKEN_USES.times + 2):
        wrong = client.post(URL, comment_data(post, form_token=token, email="nope"))
        assert wrong.status_code == 400
        assert soup(wrong).select_one("input[name=form_token]")["value"] == token
    assert client.post(URL, comment_data(post, form_token=token)).status_code == 302
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED


def test_a_preview_then_a_post_with_one_token_is_accepted(client):
    post = make_post()
    token = aged_token(post)
    data = comment_data(post, form_token=token)
    assert client.post(URL, {**data, "preview": "1"}).status_code == 200
    assert client.post(URL, data).status_code == 302
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED


def test_a_token_from_before_tokens_named_their_post_asks_to_send_again(client):
    post = make_post()
    old = signing.dumps(time.time() - 60, salt=TOKEN_SALT)
    response = client.post(URL, comment_data(post, form_token=old, comment="Kept."))
    page = soup(response)
    assert response.status_code == 400
    assert "out of date" in page.select_one(".form-errors").get_text()
    assert page.select_one("textarea[name=comment]").get_text().strip() == "Kept."
    assert not Comment.objects.filter(post=post).exists()


def test_the_page_hands_out_a_token_for_its_own_post(client):
    post = make_post()
    page = soup(client.get(post.get_absolute_url()))
    token = page.select_one("input[name=form_token]")["value"]
    assert signing.loads(token, salt=TOKEN_SALT)[1] == post.pk
