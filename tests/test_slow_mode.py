"""Slow mode: one comment per reader per N minutes on a post or under a branch."""

import pytest

from forum import services
from forum.models import Comment
from tests import factories
from tests.admin_client import CHANGELIST, said
from tests.factories import comment_data


def make_post(slow_mode_minutes=0):
    post = factories.make_post()
    services.post_update(post=post, fields={"slow_mode_minutes": slow_mode_minutes})
    return post


def make_comment(*, post, parent=None, slow_mode_minutes=0):
    comment = factories.make_comment(post=post, parent=parent)
    services.branch_slow_mode(comment=comment, minutes=slow_mode_minutes)
    return comment


URL = "/comments/post/"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_posting", "guests_trusted"),
]


def submit(client, post, ip="192.0.2.1", **overrides):
    return client.post(URL, comment_data(post, **overrides), REMOTE_ADDR=ip)


def test_a_slow_post_refuses_a_second_comment_says_when_and_keeps_the_text(client):
    post = make_post(slow_mode_minutes=10)
    assert submit(client, post).status_code == 302
    again = submit(client, post, comment="My second thought, kept for me.")
    page = again.content.decode()
    assert again.status_code == 429
    assert "once every 10 minutes" in page
    assert "You may send your comment in 10 minutes." in page
    assert "My second thought, kept for me." in page
    assert int(again["Retry-After"]) > 540
    assert Comment.objects.count() == 1


def test_slow_mode_follows_the_email_from_another_ip(client):
    post = make_post(slow_mode_minutes=5)
    submit(client, post, ip="192.0.2.1")
    again = submit(client, post, ip="198.51.100.9", author="Someone Else")
    assert again.status_code == 429


def test_others_and_other_posts_are_not_slowed(client):
    post = make_post(slow_mode_minutes=10)
    submit(client, post)
    assert submit(client, make_post()).status_code == 302
    other = submit(client, post, ip="192.0.2.2", email="bob@example.com")
    assert other.status_code == 302


def test_staff_are_exempt(client, moderator):
    client.force_login(moderator)
    post = make_post(slow_mode_minutes=10)
    assert submit(client, post).status_code == 302
    assert submit(client, post).status_code == 302
    assert Comment.objects.count() == 2


def test_a_slow_branch_limits_replies_anywhere_below_it_only(client):
    post = make_post()
    slow = make_comment(post=post, slow_mode_minutes=3)
    child = make_comment(post=post, parent=slow)
    elsewhere = make_comment(post=post)
    assert submit(client, post, comment_parent=str(child.pk)).status_code == 302
    again = submit(client, post, comment_parent=str(slow.pk), comment="Kept text.")
    assert again.status_code == 429
    assert "once every 3 minutes" in again.content.decode()
    assert "Kept text." in again.content.decode()
    # Outside the branch: a new thread, or a reply in another one.
    assert submit(client, post).status_code == 302
    assert submit(client, post, comment_parent=str(elsewhere.pk)).status_code == 302


def test_a_comment_outside_the_branch_does_not_count_inside_it(client):
    post = make_post()
    slow = make_comment(post=post, slow_mode_minutes=3)
    assert submit(client, post).status_code == 302
    assert submit(client, post, comment_parent=str(slow.pk)).status_code == 302


def test_the_service_raises_flooding_with_the_wait(client):
    post = make_post(slow_mode_minutes=2)
    submit(client, post)
    with pytest.raises(services.Flooding) as refused:
        services.comment_submit(
            post=post,
            body="Again.",
            parent_id=None,
            author_name="Anna Reader",
            author_email="anna@example.com",
            ip_address="192.0.2.1",
        )
    assert isinstance(refused.value, services.SlowMode)
    assert 60 < refused.value.retry_after <= 120


def test_the_admin_action_sets_slow_mode_on_a_branch(mod):
    post = make_post()
    comment = make_comment(post=post)
    response = mod.post(
        CHANGELIST,
        {
            "action": "slow_down_branches",
            "_selected_action": [comment.pk],
            "minutes": "15",
        },
    )
    assert said(response) == ["Slow mode set on 1 branch: 15 minutes."]
    comment.refresh_from_db()
    assert comment.slow_mode_minutes == 15


def test_the_admin_action_without_minutes_changes_nothing(mod):
    comment = make_comment(post=make_post())
    response = mod.post(
        CHANGELIST, {"action": "slow_down_branches", "_selected_action": [comment.pk]}
    )
    assert said(response) == [
        "Give the minutes for slow mode: a whole number, 0 to end it."
    ]
    comment.refresh_from_db()
    assert comment.slow_mode_minutes == 0


def test_post_update_sets_slow_mode():
    post = make_post()
    services.post_update(post=post, fields={"slow_mode_minutes": 20})
    post.refresh_from_db()
    assert post.slow_mode_minutes == 20
