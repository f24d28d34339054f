"""A comment's own admin page: editing, deleting, and why and by whom it moved.

Logged in as a moderator (a staff user in the migration's "Moderators"
group, not a superuser); deleting, which moderators may not do, as a
superuser.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentStatusChange, Post
from forum.tree_checks import find_problems
from tests.admin_client import CHANGELIST, act, change_url, form_data, status
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

Status = Comment.Status


# --- Deleting -------------------------------------------------------------------------


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_change_page_offers_no_delete_for_a_comment_with_replies(superuser_client):
    post = make_post()
    root = make_comment(post=post)
    leaf = make_comment(post=post, parent=root)
    assert (
        soup(superuser_client.get(change_url(root))).select_one(".deletelink") is None
    )
    assert soup(superuser_client.get(change_url(leaf))).select_one(".deletelink")


def test_deleting_a_comment_with_replies_is_refused_and_replies_survive(
    superuser_client,
):
    post = make_post()
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    url = reverse("admin:forum_comment_delete", args=[root.pk])
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk__in=[root.pk, reply.pk]).count() == 2


def test_deleting_a_leaf_keeps_the_tree_valid(superuser_client):
    post = make_post()
    root = make_comment(post=post)
    first = make_comment(post=post, parent=root)
    make_comment(post=post, parent=root)
    url = reverse("admin:forum_comment_delete", args=[first.pk])
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=first.pk).exists()
    assert find_problems() == []
    assert Comment.objects.get(pk=root.pk).get_descendant_count() == 1


def test_a_superuser_adds_a_reply_under_its_parent_with_its_account(
    superuser_client,
):
    post = make_post()
    root = make_comment(post=post)
    make_comment(post=post, parent=root)
    account = make_user(username="ada")
    add = reverse("admin:forum_comment_add")
    data = form_data(superuser_client.get(add))
    data.update(
        post=post.pk,
        parent=root.pk,
        status=Status.PENDING,
        user=account.pk,
        author_name="Ada",
        author_email="Ada@Mail.Test",
        body="Added *here*.",
    )
    response = superuser_client.post(add, data)
    assert response.status_code == 302
    added = Comment.objects.get(body="Added *here*.")
    assert (added.parent_id, added.user, added.status) == (root.pk, account, "pending")
    assert added.author_email == "ada@mail.test"  # as comment_create keeps it
    assert "<em>here</em>" in added.body_html
    replies = Comment.objects.filter(parent=root).order_by("lft")
    assert replies.last() == added
    assert find_problems() == []


def test_staff_who_may_add_comments_add_one_without_an_account(moderator):
    """Only a superuser sets the account: for other staff the add form has
    no `user` field, and the comment is a guest's under the name given."""
    moderator.user_permissions.add(Permission.objects.get(codename="add_comment"))
    client = Client()
    client.force_login(moderator)
    post = make_post()
    add = reverse("admin:forum_comment_add")
    data = form_data(client.get(add))
    assert "user" not in data
    data.update(
        post=post.pk,
        status=Status.APPROVED,
        author_name="Staff",
        author_email="staff@mail.test",
        body="Said by staff.",
        user=make_user().pk,  # ignored: not a field of this form
    )
    response = client.post(add, data)
    assert response.status_code == 302
    added = Comment.objects.get(body="Said by staff.")
    assert (added.post, added.parent, added.user) == (post, None, None)
    assert (added.author_name, added.status) == ("Staff", "approved")
    assert find_problems() == []


def test_bulk_delete_is_not_offered_even_to_a_superuser(superuser_client):
    make_comment(post=make_post())
    page = soup(superuser_client.get(CHANGELIST))
    actions = {o["value"] for o in page.select("select[name=action] option")}
    assert "delete_selected" not in actions
    assert "remove_comments" in actions


# --- Editing --------------------------------------------------------------------------


