"""Reply notifications: subscribing, confirming, sending, unsubscribing."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from forum import services
from forum.models import ConfirmedEmail, Notification, Subscription
from forum.services import notifications
from tests.factories import comment_data, make_comment, make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings):
    settings.COMMENT_HOLD_FIRST = False
    settings.COMMENT_FLOOD_SECONDS = 0
    settings.SITE_URL = "https://blog.example"


def post_comment(client, post, **overrides):
    response = client.post("/comments/post/", comment_data(post, **overrides))
    assert response.status_code == 302, response.content[:2000]
    return int(response["Location"].rsplit("#comment-", 1)[1])


def links_in(message) -> list[str]:
    return re.findall(r"https://blog\.example/\S+", message.body)


def confirm(email: str) -> None:
    ConfirmedEmail.objects.create(email=email)


def ann_follows_a_post(client):
    """A new post whose every comment Ann (confirmed) wants to hear about."""
    confirm("ann@mail.test")
    post = make_post()
    post_comment(client, post, email="ann@mail.test", notify_post="on")
    return post


def test_the_form_offers_both_notification_choices(client):
    page = client.get(make_post().get_absolute_url()).content.decode()
    assert "Notify me of replies to my comment by email." in page
    assert "Notify me of all new comments on this post by email." in page


def test_a_guests_first_subscription_asks_to_confirm_the_address(
    client, django_capture_on_commit_callbacks
):
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post, email="ann@mail.test", notify_replies="on")
    assert Subscription.objects.get().email == "ann@mail.test"
    [message] = mail.outbox
    assert message.to == ["ann@mail.test"]
    assert "confirm" in message.subject.lower()
    [link] = links_in(message)
    assert "/email/confirm/" in link
    response = client.get(link.removeprefix("https://blog.example"))
    assert response.status_code == 200
    assert ConfirmedEmail.objects.filter(email="ann@mail.test").exists()


def test_a_reply_notifies_the_confirmed_author_of_the_comment_once(
    client, django_capture_on_commit_callbacks
):
    confirm("ann@mail.test")
    post = make_post()
    parent = post_comment(
        client, post, email="ann@mail.test", notify_replies="on", notify_post="on"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(
            Client(),
            post,
            author="Ben",
            email="ben@mail.test",
            comment="Good point.",
            comment_parent=str(parent),
        )
    [message] = mail.outbox  # both subscriptions match: still one email
    assert message.to == ["ann@mail.test"]
    assert "Ben replied to your comment" in message.subject
    assert "Good point." in message.body
    assert Notification.objects.get().sent_at is not None


def test_every_notification_has_one_click_unsubscribe(
    client, django_capture_on_commit_callbacks
):
    post = ann_follows_a_post(client)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(Client(), post, author="Ben", email="ben@mail.test")
    [message] = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert unsubscribe in message.body
    response = Client().post(unsubscribe.removeprefix("https://blog.example"))
    assert response.status_code == 200  # no login, no CSRF token: the link is the key
    assert not Subscription.objects.exists()


def test_a_forged_unsubscribe_link_changes_nothing(client):
    confirm("ann@mail.test")
    post_comment(client, make_post(), email="ann@mail.test", notify_post="on")
    response = Client().get("/email/unsubscribe/not-a-signed-token/")
    assert response.status_code == 400
    assert Subscription.objects.count() == 1


def test_unconfirmed_guests_get_nothing_but_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post, email="ann@mail.test", notify_post="on")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(Client(), post, author="Ben", email="ben@mail.test")
    assert mail.outbox == []


def test_nobody_is_told_about_their_own_comment(
    client, django_capture_on_commit_callbacks
):
    post = ann_follows_a_post(client)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post, email="ann@mail.test", comment="Me again.")
    assert mail.outbox == []


def test_a_held_comment_notifies_when_a_moderator_approves_it(
    client, settings, django_capture_on_commit_callbacks
):
    post = ann_follows_a_post(client)
    settings.COMMENT_HOLD_FIRST = True
    with django_capture_on_commit_callbacks(execute=True):
        held = post_comment(Client(), post, author="New", email="new@mail.test")
    assert mail.outbox == []
    comment = post.comments.get(pk=held)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comments=[comment], status="approved")
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comments=[comment], status="pending")
        services.comment_set_status(comments=[comment], status="approved")
    assert len(mail.outbox) == 1  # approved again: no second email


def test_signed_in_users_are_notified_without_confirming(
    client, django_capture_on_commit_callbacks
):
    user = make_user(email="una@mail.test")
    client.force_login(user)
    post = make_post()
    data = comment_data(post, notify_replies="on")
    del data["author"], data["email"]
    response = client.post("/comments/post/", data)
    parent = int(response["Location"].rsplit("#comment-", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(Client(), post, author="Ben", comment_parent=str(parent))
    assert [m.to for m in mail.outbox] == [["una@mail.test"]]


class BrokenBackend:
    """An email backend whose server is down (a real backend class)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_a_mail_failure_never_breaks_posting_and_is_retried(
    client, settings, django_capture_on_commit_callbacks
):
    post = ann_follows_a_post(client)
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(Client(), post, author="Ben", email="ben@mail.test")
    waiting = Notification.objects.get()
    assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert "SMTP server down" in waiting.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.get().sent_at is not None
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]


@pytest.mark.django_db(transaction=True)
def test_background_sending_happens_after_commit(client, settings):
    settings.NOTIFICATIONS_SEND = "background"
    post = ann_follows_a_post(client)
    post_comment(Client(), post, author="Ben", email="ben@mail.test")
    notifications.wait_for_senders()
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts server sessions")
def test_background_sending_leaves_no_database_connection_open(client, settings):
    settings.NOTIFICATIONS_SEND = "background"
    post = ann_follows_a_post(client)
    post_comment(Client(), post, author="Ben", email="ben@mail.test")
    notifications.wait_for_senders()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        assert cursor.fetchone()[0] == 1  # this test's own connection only


def test_send_notifications_dry_run_counts_what_waits(client, settings):
    settings.NOTIFICATIONS_SEND = "off"
    post = ann_follows_a_post(client)
    post_comment(Client(), post, author="Ben", email="ben@mail.test")
    out = StringIO()
    call_command("send_notifications", "--dry-run", stdout=out)
    assert "1 notification(s) waiting." in out.getvalue()
    assert mail.outbox == []


def test_approving_in_bulk_tells_each_subscriber_once_per_comment(
    django_capture_on_commit_callbacks,
):
    confirm("ann@mail.test")
    post = make_post()
    Subscription.objects.create(email="ann@mail.test", post=post, kind="post")
    held = [make_comment(post=post, status="pending") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comments=held, status="approved")
    assert len(mail.outbox) == 3
