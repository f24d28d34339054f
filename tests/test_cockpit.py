"""The moderation queue (issue 15): who may use it, what it shows, its decisions.

Through the real stack: the test client against the admin's login, and the
services writing the comments.
"""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import (
    BlocklistEntry,
    Comment,
    CommentRevision,
    CommentStatusChange,
    TrustedAuthor,
)
from tests.admin_client import public_page, soup, status
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db
QUEUE = reverse("cockpit:queue")
DECIDE = reverse("cockpit:decide")
UNDO = reverse("cockpit:undo")
JSON = {"HTTP_ACCEPT": "application/json"}
Status = Comment.Status


@pytest.fixture
def post():
    return make_post(status="published")


def held(post, **fields):
    fields.setdefault("status", Status.PENDING)
    fields.setdefault("status_reason", "first comment by this author")
    return make_comment(post=post, **fields)


def entry_ids(response) -> list[int]:
    return [int(li["data-id"]) for li in soup(response).select("li.entry")]


def test_a_moderator_who_is_not_superuser_sees_the_queue(mod, moderator, post):
    assert not moderator.is_superuser
    first, second = held(post), held(post)
    response = mod.get(QUEUE)
    assert response.status_code == 200
    assert entry_ids(response) == [first.pk, second.pk]  # oldest first


def test_anonymous_readers_are_sent_to_log_in(client, post):
    held(post)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert client.post(DECIDE, {"action": "approve"}).status_code == 302


def test_staff_without_the_moderators_permissions_are_refused(client, post):
    comment = held(post)
    client.force_login(make_user(is_staff=True))
    assert client.get(QUEUE).status_code == 403
    data = {"action": "approve", "comment": comment.pk}
    assert client.post(DECIDE, data).status_code == 403
    assert status(comment) == Status.PENDING


def test_the_admin_index_links_the_queue_with_its_counts(mod, post):
    held(post)
    held(post)
    index = soup(mod.get(reverse("admin:index")))
    link = index.select_one(".cockpit-link")
    assert link.a["href"] == QUEUE
    counts = [c.get_text() for c in link.select(".cockpit-count")]
    assert counts == ["2", "0", "0"]


def test_an_entry_shows_the_comment_and_its_context(mod, post):
    parent = make_comment(post=post, body="The parent's own words here.")
    earlier = make_comment(post=post, author_email="nina@example.com")
    services.comment_set_status(comments=[earlier], status=Status.SPAM)
    comment = held(
        post,
        parent=parent,
        body="Some **bold** words <script>x()</script>",
        author_name="Nina",
        author_email="nina@example.com",
        ip_address="203.0.113.9",
    )
    entry = soup(mod.get(QUEUE)).select_one(f"#entry-{comment.pk}")
    assert entry.select_one(".entry-body strong").get_text() == "bold"
    assert entry.select_one(".entry-body script") is None
    assert "The parent's own words" in entry.select_one(".entry-parent").get_text()
    assert entry.select_one(".entry-thread-link")["href"] == comment.get_absolute_url()
    facts = entry.select_one(".entry-facts").get_text()
    assert "nina@example.com" in facts and "203.0.113.9" in facts
    history = entry.select_one(".entry-history").get_text()
    assert "0 approved, 1 spam, 0 removed, 1 waiting" in history
    assert entry.select_one(".entry-reason").get_text() == (
        "first comment by this author"
    )


