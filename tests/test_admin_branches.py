"""Branch actions, actions on authors and the blocklist, run from the admin.

Logged in as a moderator (a staff user in the migration's "Moderators"
group); their effect is checked on the public site, with readers' own posts
through the comment form.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from forum.models import BlocklistEntry, Comment, CommentStatusChange, TrustedAuthor
from tests import admin_client
from tests.admin_client import public_page, said, status
from tests.factories import comment_data, make_comment, make_post
from tests.html import soup

# Readers here post several comments in a row.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_posting")]

Status = Comment.Status
LOCKED = "Replies to this conversation are closed by a moderator."
REMOVED_TEXT = "This comment was removed."


def act(client, action, comments):
    response = admin_client.act(client, action, comments)
    assert response.status_code == 302
    return response


def reply_links(page) -> set[int]:
    return {int(a["data-commentid"]) for a in page.select(".comment-reply-link")}


def shown_ids(page) -> list[int]:
    return [int(li["id"].removeprefix("comment-")) for li in page.select("li.comment")]


def reader_posts(post, meta=None, **overrides):
    """A reader sends the public comment form."""
    return Client().post(
        reverse("forum:comment-create"), comment_data(post, **overrides), **(meta or {})
    )


def latest() -> Comment:
    return Comment.objects.latest("pk")


# --- Locking a branch -----------------------------------------------------------------


@pytest.fixture
def thread():
    """Ada; Ben replying to Ada; Cy replying to Ben; then Dee on her own."""
    post = make_post()
    ada = make_comment(post=post, author_name="Ada")
    ben = make_comment(post=post, parent=ada, author_name="Ben")
    cy = make_comment(post=post, parent=ben, author_name="Cy")
    dee = make_comment(post=post, author_name="Dee")
    return post, ada, ben, cy, dee


def test_locked_branch_has_no_reply_links_and_says_so(mod, thread):
    post, ada, ben, cy, dee = thread
    response = act(mod, "lock_branches", [ben])
    page = public_page(post)
    assert reply_links(page) == {ada.pk, dee.pk}
    note = page.select_one(f"#div-comment-{ben.pk} .comment-locked")
    assert note.get_text() == "Replies to this conversation are closed."
    assert said(response) == ["1 branch locked: no new replies below it."]


def test_reply_inside_a_locked_branch_is_refused(mod, thread):
    post, ada, ben, cy, dee = thread
    act(mod, "lock_branches", [ben])
    response = reader_posts(post, comment_parent=str(cy.pk))
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert Comment.objects.filter(post=post).count() == 4


def test_rest_of_the_thread_still_takes_replies_under_a_lock(mod, thread):
    post, ada, ben, cy, dee = thread
    act(mod, "lock_branches", [ben])
    assert reader_posts(post, comment_parent=str(ada.pk)).status_code == 302
    assert latest().parent_id == ada.pk


def test_unlocking_a_branch_takes_replies_again(mod, thread):
    post, ada, ben, cy, dee = thread
    act(mod, "lock_branches", [ben])
    response = act(mod, "unlock_branches", [ben])
    assert said(response)[-1] == "1 branch unlocked."
    assert reply_links(public_page(post)) == {ada.pk, ben.pk, cy.pk, dee.pk}
    assert reader_posts(post, comment_parent=str(cy.pk)).status_code == 302
    assert latest().parent_id == cy.pk


def test_lock_shows_on_the_comments_admin_page(mod, thread):
    post, ada, ben, cy, dee = thread
    act(mod, "lock_branches", [ben])
    page = mod.get(reverse("admin:forum_comment_change", args=[ben.pk]))
    field = soup(page).select_one(".field-is_locked .readonly img")
    assert field["alt"] == "True"


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        (["lock_branches"], "Locked (no new replies below)."),
        (["lock_branches", "unlock_branches"], "Unlocked."),
        (["remove_branches"], "Removed with their branches."),
        (["remove_branches", "restore_branches"], "Restored with their branches."),
        (["trust_authors"], "Author trusted."),
    ],
)
def test_branch_and_author_actions_write_the_admin_history(
    mod, moderator, thread, actions, message
):
    post, ada, ben, cy, dee = thread
    for action in actions:
        act(mod, action, [ben])
    entry = LogEntry.objects.filter(object_id=str(ben.pk)).latest("pk")
    assert (entry.user, entry.get_change_message()) == (moderator, message)


# --- Removing a branch ----------------------------------------------------------------


@pytest.fixture
def branch():
    """Ada's branch: Ben (with Cy, and Fay pending) and Eve, removed on her own."""
    post = make_post()
    ada = make_comment(post=post)
    ben = make_comment(post=post, parent=ada)
    cy = make_comment(post=post, parent=ben)
    fay = make_comment(post=post, parent=ben, status=Status.PENDING)
    eve = make_comment(post=post, parent=ada, status=Status.REMOVED)
    other = make_comment(post=post)
    return post, {"ada": ada, "ben": ben, "cy": cy, "fay": fay, "eve": eve}, other


