"""Subscribing, confirming each subscription, and unsubscribing.

A guest's subscription needs its own confirmation, through a signed link
mailed to the address, which activates exactly what that comment asked for;
links in emails ask on GET and act on POST, so mail scanners change nothing.
"""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from forum import limits
from forum.models import Subscription
from tests.factories import comment_data, make_post, make_user
from tests.html import soup
from tests.notifying import SITE, confirmation_link, links_in, post_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings, relaxed_posting, guests_trusted):
    settings.SITE_URL = SITE


def confirmed(**filters) -> list[bool]:
    subscriptions = Subscription.objects.filter(**filters).order_by("kind")
    return [s.confirmed_at is not None for s in subscriptions]


def follows(client, post, email, mails, **boxes) -> int:
    """A guest's comment with notify boxes ticked; returns the comment's id."""
    boxes = boxes or {"notify_post": "on"}
    with mails():
        return post_comment(client, post, email=email, **boxes)


def test_the_form_offers_both_notification_choices(client):
    page = client.get(make_post().get_absolute_url()).content.decode()
    assert "Notify me of replies to my comment by email." in page
    assert "Notify me of all new comments on this post by email." in page


def test_one_email_asks_to_confirm_both_of_a_comments_subscriptions(client, mails):
    post = make_post(title="Bakhmut")
    follows(client, post, "ann@mail.test", mails, notify_post="on", notify_replies="on")
    [message] = mail.outbox
    assert message.to == ["ann@mail.test"]
    assert "Confirm" in message.subject and "Bakhmut" in message.subject
    assert "replies to your comment on “Bakhmut”" in message.body
    assert "all new comments on “Bakhmut”" in message.body
    assert confirmed(email="ann@mail.test") == [False, False]
    assert Client().post(confirmation_link("ann@mail.test")).status_code == 200
    assert confirmed(email="ann@mail.test") == [True, True]


def test_a_confirmed_address_cannot_be_subscribed_by_someone_else(client, mails):
    follows(client, make_post(), "ann@mail.test", mails)
    Client().post(confirmation_link("ann@mail.test"))  # Ann follows one post
    target = make_post()
    follows(Client(), target, "ann@mail.test", mails)  # Mallory, as Ann
    mail.outbox.clear()
    with mails():
        post_comment(Client(), target, author="Ben", email="ben@mail.test")
    assert mail.outbox == []
    assert confirmed(post=target) == [False]


def test_a_link_confirms_only_what_its_own_comment_asked_for(client, mails):
    mine, other = make_post(), make_post()
    follows(client, mine, "ann@mail.test", mails)
    link = confirmation_link("ann@mail.test")
    follows(Client(), other, "ann@mail.test", mails)  # someone else, as Ann
    Client().post(link)
    assert confirmed(post=mine) == [True]
    assert confirmed(post=other) == [False]


def test_the_owners_own_request_confirms_a_subscription_someone_else_began(
    client, mails
):
    post = make_post()
    follows(Client(), post, "ann@mail.test", mails)  # Mallory first, as Ann
    follows(client, post, "ann@mail.test", mails)  # then Ann herself
    Client().post(confirmation_link("ann@mail.test"))  # the newest email
    assert confirmed(post=post) == [True]


def test_a_prefetched_confirmation_link_confirms_nothing(client, mails):
    follows(client, make_post(title="Kherson"), "ann@mail.test", mails)
    response = Client().get(confirmation_link("ann@mail.test"))
    assert response.status_code == 200
    page = soup(response)
    assert "all new comments on “Kherson”" in page.get_text()
    assert page.select_one("form[method=post] button")
    assert confirmed(email="ann@mail.test") == [False]