def test_the_reported_tab_lists_reports_with_their_reasons(mod, post, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 5
    comment = make_comment(post=post)
    services.comment_report(comment=comment, reason="Rude", ip_address="192.0.2.1")
    response = mod.get(QUEUE, {"tab": "reported"})
    assert entry_ids(response) == [comment.pk]
    reports = soup(response).select_one(".entry-reports").get_text()
    assert "Rude" in reports
    # Keeping it (approving what is approved) is a decision: off the tab.
    mod.post(DECIDE, {"action": "approve", "comment": comment.pk, "tab": "reported"})
    assert status(comment) == Status.APPROVED
    assert entry_ids(mod.get(QUEUE, {"tab": "reported"})) == []
    # A new report after the decision brings it back.
    services.comment_report(comment=comment, reason="Spam", ip_address="192.0.2.2")
    assert entry_ids(mod.get(QUEUE, {"tab": "reported"})) == [comment.pk]


def test_the_spam_tab_lists_recent_spam_only(mod, post):
    recent = make_comment(post=post, status=Status.SPAM)
    make_comment(
        post=post,
        status=Status.SPAM,
        created_at=timezone.now() - timedelta(days=60),
    )
    assert entry_ids(mod.get(QUEUE, {"tab": "spam"})) == [recent.pk]


def test_filters_by_post_and_by_reason(mod, post):
    other = make_post(status="published")
    mine = held(post, status_reason="links to 3 sites")
    held(other, status_reason="links to 3 sites")
    held(post, status_reason="first comment by this author")
    assert entry_ids(mod.get(QUEUE, {"post": post.pk, "reason": "links"})) == [mine.pk]
    # Nonsense filters show the whole tab, never an error.
    response = mod.get(QUEUE, {"post": "x\x00", "tab": "nope", "reason": "\x00"})
    assert response.status_code == 200
    assert len(entry_ids(response)) == 3


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_the_queue_takes_as_many_queries_at_10_as_at_10000(mod, post):
    for n in range(10):
        held(post, author_email=f"a{n}@example.com", body=f"Held {n}")
    at_ten = _count_queries(mod)
    template = Comment.objects.filter(post=post).first()
    ids = Comment.objects.allocate_tree_ids(9990)
    Comment.objects.bulk_create(
        Comment(
            post=post,
            author_name=f"Bulk {n}",
            author_email=f"bulk{n % 300}@example.com",
            body=f"Bulk {n}",
            body_html=f"<p>Bulk {n}</p>",
            status=Status.PENDING,
            status_reason="first comment by this author",
            tree_id=tree_id,
            lft=1,
            rght=2,
            level=0,
            created_at=template.created_at,
        )
        for n, tree_id in enumerate(ids)
    )
    assert Comment.objects.filter(status=Status.PENDING).count() == 10000
    assert _count_queries(mod) == at_ten


def test_approve_is_recorded_with_who_and_channel_and_shown(mod, moderator, post):
    comment = held(post, body="Worth reading.")
    response = mod.post(DECIDE, {"action": "approve", "comment": comment.pk})
    assert response.status_code == 302
    assert status(comment) == Status.APPROVED
    change = CommentStatusChange.objects.get(comment=comment)
    assert (change.moderator, change.channel) == (moderator, "queue")
    assert "Worth reading." in public_page(post).get_text()
    done = soup(mod.get(QUEUE)).select_one("#cockpit-done")
    assert f"approved #{comment.pk}" in done.get_text()
    assert done.select_one("form.undo-form button")


@pytest.mark.parametrize(
    ("action", "expected"),
    [("hold", Status.PENDING), ("spam", Status.SPAM), ("remove", Status.REMOVED)],
)
def test_each_decision_sets_its_status(mod, post, action, expected):
    comment = make_comment(post=post) if action == "hold" else held(post)
    mod.post(DECIDE, {"action": action, "comment": comment.pk})
    assert status(comment) == expected


def test_undo_restores_the_earlier_status_and_is_recorded(mod, moderator, post):
    comment = held(post)
    mod.post(DECIDE, {"action": "spam", "comment": comment.pk})
    batch = mod.session["cockpit_done"]["batch"]
    mod.post(UNDO, {"batch": batch})
    assert status(comment) == Status.PENDING
    last = CommentStatusChange.objects.filter(comment=comment).latest()
    assert (last.to_status, last.reason, last.channel) == (
        Status.PENDING,
        "undone",
        "queue",
    )
    assert last.moderator == moderator


def test_block_author_spams_and_blocklists_and_undo_lifts_it(mod, post):
    comment = held(post, author_email="pest@example.com", ip_address="198.51.100.4")
    mod.post(DECIDE, {"action": "block", "comment": comment.pk})
    assert status(comment) == Status.SPAM
    values = set(BlocklistEntry.objects.values_list("value", flat=True))
    assert values == {"pest@example.com", "198.51.100.4"}
    done = mod.session["cockpit_done"]
    mod.post(UNDO, {"batch": done["batch"], "blocklist": done["blocklist"]})
    assert status(comment) == Status.PENDING
    assert not BlocklistEntry.objects.exists()


def test_trust_author_approves_and_trusts(mod, post):
    comment = held(post, author_email="friend@example.com")
    mod.post(DECIDE, {"action": "trust", "comment": comment.pk})
    assert status(comment) == Status.APPROVED
    assert TrustedAuthor.objects.filter(email="friend@example.com").exists()


def test_bulk_ticked_comments_are_one_undoable_batch(mod, post):
    a, b, c = held(post), held(post), held(post)
    mod.post(DECIDE, {"action": "approve", "comment": [a.pk, b.pk]})
    assert [status(x) for x in (a, b, c)] == [Status.APPROVED] * 2 + [Status.PENDING]
    batches = CommentStatusChange.objects.values_list("batch", flat=True)
    assert len(set(batches)) == 1
    mod.post(UNDO, {"batch": mod.session["cockpit_done"]["batch"]})
    assert [status(x) for x in (a, b)] == [Status.PENDING] * 2


def test_everything_by_this_author(mod, post):
    mine = [held(post, author_email="same@example.com") for _ in range(3)]
    other = held(post, author_email="other@example.com")
    mod.post(DECIDE, {"action": "spam", "author": mine[0].pk})
    assert [status(c) for c in mine] == [Status.SPAM] * 3
    assert status(other) == Status.PENDING


def test_javascript_gets_json_to_update_in_place(mod, post):
    comment = held(post)
    response = mod.post(DECIDE, {"action": "approve", "comment": comment.pk}, **JSON)
    body = response.json()
    assert body["decided"] == {str(comment.pk): "Approved"}
    assert "Undo" in body["done_html"]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},
        {"action": "explode", "comment": "1"},
        {"action": "approve", "comment": "99999999999999999999"},
        {"action": "approve", "comment": "x"},
    ],
)
def test_bad_decisions_get_a_message_never_a_500(mod, post, data):
    comment = held(post)
    response = mod.post(DECIDE, data, **JSON)
    assert response.status_code == 400
    assert response.json()["error"]
    assert mod.post(DECIDE, data).status_code == 302
    assert status(comment) == Status.PENDING


