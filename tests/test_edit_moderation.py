"""An author's edit meets the same moderation rules as a new comment.

A guest with one approved comment could post a harmless second one, then
edit it within the edit window into blocklisted words or a wall of links,
and it stayed approved and live.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from forum import services
from forum.models import BlocklistEntry, Comment, CommentStatusChange
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

Status = Comment.Status
LINKS = "See https://one.example and https://two.example and https://three.example"


@pytest.fixture(autouse=True)
def _rules(settings, relaxed_posting, guests_held):
    settings.COMMENT_MAX_LINKS = 2


@pytest.fixture
def live(client):
    """A known guest's approved comment, posted from this browser."""
    make_comment(post=make_post(), author_name="Anna", author_email="anna@example.com")
    post = make_post()
    data = comment_data(post, author="Anna", email="anna@example.com", comment="Hi.")
    response = client.post("/comments/post/", data)
    comment = Comment.objects.get(pk=response["Location"].rsplit("-", 1)[1])
    assert comment.status == Status.APPROVED
    return comment


def edit(client, comment, text):
    return client.post(f"/comment/{comment.pk}/edit/", {"comment": text})


def history(comment) -> list[tuple[str, str, str]]:
    return list(
        CommentStatusChange.objects.filter(comment=comment).values_list(
            "from_status", "to_status", "reason"
        )
    )


def test_an_edit_adding_many_links_is_held_with_its_reason(client, live):
    response = edit(client, live, LINKS)
    live.refresh_from_db()
    assert (live.status, live.body) == (Status.PENDING, LINKS)
    assert history(live) == [
        (Status.APPROVED, Status.PENDING, "after an edit: 3 links")
    ]
    assert response["Location"] == f"{live.post.get_absolute_url()}#comments"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your edit is waiting for a moderator's look."
    ]


def test_an_edit_adding_a_blocklisted_word_is_spam(client, live):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    edit(client, live, "Best CASINO bonuses here.")
    live.refresh_from_db()
    assert live.status == Status.SPAM
    assert history(live) == [
        (Status.APPROVED, Status.SPAM, 'after an edit: blocklist entry "casino"')
    ]


def test_a_held_edit_is_gone_from_the_public_page(client, live):
    edit(client, live, LINKS)
    page = soup(Client().get(live.post.get_absolute_url()))
    assert page.select_one(f"#comment-{live.pk}") is None


def test_a_harmless_edit_stays_approved(client, live):
    assert edit(client, live, "Hi, everyone.")["Location"] == live.get_absolute_url()
    live.refresh_from_db()
    assert live.status == Status.APPROVED
    assert history(live) == []


def test_an_edit_of_a_pending_comment_stays_pending():
    comment = make_comment(post=make_post(), status=Status.PENDING)
    services.comment_author_edit(comment=comment, body="Now fine.")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert history(comment) == []


def test_a_pending_comment_edited_into_blocklisted_words_becomes_spam():
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    comment = make_comment(post=make_post(), status=Status.PENDING)
    services.comment_author_edit(comment=comment, body="casino")
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_a_staff_authors_edit_with_links_stays_approved():
    staff = make_user(is_staff=True)
    comment = make_comment(post=make_post(), user=staff)
    services.comment_author_edit(comment=comment, body=LINKS)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
