"""Notification emails: who is told, once, and how the outbox sends them.

Subscribing and confirming are in tests/test_subscriptions.py.
"""

import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.models import BlocklistEntry, Comment, Notification, Post
from forum.services import outbox
from tests.admin_client import act
from tests.factories import (
    comment_data,
    make_comment,
    make_moderator,
    make_post,
    make_user,
)
from tests.html import soup
from tests.notifying import SITE, confirmation_link, follower, post_comment
from tests.wxr_files import comment_xml, item_xml, write_wxr

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings, relaxed_posting, guests_trusted):
    settings.SITE_URL = SITE


def followed_post(**fields):
    """A post whose every new comment Ann (confirmed) wants to hear about."""
    post = make_post(**fields)
    follower(post, "ann@mail.test")
    return post


def test_a_reply_notifies_the_author_of_the_comment_once(client, mails):
    post = make_post()
    parent = make_comment(post=post, author_email="ann@mail.test")
    follower(post, "ann@mail.test")
    follower(post, "ann@mail.test", kind="replies", comment=parent)
    with mails():
        post_comment(
            client, post, author="Ben", comment="Good point.", comment_parent=parent.pk
        )
    [message] = mail.outbox  # both subscriptions match: still one email
    assert message.to == ["ann@mail.test"]
    assert "Ben replied to your comment" in message.subject
    assert "Good point." in message.body
    assert Notification.objects.get().sent_at is not None


def test_unconfirmed_subscribers_get_nothing(client, mails):
    post = make_post()
    follower(post, "ann@mail.test", confirmed_at=None)
    with mails():
        post_comment(client, post, author="Ben", email="ben@mail.test")
    assert mail.outbox == []


def test_nobody_is_told_about_their_own_comment(client, mails):
    post = followed_post()
    with mails():
        post_comment(client, post, email="ann@mail.test", comment="Me again.")
    assert mail.outbox == []


def test_a_held_comment_notifies_when_a_moderator_approves_it_once(
    client, settings, mails
):
    post = followed_post()
    settings.COMMENT_HOLD_FIRST = True
    with mails():
        held = post.comments.get(pk=post_comment(client, post, email="new@mail.test"))
    assert mail.outbox == []
    with mails():
        services.comment_set_status(comments=[held], status="approved")
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]
    with mails():
        services.comment_set_status(comments=[held], status="pending")
        services.comment_set_status(comments=[held], status="approved")
    assert len(mail.outbox) == 1  # approved again: no second email


def test_a_comment_a_moderator_adds_approved_notifies_like_an_approval(client, mails):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    post = followed_post()
    form = soup(client.get("/admin/forum/comment/add/")).select("input[type=hidden]")
    data = {field["name"]: field.get("value", "") for field in form}  # inlines'
    data.update(
        post=post.pk,
        status="approved",
        author_name="Moderator Mo",
        author_email="mo@mail.test",
        body="Added in the admin.",
    )
    with mails():
        response = client.post("/admin/forum/comment/add/", data)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ann@mail.test"]
    assert "Added in the admin." in message.body


def test_importing_old_comments_mails_nobody_even_when_approved_later(tmp_path, mails):
    first = write_wxr(tmp_path / "a.xml", item_xml(1, comment_xml(1)))
    call_command("import_wxr", first, stdout=StringIO())
    post = Post.objects.get(wp_id=1)
    follower(post, "ann@mail.test")
    newer = comment_xml(1) + comment_xml(2) + comment_xml(3, approved="0")
    with mails():
        call_command(
            "import_wxr",
            write_wxr(tmp_path / "b.xml", item_xml(1, newer)),
            stdout=StringIO(),
        )
        held = post.comments.get(wp_id=3)
        services.comment_set_status(comments=[held], status="approved")
    call_command("send_notifications", stdout=StringIO())
    assert post.comments.approved().count() == 3
    assert mail.outbox == []


def test_approving_in_bulk_tells_each_subscriber_once_per_comment(mails):
    post = followed_post()
    held = [make_comment(post=post, status="pending") for _ in range(3)]
    with mails():
        services.comment_set_status(comments=held, status="approved")
    assert len(mail.outbox) == 3


# --- Nothing rendered under the thread lock -------------------------------------


def _work_while_posting(subscribers: int) -> tuple[int, int]:
    """Queries and template renders of one reply to a post with subscribers.

    Everything posting does before its commit: the thread lock is held from
    the first write to the commit, and what comes before it reads nothing
    about subscribers.
    """
    post = make_post()
    for n in range(subscribers):
        follower(post, f"reader{n}@mail.test")
    parent = make_comment(post=post)
    renders = []

    def count(**kwargs):
        renders.append(kwargs["template"].name)

    template_rendered.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            services.comment_submit(
                post=post, body="A reply.", parent_id=parent.pk, author_name="Ben"
            )
    finally:
        template_rendered.disconnect(count)
    return len(queries), len(renders)