def test_bad_undo_gets_a_message(mod):
    assert mod.post(UNDO, {"batch": "nope"}, **JSON).status_code == 400
    response = mod.post(UNDO, {"batch": str(uuid.uuid4())}, **JSON)
    assert response.status_code == 200


def test_reply_as_moderator_is_approved_and_badged(mod, moderator, post):
    comment = held(post)
    url = reverse("cockpit:reply", args=[comment.pk])
    mod.post(url, {"body": "Thanks, approved below."})
    made = Comment.objects.get(parent=comment)
    assert (made.status, made.user) == (Status.APPROVED, moderator)
    services.comment_set_status(comments=[comment], status=Status.APPROVED)
    page = public_page(post)
    assert page.select_one(".badge-moderator") is not None


def test_quick_edit_keeps_the_earlier_text(mod, post):
    comment = held(post, body="Teh first text.")
    url = reverse("cockpit:edit", args=[comment.pk])
    response = mod.post(url, {"body": "The first text."}, **JSON)
    assert "The first text." in response.json()["body_html"]
    comment.refresh_from_db()
    assert comment.body == "The first text."
    assert CommentRevision.objects.get(comment=comment).body == "Teh first text."


def test_moderators_group_grants_the_queue(client, post):
    user = make_user(is_staff=True)
    client.force_login(user)
    assert client.get(QUEUE).status_code == 403
    user.groups.add(Group.objects.get(name="Moderators"))
    assert client.get(QUEUE).status_code == 200


def test_a_block_for_a_day_lifts_itself(mod, post):
    comment = held(post, author_email="brief@example.com", ip_address="198.51.100.8")
    mod.post(DECIDE, {"action": "block", "comment": comment.pk, "duration": "1"})
    entries = BlocklistEntry.objects.all()
    assert all(e.expires_at is not None for e in entries)
    assert BlocklistEntry.objects.active().count() == 2
    entries.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert BlocklistEntry.objects.active().count() == 0
    # A duration not offered is refused with a message, not a 500.
    data = {"action": "block", "comment": comment.pk, "duration": "99"}
    assert mod.post(DECIDE, data, **JSON).status_code == 400


def test_an_expired_block_no_longer_sends_comments_to_spam(post, settings):
    settings.COMMENT_HOLD_FIRST = False
    BlocklistEntry.objects.create(
        kind="email",
        value="late@example.com",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    BlocklistEntry.objects.create(kind="email", value="still@example.com")
    late = services.comment_submit(
        post=post,
        body="Back again.",
        parent_id=None,
        author_name="Late",
        author_email="late@example.com",
    )
    still = services.comment_submit(
        post=post,
        body="Here again.",
        parent_id=None,
        author_name="Still",
        author_email="still@example.com",
    )
    assert (late.status, still.status) == (Status.APPROVED, Status.SPAM)