def test_removing_a_branch_removes_every_reply_in_one_action(mod, branch):
    post, people, other = branch
    response = act(mod, "remove_branches", [people["ada"]])
    assert {status(c) for c in people.values()} == {Status.REMOVED}
    assert status(other) == Status.APPROVED
    assert said(response) == ["1 branch removed (4 comments)."]
    assert shown_ids(public_page(post)) == [other.pk]


def test_branch_removal_is_recorded_as_one_batch_by_its_moderator(
    mod, moderator, branch
):
    post, people, other = branch
    act(mod, "remove_branches", [people["ada"]])
    changes = CommentStatusChange.objects.filter(to_status=Status.REMOVED)
    assert {c.comment_id for c in changes} == {
        people[name].pk for name in ("ada", "ben", "cy", "fay")
    }
    assert len({c.batch for c in changes}) == 1
    assert {c.moderator for c in changes} == {moderator}


def test_restoring_a_branch_undoes_exactly_that_removal(mod, branch):
    post, people, other = branch
    act(mod, "remove_branches", [people["ada"]])
    response = act(mod, "restore_branches", [people["ada"]])
    assert {name: status(c) for name, c in people.items()} == {
        "ada": Status.APPROVED,
        "ben": Status.APPROVED,
        "cy": Status.APPROVED,
        "fay": Status.PENDING,
        "eve": Status.REMOVED,
    }
    assert said(response)[-1] == "1 branch restored (4 comments)."


def test_branch_removed_after_its_top_comment_can_be_restored(mod):
    post = make_post()
    ada = make_comment(post=post)
    ben = make_comment(post=post, parent=ada)
    act(mod, "remove_comments", [ada])
    act(mod, "remove_branches", [ada])
    response = act(mod, "restore_branches", [ada])
    assert (status(ada), status(ben)) == (Status.REMOVED, Status.APPROVED)
    assert said(response)[-1] == "1 branch restored (1 comment)."


def test_removing_a_branch_keeps_a_placeholder_while_other_replies_show(mod):
    post = make_post()
    ada = make_comment(post=post)
    ben = make_comment(post=post, parent=ada)
    make_comment(post=post, parent=ben)
    gil = make_comment(post=post, parent=ada, body="Gil stays")
    act(mod, "remove_comments", [ada])
    act(mod, "remove_branches", [ben])
    page = public_page(post)
    assert shown_ids(page) == [ada.pk, gil.pk]
    placeholder = page.select_one(f"#div-comment-{ada.pk}")
    assert placeholder.get_text(strip=True) == REMOVED_TEXT


def test_removing_the_last_visible_branch_drops_the_placeholder_above(mod):
    post = make_post()
    ada = make_comment(post=post)
    ben = make_comment(post=post, parent=ada)
    act(mod, "remove_comments", [ada])
    act(mod, "remove_branches", [ben])
    assert shown_ids(public_page(post)) == []


