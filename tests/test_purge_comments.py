"""Retention (issue 15): manage.py purge_comments deletes old spam and removed
comments, keeps those with replies as placeholders, clears old IP addresses."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from forum.models import Comment
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db
Status = Comment.Status


def _ago(days):
    return timezone.now() - timedelta(days=days)


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_comments", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def thread():
    post = make_post(status="published")
    old = {"created_at": _ago(40), "ip_address": "203.0.113.5"}
    spam = make_comment(post=post, status=Status.SPAM, **old)
    removed = make_comment(post=post, status=Status.REMOVED, **old)
    with_reply = make_comment(post=post, status=Status.REMOVED, **old)
    reply = make_comment(post=post, parent=with_reply, **old)
    discarded_branch = make_comment(post=post, status=Status.SPAM, **old)
    make_comment(post=post, parent=discarded_branch, status=Status.SPAM, **old)
    recent = make_comment(post=post, status=Status.SPAM, ip_address="203.0.113.6")
    ancient = make_comment(
        post=post, created_at=_ago(100), ip_address="203.0.113.7", user_agent="UA"
    )
    return locals()


def test_dry_run_counts_and_changes_nothing(thread):
    before = Comment.objects.count()
    said = purge("--dry-run")
    assert said.startswith("Dry run: 4 comments to delete, 1 to keep")
    assert "1 comments' IP addresses to clear" in said
    assert Comment.objects.count() == before


def test_purge_deletes_keeps_placeholders_and_clears_addresses(thread, client):
    said = purge()
    assert said.startswith("4 comments deleted, 1 kept as placeholders")
    left = set(Comment.objects.values_list("pk", flat=True))
    expected = {thread[k].pk for k in ("with_reply", "reply", "recent", "ancient")}
    assert left == expected
    ancient = Comment.objects.get(pk=thread["ancient"].pk)
    assert (ancient.ip_address, ancient.user_agent) == (None, "")
    assert Comment.objects.get(pk=thread["recent"].pk).ip_address == "203.0.113.6"
    page = client.get(thread["post"].get_absolute_url()).content.decode()
    assert "This comment was removed." in page
    call_command("check_threads", stdout=StringIO())
    # Idempotent: a second run finds nothing to do.
    assert purge().startswith("0 comments deleted, 1 kept as placeholders")
    assert set(Comment.objects.values_list("pk", flat=True)) == expected


def test_zero_days_keeps_everything(thread, settings):
    settings.SPAM_RETENTION_DAYS = 0
    settings.IP_RETENTION_DAYS = 0
    assert purge().startswith("0 comments deleted, 0 kept")
