"""Who may moderate: the "Moderators" group of migration 0004, and nobody else.

The other admin test files prove that a moderator (a staff user in that
group, not a superuser) can do every moderation task; these prove the
group's exact permissions and what stays out of reach.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import BlocklistEntry, Comment, Post
from tests.factories import make_comment, make_moderator, make_post, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:forum_comment_changelist")
MODERATOR_PERMISSIONS = {
    "view_comment",
    "change_comment",
    "view_post",
    "view_category",
    "view_commentreport",
    "view_commentstatuschange",
    "add_blocklistentry",
    "change_blocklistentry",
    "delete_blocklistentry",
    "view_blocklistentry",
    "add_trustedauthor",
    "change_trustedauthor",
    "delete_trustedauthor",
    "view_trustedauthor",
}


@pytest.fixture
def staff(client):
    """A staff user outside the group."""
    client.force_login(make_user(is_staff=True))
    return client


def test_moderators_group_has_exactly_the_moderation_permissions():
    group = Group.objects.get(name="Moderators")
    permissions = group.permissions.select_related("content_type")
    assert {p.content_type.app_label for p in permissions} == {"forum"}
    assert {p.codename for p in permissions} == MODERATOR_PERMISSIONS


def test_moderator_is_staff_but_not_a_superuser():
    moderator = make_moderator()
    assert (moderator.is_staff, moderator.is_superuser) == (True, False)
    assert moderator.has_perm("forum.change_comment")
    assert not moderator.has_perm("forum.delete_comment")


# --- Staff outside the group ----------------------------------------------------------


def test_staff_outside_the_group_cannot_list_comments(staff):
    assert staff.get(CHANGELIST).status_code == 403


def test_staff_outside_the_group_cannot_open_a_comment(staff):
    comment = make_comment(post=make_post())
    url = reverse("admin:forum_comment_change", args=[comment.pk])
    assert staff.get(url).status_code == 403
    assert staff.post(url, {"body": "rewritten"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == comment.body


def test_staff_outside_the_group_cannot_run_moderation_actions(staff):
    comment = make_comment(post=make_post(), status=Comment.Status.PENDING)
    data = {"action": "approve_comments", "_selected_action": [comment.pk]}
    assert staff.post(CHANGELIST, data).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_staff_outside_the_group_sees_no_moderation_queue(staff):
    make_comment(post=make_post(), status=Comment.Status.PENDING)
    response = staff.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"moderation-queue" not in response.content


def test_staff_outside_the_group_cannot_edit_the_blocklist(staff):
    url = reverse("admin:forum_blocklistentry_add")
    response = staff.post(url, {"kind": "word", "value": "casino"})
    assert response.status_code == 403
    assert not BlocklistEntry.objects.exists()


# --- What moderators can't do ---------------------------------------------------------


def test_moderator_cannot_delete_posts(mod):
    post = make_post()
    url = reverse("admin:forum_post_delete", args=[post.pk])
    assert mod.get(url).status_code == 403
    assert mod.post(url, {"post": "yes"}).status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_moderator_cannot_edit_posts(mod):
    post = make_post(title="Original title")
    url = reverse("admin:forum_post_change", args=[post.pk])
    assert mod.get(url).status_code == 200  # to read it
    assert mod.post(url, {"title": "Defaced"}).status_code == 403
    assert Post.objects.get(pk=post.pk).title == "Original title"


def test_moderator_cannot_add_posts(mod):
    assert mod.get(reverse("admin:forum_post_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
    ],
)
def test_moderator_cannot_manage_users_or_groups(mod, url_name):
    assert mod.get(reverse(url_name)).status_code == 403


def test_moderator_cannot_change_their_own_account_in_the_admin(mod):
    moderator = mod.session["_auth_user_id"]
    url = reverse("admin:auth_user_change", args=[moderator])
    response = mod.post(url, {"username": "mod", "is_superuser": "on"})
    assert response.status_code == 403


def test_moderator_cannot_delete_comments(mod):
    comment = make_comment(post=make_post())
    url = reverse("admin:forum_comment_delete", args=[comment.pk])
    assert mod.post(url, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_moderator_can_delete_a_blocklist_entry(mod):
    entry = BlocklistEntry.objects.create(kind="word", value="casino")
    url = reverse("admin:forum_blocklistentry_delete", args=[entry.pk])
    assert mod.post(url, {"post": "yes"}).status_code == 302
    assert not BlocklistEntry.objects.exists()


def test_anonymous_visitor_is_sent_to_the_admin_login():
    response = Client().get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- A comment's user: superusers only ---------------------------------------------


def _change_data(comment, **fields) -> dict:
    data = {
        "status": comment.status,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": "",
        "body": comment.body,
        **fields,
    }
    for prefix in ("status_changes", "revisions", "reports"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_a_moderator_cannot_give_a_guests_comment_to_an_account(mod):
    guest = make_comment(post=make_post(), author_name="Guest")
    staff_account = make_moderator()
    url = reverse("admin:forum_comment_change", args=[guest.pk])
    page = mod.get(url).content.decode()
    assert 'name="user"' not in page
    response = mod.post(url, _change_data(guest, user=str(staff_account.pk)))
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.user is None


def test_a_superuser_can_change_a_comments_user(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    comment = make_comment(post=make_post())
    owner = make_user()
    url = reverse("admin:forum_comment_change", args=[comment.pk])
    assert (
        client.post(url, _change_data(comment, user=str(owner.pk))).status_code == 302
    )
    comment.refresh_from_db()
    assert comment.user == owner


def test_the_service_refuses_a_user_change_but_by_a_superuser():
    comment = make_comment(post=make_post())
    for editor in (None, make_moderator()):
        with pytest.raises(PermissionDenied):
            services.comment_edit(
                comment=comment, fields={"user": make_user()}, moderator=editor
            )
    comment.refresh_from_db()
    assert comment.user is None