# --- Trusting and blocking authors ----------------------------------------------------


def test_trusted_authors_next_comment_skips_the_first_comment_hold(mod):
    post = make_post()
    reader_posts(post, email="nina@example.com")
    first = latest()
    assert first.status == Status.PENDING
    response = act(mod, "trust_authors", [first])
    assert said(response) == ["1 author trusted."]
    assert TrustedAuthor.objects.filter(email="nina@example.com").exists()
    reader_posts(post, email="nina@example.com")
    assert latest().status == Status.APPROVED


def test_untrusted_authors_next_comment_is_still_held(mod):
    post = make_post()
    reader_posts(post, email="nina@example.com")
    act(mod, "trust_authors", [latest()])
    reader_posts(post, email="otto@example.com")
    assert latest().status == Status.PENDING


@pytest.fixture
def blocked(mod):
    """A comment from spammer@example.com at 192.0.2.50, its author blocked."""
    post = make_post()
    comment = make_comment(
        post=post, author_email="spammer@example.com", ip_address="192.0.2.50"
    )
    response = act(mod, "block_authors", [comment])
    return post, response


def test_blocking_adds_the_authors_email_and_ip_to_the_blocklist(blocked, moderator):
    post, response = blocked
    entries = set(BlocklistEntry.objects.values_list("kind", "value"))
    assert entries == {("email", "spammer@example.com"), ("ip", "192.0.2.50")}
    assert said(response) == ["2 blocklist entries added."]
    logged = LogEntry.objects.filter(
        user=moderator,
        content_type=ContentType.objects.get_for_model(BlocklistEntry),
    )
    assert logged.count() == 2


def test_blocked_email_sends_the_next_comment_to_spam(blocked):
    post, _ = blocked
    reader_posts(post, email="spammer@example.com", meta={"REMOTE_ADDR": "10.0.0.1"})
    assert latest().status == Status.SPAM


def test_blocked_ip_sends_the_next_comment_to_spam(blocked):
    post, _ = blocked
    reader_posts(post, email="new@example.com", meta={"REMOTE_ADDR": "192.0.2.50"})
    assert latest().status == Status.SPAM


# --- The blocklist, edited in the admin -----------------------------------------------


def add_entry(client, kind, value):
    url = reverse("admin:forum_blocklistentry_add")
    return client.post(url, {"kind": kind, "value": value, "note": "from a test"})


@pytest.mark.parametrize(
    ("kind", "value", "overrides", "meta"),
    [
        ("word", "Casino", {"comment": "Visit my casino!"}, {}),
        ("email", "spammer@example.com", {"email": "Spammer@Example.com"}, {}),
        ("email", "@spam.example", {"email": "anyone@spam.example"}, {}),
        ("ip", "198.51.100.7", {}, {"REMOTE_ADDR": "198.51.100.7"}),
        ("ip", "198.51.100.0/24", {}, {"REMOTE_ADDR": "198.51.100.200"}),
    ],
)
def test_blocklist_entry_added_in_the_admin_applies_to_new_comments(
    mod, kind, value, overrides, meta
):
    assert add_entry(mod, kind, value).status_code == 302
    reader_posts(make_post(), meta=meta, **overrides)
    comment = latest()
    entry = BlocklistEntry.objects.get()
    assert comment.status == Status.SPAM
    assert comment.status_reason == f'blocklist entry "{entry.value}"'


def test_blocklist_range_spares_addresses_outside_it(mod):
    add_entry(mod, "ip", "198.51.100.0/24")
    reader_posts(make_post(), meta={"REMOTE_ADDR": "198.51.101.1"})
    assert latest().status == Status.PENDING


def test_blocklist_admin_refuses_a_malformed_ip(mod):
    response = add_entry(mod, "ip", "198.51.100.300")
    assert response.status_code == 200
    assert "Enter an IP address" in response.content.decode()
    assert not BlocklistEntry.objects.exists()
