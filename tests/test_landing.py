"""What a newcomer meets: messages where they land, the site's own name on the
account pages and emails, and counts said in words (ngettext), not "(s)".

What only a browser can see (focus, what is on screen) is in
tests/test_browser_landing.py.
"""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from forum.models import Comment
from forum.services.accounts import PRIVACY_SALT
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

THANKS = "Thank you. A moderator will look at this comment."


# --- Messages where the reader lands ------------------------------------------


def test_report_thanks_the_reader_beside_the_comment_they_land_on():
    post = make_post()
    comment = make_comment(post=post, body="Rude.")
    reader = Client()
    response = reader.post(f"/comments/{comment.pk}/report/", {"reason": "Rude."})
    page = soup(reader.get(response["Location"], follow=True))
    beside = page.select_one(f"#comment-{comment.pk} > .comment-messages")
    assert beside.get_text(strip=True) == THANKS
    assert beside.find_previous_sibling("article")["id"] == f"div-comment-{comment.pk}"
    assert page.select_one("main > .messages") is None  # not also at the top
    again = soup(reader.get(post.get_absolute_url()))
    assert THANKS not in again.get_text()  # said once


def test_report_that_holds_the_comment_thanks_atop_the_comments(settings):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    post = make_post()
    comment = make_comment(post=post)
    reader = Client()
    response = reader.post(f"/comments/{comment.pk}/report/", {"reason": "Spam."})
    assert response["Location"] == f"{post.get_absolute_url()}#comments"
    page = soup(reader.get(response["Location"]))
    first = page.select_one("#comments-title").find_next_sibling()
    assert first.get_text(strip=True) == THANKS


def test_a_deleted_comment_is_confirmed_atop_the_comments_where_one_lands():
    post = make_post()
    reader = Client()
    reader.post("/comments/post/", comment_data(post, comment="Regret this."))
    mine = Comment.objects.get(body="Regret this.")
    response = reader.post(f"/comment/{mine.pk}/delete/")
    assert response["Location"] == f"{post.get_absolute_url()}#comments"
    page = soup(reader.get(response["Location"]))
    first = page.select_one("#comments-title").find_next_sibling()
    assert first.get_text(strip=True) == "Your comment is removed."


def test_a_message_for_a_comment_on_another_page_shows_atop_the_comments(
    settings,
):
    settings.COMMENTS_PER_PAGE = 1
    post = make_post()
    first = make_comment(post=post)
    later = make_comment(post=post)
    reader = Client()
    reader.post(f"/comments/{later.pk}/report/", {"reason": "Off-topic."})
    page = soup(reader.get(post.get_absolute_url()))  # page 1: `first` only
    assert page.select_one(f"#comment-{first.pk}")
    top = page.select_one("#comments-title").find_next_sibling()
    assert top.get_text(strip=True) == THANKS


def test_untagged_messages_stay_at_the_top_of_the_page(client):
    client.post(
        reverse("forum:signup"),
        {
            "username": "nina",
            "email": "nina@mail.test",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    post = make_post()
    page = soup(client.get(post.get_absolute_url()))
    assert (
        page.select_one("main > .messages")
        .get_text(strip=True)
        .startswith("Welcome, nina.")
    )


def test_a_page_with_a_message_beside_a_comment_is_not_cached_for_others():
    post = make_post()
    comment = make_comment(post=post)
    Client().get(post.get_absolute_url())  # cached
    reader = Client()
    reader.post(f"/comments/{comment.pk}/report/", {"reason": "Rude."})
    assert THANKS in reader.get(post.get_absolute_url()).content.decode()
    assert THANKS not in Client().get(post.get_absolute_url()).content.decode()


# --- The site's name, not the host's ------------------------------------------


@pytest.mark.parametrize("name", ["login", "password_reset", "password_change"])
def test_account_pages_name_the_site(settings, name):
    settings.SITE_NAME = "Chatterbox"
    client = Client()
    if name == "password_change":
        client.force_login(make_user())
    page = soup(client.get(reverse(name)))
    assert page.select_one(".site-title").get_text(strip=True).endswith("Chatterbox")
    assert page.title.get_text().endswith("– Chatterbox")
    assert "testserver" not in page.get_text()


def test_password_reset_email_names_the_site(settings):
    settings.SITE_NAME = "Chatterbox"
    make_user(username="nina", email="nina@mail.test")
    Client().post(reverse("password_reset"), {"email": "nina@mail.test"})
    [message] = mail.outbox
    assert message.subject == "Reset your password on Chatterbox"
    assert "account nina on Chatterbox." in message.body
    assert "http://testserver/accounts/reset/" in message.body  # the address served


# --- Counts in words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "says", "button"),
    [
        (1, "One comment.", "Anonymise your comment"),
        (3, "3 comments.", "Anonymise all 3 comments"),
    ],
)
def test_privacy_page_counts_in_words(count, says, button):
    post = make_post()
    for _ in range(count):
        make_comment(post=post, author_email="ann@mail.test")
    token = signing.dumps("ann@mail.test", salt=PRIVACY_SALT)  # the mailed link's
    page = soup(Client().get(reverse("forum:privacy-manage", args=[token])))
    assert says in page.get_text()
    buttons = [b.get_text(strip=True) for b in page.select("button.submit")]
    assert button in buttons
    assert not re.search(r"\(s\)|\b1 comments\b|all 1 ", page.get_text())
