"""Signed one-click decision links from moderators' emails (issue 15).

Through the real stack: the test client, not logged in (the signature is the
credential), and the comments' status history in the database.
"""

import threading

import pytest
from django.core import signing
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentStatusChange
from forum.services import decision_links as links
from forum.services import triage
from tests.admin_client import soup, status
from tests.factories import make_comment, make_moderator, make_post, make_user
from tests.racing import races

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def comment():
    post = make_post(status="published")
    return make_comment(
        post=post,
        status=Status.PENDING,
        status_reason="first comment by this author",
        body="Held <script>alert(1)</script> **text**",
    )


def link(comment, action, moderator):
    return links.path(comment, action, moderator, links.last_change(comment))


def test_get_shows_the_comment_and_one_button_and_changes_nothing(
    client, comment, moderator, django_assert_max_num_queries
):
    url = link(comment, "approve", moderator)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    page = soup(response)
    assert len(page.select(".email-decision form[method=post] button")) == 1
    assert page.select_one(".comment-body strong").text == "text"
    assert "<script>" not in response.content.decode()
    assert status(comment) == Status.PENDING
    assert not CommentStatusChange.objects.filter(channel="email").exists()


@pytest.mark.parametrize(
    "action,expected",
    [("approve", Status.APPROVED), ("spam", Status.SPAM), ("remove", Status.REMOVED)],
)
def test_post_decides_as_the_moderator_through_the_email_channel(
    client, comment, moderator, action, expected
):
    response = client.post(link(comment, action, moderator))
    assert response.status_code == 200
    assert status(comment) == expected
    change = CommentStatusChange.objects.get(comment=comment, channel="email")
    assert (change.moderator, change.to_status) == (moderator, expected)


def test_a_forged_link_is_refused_and_changes_nothing(client, comment, moderator):
    token = links.make(comment, "approve", moderator, 0)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("cockpit:email", kwargs={"token": forged}))
    assert response.status_code == 400
    assert "does not work" in response.content.decode()
    assert status(comment) == Status.PENDING


def test_a_link_signed_with_another_salt_is_refused(client, comment, moderator):
    token = signing.dumps({"c": comment.pk, "a": "approve", "m": moderator.pk, "s": 0})
    response = client.post(reverse("cockpit:email", kwargs={"token": token}))
    assert response.status_code == 400
    assert status(comment) == Status.PENDING


def test_an_expired_link_is_refused(client, comment, moderator, monkeypatch):
    url = link(comment, "approve", moderator)
    later = signing.time.time() + links.MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(url)
    assert response.status_code == 400
    assert status(comment) == Status.PENDING


def test_a_week_old_link_still_works(client, comment, moderator, monkeypatch):
    url = link(comment, "approve", moderator)
    later = signing.time.time() + links.MAX_AGE - 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.post(url).status_code == 200
    assert status(comment) == Status.APPROVED


def test_a_comment_decided_meanwhile_is_refused_naming_who_and_when(
    client, comment, moderator
):
    url = link(comment, "spam", moderator)
    ana = make_moderator(username="ana", first_name="Ana")
    triage.decide(comments=[comment], action="approve", moderator=ana)
    change = CommentStatusChange.objects.get(comment=comment, channel="queue")
    response = client.get(url)
    assert response.status_code == 409
    said = soup(response).select_one(".decided").text
    assert "Already approved by Ana at" in said
    assert f"at {timezone.localtime(change.created_at):%H:%M}" in said
    assert client.post(url).status_code == 409
    assert status(comment) == Status.APPROVED


def test_a_used_link_cannot_act_twice(client, comment, moderator):
    url = link(comment, "approve", moderator)
    assert client.post(url).status_code == 200
    triage.decide(
        comments=[Comment.objects.get(pk=comment.pk)],
        action="hold",
        moderator=moderator,
    )
    assert client.post(url).status_code == 409
    assert status(comment) == Status.PENDING


def test_a_moderator_who_lost_the_permission_is_refused(client, comment, moderator):
    url = link(comment, "approve", moderator)
    moderator.groups.clear()
    response = client.post(url)
    assert response.status_code == 403
    assert status(comment) == Status.PENDING


def test_a_link_for_a_plain_user_is_refused(client, comment):
    response = client.post(link(comment, "approve", make_user()))
    assert response.status_code == 403
    assert status(comment) == Status.PENDING


def test_only_approve_spam_and_remove_are_signed(comment, moderator):
    with pytest.raises(ValueError):
        links.make(comment, "block", moderator, 0)


@races
def test_two_clicks_at_once_decide_once_and_the_second_is_told(comment, moderator):
    url = link(comment, "approve", moderator)
    answers = []

    def click():
        try:
            answers.append(Client().post(url).status_code)
        finally:
            connections.close_all()

    clicks = [threading.Thread(target=click) for _ in range(2)]
    with transaction.atomic():
        # Hold the comment's row so both clicks are in flight at once.
        Comment.objects.select_for_update().get(pk=comment.pk)
        for thread in clicks:
            thread.start()
        _wait_for_lock_waiters(2)
    for thread in clicks:
        thread.join(30)
    assert sorted(answers) == [200, 409]
    assert CommentStatusChange.objects.filter(comment=comment).count() == 1


def _wait_for_lock_waiters(count: int) -> None:
    """Until `count` connections wait for a row lock (10 s at most).

    Asked on a connection of its own: inside a transaction, PostgreSQL shows
    one snapshot of pg_stat_activity.
    """
    watcher = connections.create_connection("default")
    try:
        with watcher.cursor() as cursor:
            for _ in range(200):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0] >= count:
                    return
                threading.Event().wait(0.05)
    finally:
        watcher.close()
    raise AssertionError(f"{count} clicks never waited for the comment's lock")