def test_the_confirmation_page_button_confirms(client, mails):
    follows(client, make_post(), "ann@mail.test", mails)
    reader = Client(enforce_csrf_checks=True)
    link = confirmation_link("ann@mail.test")
    page = soup(reader.get(link))
    token = page.select_one("input[name=csrfmiddlewaretoken]")["value"]
    response = reader.post(link, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Your notifications are confirmed" in response.content.decode()
    assert confirmed(email="ann@mail.test") == [True]


def test_a_forged_confirmation_link_confirms_nothing(client, mails):
    follows(client, make_post(), "ann@mail.test", mails)
    response = Client().post("/email/confirm/not-a-signed-token/")
    assert response.status_code == 400
    assert confirmed(email="ann@mail.test") == [False]


def account_follows(client, post, mails) -> None:
    """The signed-in reader's comment on the post, asking for every new one."""
    data = comment_data(post, notify_post="on")
    del data["author"], data["email"]
    with mails():
        assert client.post("/comments/post/", data).status_code == 302


def test_an_accounts_first_subscription_waits_for_its_link(client, mails):
    client.force_login(make_user(email="una@mail.test"))
    account_follows(client, make_post(), mails)
    assert confirmed(email="una@mail.test") == [False]
    assert Client().post(confirmation_link("una@mail.test")).status_code == 200
    assert confirmed(email="una@mail.test") == [True]


def test_signing_up_with_someone_elses_address_subscribes_nobody(client, mails):
    client.force_login(make_user(email="victim@mail.test"))  # Mallory's account
    account_follows(client, make_post(), mails)
    mail.outbox.clear()
    with mails():
        post_comment(Client(), Subscription.objects.get().post, author="Ben")
    assert mail.outbox == []  # nothing reaches the victim unasked


def test_an_account_that_verified_its_address_subscribes_without_confirming(
    client, mails
):
    client.force_login(make_user(email="una@mail.test"))
    account_follows(client, make_post(), mails)
    Client().post(confirmation_link("una@mail.test"))
    mail.outbox.clear()
    account_follows(client, make_post(), mails)
    assert confirmed(email="una@mail.test") == [True, True]
    assert mail.outbox == []


def test_a_verified_account_confirms_what_a_guest_began_for_its_address(client, mails):
    client.force_login(make_user(email="una@mail.test"))
    account_follows(client, make_post(), mails)
    Client().post(confirmation_link("una@mail.test"))
    post = make_post()
    follows(Client(), post, "una@mail.test", mails)
    account_follows(client, post, mails)
    assert confirmed(post=post) == [True]


def test_one_address_gets_a_few_confirmation_emails_an_hour_at_most(mails):
    for _ in range(5):
        follows(Client(), make_post(), "target@mail.test", mails)
    sent = [m for m in mail.outbox if m.to == ["target@mail.test"]]
    assert len(sent) == limits.CONFIRMATIONS_TO_ADDRESS.times
    assert confirmed(email="target@mail.test") == [False] * 5


def test_a_guest_who_ticks_a_box_is_told_to_check_their_inbox(client):
    data = comment_data(make_post(), email="ann@mail.test", notify_post="on")
    response = client.post("/comments/post/", data, follow=True)
    page = soup(response).get_text(" ")
    assert "Check your inbox to confirm the email notifications" in page


def test_nobody_is_told_to_check_their_inbox_for_nothing(client, mails):
    post = make_post()
    follows(client, post, "ann@mail.test", mails)
    Client().post(confirmation_link("ann@mail.test"))
    quiet = Client().post("/comments/post/", comment_data(post, email="ann@mail.test"))
    again = Client().post(
        "/comments/post/",
        comment_data(post, email="ann@mail.test", notify_post="on"),
    )
    assert not list(get_messages(quiet.wsgi_request))
    assert not list(get_messages(again.wsgi_request))  # already confirmed


# --- Unsubscribing -------------------------------------------------------------


def unsubscribe_link(client, mails) -> str:
    """Ann follows a post; Ben comments; the link in Ann's notification."""
    post = make_post(title="Avdiivka")
    follows(client, post, "ann@mail.test", mails)
    Client().post(confirmation_link("ann@mail.test"))
    mail.outbox.clear()
    with mails():
        post_comment(Client(), post, author="Ben", email="ben@mail.test")
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert header.removeprefix(SITE) in links_in(message)
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    return header.removeprefix(SITE)


def test_an_unsubscribe_link_asks_before_it_acts(client, mails):
    link = unsubscribe_link(client, mails)
    response = Client().get(link)  # a mail scanner, or a link prefetcher
    assert response.status_code == 200
    page = soup(response)
    assert "new comments on “Avdiivka”" in page.get_text()
    assert page.select_one("form[method=post] button").get_text() == "Unsubscribe"
    assert Subscription.objects.count() == 1


def test_one_click_unsubscribe_from_a_mail_client(client, mails):
    """RFC 8058: a POST with List-Unsubscribe=One-Click, no cookie, no CSRF token."""
    link = unsubscribe_link(client, mails)
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_unsubscribe_page_button_unsubscribes(client, mails):
    link = unsubscribe_link(client, mails)
    reader = Client(enforce_csrf_checks=True)
    page = soup(reader.get(link))
    form = page.select_one("main form[method=post]")
    assert reader.post(form.get("action") or link).status_code == 200
    assert not Subscription.objects.exists()


def test_a_forged_unsubscribe_link_changes_nothing(client, mails):
    unsubscribe_link(client, mails)
    response = Client().post("/email/unsubscribe/not-a-signed-token/")
    assert response.status_code == 400
    assert Subscription.objects.count() == 1