def test_the_thread_lock_does_the_same_work_for_0_and_50_subscribers(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks():  # emails: not now
        nobody = _work_while_posting(0)
        many = _work_while_posting(50)
    assert nobody == many
    assert many[1] == 0  # no template at all


def test_50_subscribers_are_each_told_after_commit(client, mails):
    post = make_post()
    for n in range(50):
        follower(post, f"reader{n}@mail.test")
    with mails():
        post_comment(client, post, author="Ben")
    assert len(mail.outbox) == 50


def test_send_notifications_announces_what_a_crash_left_unrendered(client, settings):
    settings.NOTIFICATIONS_SEND = "off"  # as if the process died after commit
    post = followed_post()
    post_comment(client, post, author="Ben", email="ben@mail.test")
    assert Notification.objects.count() == 0
    out = StringIO()
    call_command("send_notifications", "--dry-run", stdout=out)
    assert "1 comment to announce" in out.getvalue()
    call_command("send_notifications", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]
    call_command("send_notifications", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_two_senders_announce_a_comment_once():
    post = followed_post()
    comment = make_comment(post=post)
    assert len(outbox.announce(comment)) == 1
    assert outbox.announce(comment) == []


# --- No length or character breaks posting or approving -------------------------


LONG_NAME = "N" * 100
LONG_TITLE = "T" * 200


def test_approving_a_comment_with_the_longest_name_and_title_works(mod, mails):
    post = followed_post(title=LONG_TITLE)
    held = make_comment(post=post, status="pending", author_name=LONG_NAME)
    with mails():
        response = act(mod, "approve_comments", [held])
    assert response.status_code == 302
    [message] = mail.outbox
    subject = Notification.objects.get().subject
    assert len(subject) <= Notification._meta.get_field("subject").max_length
    assert subject.startswith(f"New comment by {LONG_NAME} on “TTT")
    assert subject.endswith("…")
    assert message.subject == subject


def test_a_known_authors_comment_with_the_longest_name_is_posted(
    client, settings, mails
):
    settings.COMMENT_HOLD_FIRST = True
    post = followed_post(title=LONG_TITLE)
    make_comment(post=post, author_name=LONG_NAME, author_email="long@mail.test")
    with mails():
        pk = post_comment(client, post, author=LONG_NAME, email="long@mail.test")
    assert post.comments.get(pk=pk).status == "approved"
    [message] = mail.outbox
    assert len(message.subject) <= Notification._meta.get_field("subject").max_length


def test_a_line_break_in_a_title_never_reaches_a_subject(client, mails):
    post = followed_post(title="Two\nlines\r\nand\x0ba tab")
    with mails():
        post_comment(client, post, author="Ben", email="ben@mail.test")
    [message] = mail.outbox
    assert message.subject == "New comment by Ben on “Two lines and a tab”"


def test_a_blocklist_word_as_long_as_its_column_sends_a_comment_to_spam(client):
    word = "w" * BlocklistEntry._meta.get_field("value").max_length
    BlocklistEntry.objects.create(kind="word", value=word)
    data = comment_data(make_post(), comment=f"Buy {word} now.")
    assert client.post("/comments/post/", data).status_code == 302
    comment = Comment.objects.get()
    assert comment.status == "spam"
    assert comment.status_reason.startswith('blocklist entry "www')
    assert (
        len(comment.status_reason)
        <= Comment._meta.get_field("status_reason").max_length
    )


def test_blocking_an_author_with_the_longest_email_works(mod):
    email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 56}.test"
    comment = make_comment(post=make_post(), author_email=email)
    response = act(mod, "block_authors", [comment])
    assert response.status_code == 302
    assert len(email) <= BlocklistEntry._meta.get_field("value").max_length
    assert BlocklistEntry.objects.filter(kind="email", value=email).exists()


class BrokenBackend:
    """An email backend whose server is down (a real backend class)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down\x00")


def test_a_mail_failure_never_breaks_posting_and_is_retried(client, settings, mails):
    post = followed_post()
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with mails():
        post_comment(client, post, author="Ben", email="ben@mail.test")
    waiting = Notification.objects.get()
    assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert waiting.last_error == "SMTP server down"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications", stdout=StringIO())
    assert Notification.objects.get().sent_at is not None
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]


def test_send_notifications_dry_run_counts_what_waits(client, settings):
    settings.NOTIFICATIONS_SEND = "off"
    post = followed_post()
    post_comment(client, post, author="Ben", email="ben@mail.test")
    call_command("send_notifications", stdout=StringIO())
    Notification.objects.update(sent_at=None)
    out = StringIO()
    call_command("send_notifications", "--dry-run", stdout=out)
    assert "1 notification waiting" in out.getvalue()


# --- Background sending ----------------------------------------------------------
# Through the service, not the test client: on SQLite's shared in-memory test
# database a request reading while the sender writes would fail at once
# (table locks), where a real database file waits its turn.


def reply(post, **fields):
    fields.setdefault("author_name", "Ben")
    fields.setdefault("author_email", "ben@mail.test")
    fields.setdefault("body", "A reply.")
    return services.comment_submit(post=post, parent_id=None, **fields)


def join_senders() -> None:
    """Wait for the background senders without asking the module."""
    for thread in threading.enumerate():
        if thread.name == "parley-notifications":
            thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_background_sending_happens_after_commit(settings):
    settings.NOTIFICATIONS_SEND = "background"
    reply(followed_post())
    outbox.wait_for_senders()
    assert [m.to for m in mail.outbox] == [["ann@mail.test"]]


@pytest.mark.django_db(transaction=True)
def test_finished_background_senders_are_not_kept(settings):
    settings.NOTIFICATIONS_SEND = "background"
    post = followed_post()
    for n in range(3):
        reply(post, body=f"Reply {n}.")
        join_senders()
    assert len(mail.outbox) == 3
    assert outbox.senders_running() == 0


@pytest.mark.django_db(transaction=True)
def test_a_comment_nobody_follows_starts_no_background_sender(settings):
    settings.NOTIFICATIONS_SEND = "background"
    comment = reply(make_post())
    assert outbox.senders_running() == 0
    comment.refresh_from_db()
    assert comment.announcement == Comment.Announcement.DONE


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts server sessions")
def test_background_sending_leaves_no_database_connection_open(settings):
    settings.NOTIFICATIONS_SEND = "background"
    reply(followed_post())
    outbox.wait_for_senders()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        assert cursor.fetchone()[0] == 1  # this test's own connection only


def _held(client, post, **fields):
    """A guest's comment, held for a moderator; asks for email as told."""
    pk = post_comment(client, post, **fields)
    comment = post.comments.get(pk=pk)
    assert comment.status == "pending"
    return comment


def test_a_held_comments_author_is_told_once_when_it_is_approved(
    client, settings, mails
):
    settings.COMMENT_HOLD_FIRST = True
    post = make_post(title="On <trees> & more")
    with mails():
        held = _held(
            client, post, author="Ben", email="Ben@Mail.test", notify_replies="on"
        )
    client.post(confirmation_link("ben@mail.test"))
    mail.outbox.clear()
    with mails():
        services.comment_set_status(comments=[held], status="approved")
    [message] = mail.outbox
    assert message.to == ["ben@mail.test"]
    assert message.subject == "Your comment on “On <trees> & more” is published"
    assert "Ben, a moderator approved your comment" in message.body
    assert f"{SITE}/comment/{held.pk}/" in message.body
    assert "replies to your comment" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/")
    with mails():  # held again and approved again: nothing more
        services.comment_set_status(comments=[held], status="pending")
        services.comment_set_status(comments=[held], status="approved")
    assert len(mail.outbox) == 1


def test_an_author_who_asked_for_nothing_is_not_told_of_the_approval(
    client, settings, mails
):
    settings.COMMENT_HOLD_FIRST = True
    post = make_post()
    held = _held(client, post, email="ben@mail.test")
    with mails():
        services.comment_set_status(comments=[held], status="approved")
    assert mail.outbox == []


def test_an_unconfirmed_address_is_not_told_of_the_approval(client, settings, mails):
    settings.COMMENT_HOLD_FIRST = True
    post = make_post()
    with mails():
        held = _held(client, post, email="ben@mail.test", notify_post="on")
    [confirmation] = mail.outbox  # what the box sends: a link to confirm
    with mails():
        services.comment_set_status(comments=[held], status="approved")
    assert mail.outbox == [confirmation]


def test_a_comment_approved_on_entry_sends_its_author_no_approval(client, mails):
    post = make_post()
    follower(post, "ben@mail.test")
    with mails():
        post_comment(client, post, email="ben@mail.test", notify_post="on")
    assert mail.outbox == []


def test_the_author_and_the_followers_each_hear_of_an_approval(client, settings, mails):
    settings.COMMENT_HOLD_FIRST = True
    post = followed_post()
    follower(post, "ben@mail.test")
    held = _held(client, post, author="Ben", email="ben@mail.test")
    with mails():
        services.comment_set_status(comments=[held], status="approved")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["ben@mail.test"].startswith("Your comment on")
    assert subjects["ann@mail.test"].startswith("New comment by Ben")
    assert Notification.objects.get(to="ben@mail.test").kind == "approved"


def test_an_approval_from_the_queue_tells_the_author(client, settings, mails):
    settings.COMMENT_HOLD_FIRST = True
    post = make_post()
    follower(post, "ben@mail.test")
    held = _held(client, post, email="ben@mail.test")
    client.force_login(make_moderator(username="mo"))  # not a superuser
    with mails():
        response = client.post(
            "/admin/queue/decide/", {"comment": held.pk, "action": "approve"}
        )
    assert response.status_code in (200, 302), response.content[:500]
    [message] = mail.outbox
    assert message.to == ["ben@mail.test"]
