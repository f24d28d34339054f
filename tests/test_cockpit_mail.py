"""Moderators hear of held and reported comments: at once, hourly, or never (issue 15).

Through the real stack: comments posted through the form, the outbox, Django's
mail outbox, the management command, and the signed links followed with the
test client.
"""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Comment, ModeratorPreference, Notification
from tests.admin_client import soup
from tests.factories import make_comment, make_moderator, make_post, make_user
from tests.notifying import SITE, follower, links_in, post_comment

pytestmark = pytest.mark.django_db
Mail = ModeratorPreference.Mail
Status = Comment.Status
PREFERENCES = reverse("cockpit:mail")


@pytest.fixture(autouse=True)
def _site(settings, relaxed_posting, guests_held):
    settings.SITE_URL = SITE


def moderator_wanting(mail_choice, **fields):
    user = make_moderator(email=f"{fields.get('username', 'm')}@mods.test", **fields)
    ModeratorPreference.objects.create(user=user, mail=mail_choice)
    return user


def mailed_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_held_comment_mails_each_at_once_moderator_after_commit(
    client, mails, django_capture_on_commit_callbacks
):
    ana = moderator_wanting(Mail.AT_ONCE, username="ana")
    moderator_wanting(Mail.HOURLY, username="hal")
    moderator_wanting(Mail.NEVER, username="nev")
    plain = make_user(email="plain@mods.test")
    ModeratorPreference.objects.create(user=plain, mail=Mail.AT_ONCE)
    post = make_post(status="published")
    follower(post, "reader@mail.test")
    with django_capture_on_commit_callbacks() as waiting:
        post_comment(
            client, post, author="Ben O'Hara", email="ben@mail.test", comment="Hi"
        )
        assert not Notification.objects.filter(kind="moderate").exists()
    assert waiting  # nothing written until the hold commits
    for callback in waiting:
        callback()
    [message] = mail.outbox
    assert message.to == [ana.email]
    assert "Ben O'Hara" in message.subject and post.title in message.subject
    assert "Ben O'Hara" in message.body
    assert "Hi" in message.body and "first comment" in message.body
    assert "ben@mail.test" in message.body  # the held author's own, for moderators
    assert "reader@mail.test" not in message.body
    paths = [p for p in links_in(message) if "/admin/queue/email/" in p]
    assert len(paths) == 3


def test_the_emailed_approve_link_asks_then_approves(client, mails):
    moderator_wanting(Mail.AT_ONCE, username="ana")
    post = make_post(status="published")
    with mails():
        pk = post_comment(client, post, author="Ben", comment="Hello there")
    [message] = mail.outbox
    approve = [p for p in links_in(message) if "/admin/queue/email/" in p][0]
    client.logout()
    assert client.get(approve).status_code == 200
    assert Comment.objects.get(pk=pk).status == Status.PENDING
    assert client.post(approve).status_code == 200
    assert Comment.objects.get(pk=pk).status == Status.APPROVED


def test_a_comment_approved_on_entry_mails_no_moderator(client, mails, settings):
    settings.COMMENT_HOLD_FIRST = False
    moderator_wanting(Mail.AT_ONCE, username="ana")
    with mails():
        post_comment(client, make_post(status="published"))
    assert mail.outbox == []


def test_enough_reports_mail_the_at_once_moderators(mails, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 2
    moderator_wanting(Mail.AT_ONCE, username="ana")
    comment = make_comment(post=make_post(status="published"), body="Rude words")
    with mails():
        for ip in ("192.0.2.1", "192.0.2.2"):
            services.comment_report(comment=comment, reason="Rude", ip_address=ip)
    [message] = mail.outbox
    assert "Rude words" in message.body and "reported by 2 readers" in message.body


def held(post, body):
    return make_comment(
        post=post, body=body, status=Status.PENDING, status_reason="links"
    )


def test_the_digest_sends_what_was_held_since_the_last_one_once(mails):
    hal = moderator_wanting(Mail.HOURLY, username="hal")
    moderator_wanting(Mail.AT_ONCE, username="ana")
    post = make_post(status="published")
    with mails():
        held(post, "First held")
        held(post, "Second held")
    mail.outbox.clear()
    call_command("send_moderator_digest", stdout=io.StringIO())
    [digest] = mail.outbox
    assert digest.to == [hal.email]
    assert "First held" in digest.body and "Second held" in digest.body
    assert "2 comments to moderate" in digest.subject
    assert len([p for p in links_in(digest) if "/admin/queue/email/" in p]) == 6
    call_command("send_moderator_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # nothing new: nothing sent
    held(post, "Third held")
    call_command("send_moderator_digest", stdout=io.StringIO())
    latest = mail.outbox[-1]
    assert "Third held" in latest.body and "First held" not in latest.body


def test_the_digest_holds_comments_reported_since_and_skips_decided_ones_and_backlog(
    settings,
):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    post = make_post(status="published")
    old = make_comment(post=post, body="Older comment")
    held(post, "Held before the choice")
    moderator_wanting(Mail.HOURLY, username="hal")
    later = held(post, "Approved meanwhile")
    services.comment_set_status(comments=[later], status=Status.APPROVED)
    services.comment_report(comment=old, reason="Rude", ip_address="192.0.2.1")
    call_command("send_moderator_digest", stdout=io.StringIO())
    [digest] = mail.outbox
    assert "Older comment" in digest.body
    assert "Approved meanwhile" not in digest.body
    assert "Held before the choice" not in digest.body  # the backlog is the queue's


def test_the_digest_queries_do_not_grow_with_the_comments():
    moderator_wanting(Mail.HOURLY, username="hal")
    post = make_post(status="published")

    def queries_for(count):
        for n in range(count):
            held(post, f"Held {n}")
        with CaptureQueriesContext(connection) as queries:
            call_command("send_moderator_digest", stdout=io.StringIO())
        return len(queries)

    assert queries_for(1) == queries_for(5)


def test_a_moderator_chooses_their_emails_from_the_queue(client):
    ana = make_moderator(username="ana", email="ana@mods.test")
    client.force_login(ana)
    queue = soup(client.get(reverse("cockpit:queue")))
    assert queue.select_one(f"a[href='{PREFERENCES}']")
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert soup(page).select_one("input[name=mail][value=never][checked]")
    assert not ModeratorPreference.objects.exists()  # looking writes nothing
    response = client.post(PREFERENCES, {"mail": "hourly"})
    assert response.status_code == 302
    assert ModeratorPreference.objects.get(user=ana).mail == Mail.HOURLY


def test_a_bad_choice_is_refused_and_keeps_the_old_one(client):
    ana = moderator_wanting(Mail.AT_ONCE, username="ana")
    client.force_login(ana)
    response = client.post(PREFERENCES, {"mail": "daily"})
    assert response.status_code == 200
    assert soup(response).select_one(".errorlist")
    assert ModeratorPreference.objects.get(user=ana).mail == Mail.AT_ONCE


def test_staff_who_are_not_moderators_have_no_email_page(client):
    client.force_login(make_user(is_staff=True))
    assert client.get(PREFERENCES).status_code == 403
    assert client.post(PREFERENCES, {"mail": "hourly"}).status_code == 403
    assert not ModeratorPreference.objects.exists()