def test_editing_the_body_rerenders_html_and_keeps_its_place(mod):
    post = make_post()
    root = make_comment(post=post)
    comment = make_comment(post=post, parent=root, body="A *tpyo* here")
    make_comment(post=post, parent=comment)
    before = Comment.objects.filter(post=post).values_list(
        "pk", "tree_id", "lft", "rght", "level", "parent_id"
    )
    before = sorted(before)
    data = {**form_data(mod.get(change_url(comment))), "body": "A *typo* fixed"}
    response = mod.post(change_url(comment), data)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "A *typo* fixed"
    assert comment.body_html == "<p>A <em>typo</em> fixed</p>"
    after = Comment.objects.filter(post=post).values_list(
        "pk", "tree_id", "lft", "rght", "level", "parent_id"
    )
    assert sorted(after) == before


def test_editing_moves_the_posts_last_modified(mod):
    post = make_post()
    comment = make_comment(post=post, body="A tpyo")
    before = Post.objects.get(pk=post.pk).last_modified()
    data = {**form_data(mod.get(change_url(comment))), "body": "A typo"}
    mod.post(change_url(comment), data)
    assert Post.objects.get(pk=post.pk).last_modified() > before


def test_change_form_cannot_move_a_comment_to_another_post_or_parent(mod):
    post = make_post()
    comment = make_comment(post=post, parent=make_comment(post=post))
    other_post = make_post()
    elsewhere = make_comment(post=other_post)
    data = {
        **form_data(mod.get(change_url(comment))),
        "post": str(other_post.pk),
        "parent": str(elsewhere.pk),
    }
    assert mod.post(change_url(comment), data).status_code == 302
    moved = Comment.objects.get(pk=comment.pk)
    assert (moved.post_id, moved.parent_id) == (post.pk, comment.parent_id)
    assert find_problems() == []


def test_change_page_shows_post_and_parent_read_only(mod):
    post = make_post()
    comment = make_comment(post=post, parent=make_comment(post=post))
    form = soup(mod.get(change_url(comment))).select_one("#comment_form")
    assert form.select_one(".field-post .readonly")
    assert form.select_one(".field-parent .readonly")
    assert form.select_one("[name=post]") is None
    assert form.select_one("[name=parent]") is None


def test_changing_status_on_the_change_page_records_who_did_it(mod, moderator):
    comment = make_comment(post=make_post(), status=Status.PENDING)
    data = {**form_data(mod.get(change_url(comment))), "status": Status.APPROVED}
    assert mod.post(change_url(comment), data).status_code == 302
    change = CommentStatusChange.objects.get(comment=comment)
    assert (change.to_status, change.moderator) == (Status.APPROVED, moderator)
    assert status(comment) == Status.APPROVED


# --- Why and who ----------------------------------------------------------------------


def test_change_page_shows_why_a_comment_was_held(mod):
    comment = make_comment(
        post=make_post(), status=Status.SPAM, status_reason='blocklist entry "casino"'
    )
    page = soup(mod.get(change_url(comment)))
    reason = page.select_one(".field-status_reason .readonly").get_text(strip=True)
    assert reason == 'blocklist entry "casino"'


def test_change_page_shows_status_history_with_moderator_and_time(mod, moderator):
    comment = make_comment(post=make_post(), status=Status.PENDING)
    act(mod, "approve_comments", [comment])
    act(mod, "mark_spam", [comment])
    page = soup(mod.get(change_url(comment)))
    history = page.select("#status_changes-group tbody tr.has_original")
    cells = [
        [
            td.get_text(strip=True)
            for td in tr.select("td.field-to_status, .field-moderator")
        ]
        for tr in history
    ]
    assert cells == [["Spam", "mod"], ["Approved", "mod"]]
    when = history[0].select_one("td.field-created_at").get_text(strip=True)
    assert str(timezone.localdate().year) in when


def test_change_page_shows_the_chain_of_ancestors(mod):
    post = make_post()
    root = make_comment(post=post, author_name="Ada")
    middle = make_comment(post=post, parent=root, author_name="Grace")
    leaf = make_comment(post=post, parent=middle)
    page = soup(mod.get(change_url(leaf)))
    links = page.select(".field-ancestors .readonly a")
    assert [(a["href"], a.get_text()) for a in links] == [
        (change_url(root), f"#{root.pk} Ada"),
        (change_url(middle), f"#{middle.pk} Grace"),
    ]
