"""What the admin says after a bulk action: counts in words that agree with them.

Logged in as a moderator (tests/admin_client.py). The singular and plural of
each status action are in tests/test_admin_moderation.py.
"""

import pytest
from django.urls import reverse

from forum.models import Comment
from tests.admin_client import act, said
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

Status = Comment.Status
POSTS = reverse("admin:forum_post_changelist")


@pytest.fixture
def two_branches():
    """Ada with two replies below her, and Dee with one."""
    post = make_post()
    ada = make_comment(post=post)
    ben = make_comment(post=post, parent=ada)
    make_comment(post=post, parent=ben)
    dee = make_comment(post=post)
    make_comment(post=post, parent=dee)
    return ada, ben, dee


def test_removing_two_branches_counts_branches_and_comments(mod, two_branches):
    ada, ben, dee = two_branches
    response = act(mod, "remove_branches", [ada, dee])
    assert said(response) == ["2 branches removed (5 comments)."]


def test_a_reply_selected_with_its_branch_is_not_a_branch_of_its_own(mod, two_branches):
    ada, ben, dee = two_branches
    response = act(mod, "remove_branches", [ada, ben])
    assert said(response) == ["1 branch removed (3 comments)."]


def test_removing_a_single_comment_as_a_branch_says_one_comment(mod):
    leaf = make_comment(post=make_post())
    assert said(act(mod, "remove_branches", [leaf])) == [
        "1 branch removed (1 comment)."
    ]


def test_restoring_two_branches_counts_branches_and_comments(mod, two_branches):
    ada, ben, dee = two_branches
    act(mod, "remove_branches", [ada, dee])
    response = act(mod, "restore_branches", [ada, dee])
    assert said(response)[-1] == "2 branches restored (5 comments)."


def test_locking_two_branches_says_branches(mod, two_branches):
    ada, ben, dee = two_branches
    response = act(mod, "lock_branches", [ada, dee])
    assert said(response) == ["2 branches locked: no new replies below them."]


def test_unlocking_two_branches_says_branches(mod, two_branches):
    ada, ben, dee = two_branches
    act(mod, "lock_branches", [ada, dee])
    response = act(mod, "unlock_branches", [ada, dee])
    assert said(response)[-1] == "2 branches unlocked."


def test_trusting_two_authors_says_authors(mod):
    post = make_post()
    comments = [make_comment(post=post, status=Status.PENDING) for _ in range(2)]
    assert said(act(mod, "trust_authors", comments)) == ["2 authors trusted."]


def test_blocking_an_author_without_an_ip_adds_one_entry(mod):
    comment = make_comment(post=make_post(), author_email="solo@example.com")
    assert said(act(mod, "block_authors", [comment])) == ["1 blocklist entry added."]


def test_opening_comments_on_two_posts_says_posts(mod):
    posts = [make_post(comments_open=False) for _ in range(2)]
    response = act(mod, "open_comments", posts, changelist=POSTS)
    assert said(response) == ["Comments opened on 2 posts."]


def test_closing_comments_on_two_posts_says_posts(mod):
    posts = [make_post() for _ in range(2)]
    response = act(mod, "close_comments", posts, changelist=POSTS)
    assert said(response) == ["Comments closed on 2 posts."]
