"""Hold everything (issue 15): per post, and site-wide with COMMENT_HOLD_ALL."""

import pytest

from forum import services
from forum.models import Comment
from tests.admin_client import form_data
from tests.factories import make_comment, make_moderator, make_post

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture(autouse=True)
def _known_authors_pass(settings, relaxed_posting, guests_trusted):
    settings.COMMENT_HOLD_ALL = False


def submit(post, user=None, **fields):
    fields.setdefault("author_name", "Regular")
    fields.setdefault("author_email", "regular@example.com")
    return services.comment_submit(
        post=post,
        body=fields.pop("body", "Words."),
        parent_id=None,
        user=user,
        **fields,
    )


def test_a_post_holding_every_comment_holds_them(settings):
    held_post = make_post(hold_comments=True)
    other = make_post()
    comment = submit(held_post)
    assert (comment.status, comment.status_reason) == (
        Status.PENDING,
        "holding every new comment",
    )
    assert submit(other, body="Elsewhere.").status == Status.APPROVED


def test_hold_all_holds_every_post_but_not_staff(settings):
    settings.COMMENT_HOLD_ALL = True
    post = make_post()
    assert submit(post).status == Status.PENDING
    moderator = make_moderator()
    assert submit(post, user=moderator, body="From staff.").status == Status.APPROVED


def test_hold_all_does_not_hold_an_edit_of_an_approved_comment(settings):
    post = make_post()
    comment = submit(post)
    settings.COMMENT_HOLD_ALL = True
    services.comment_author_edit(comment=comment, body="Corrected words.")
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_a_moderator_sets_it_on_the_post_page(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", password="pw")
    client.force_login(admin)
    post = make_post()
    url = f"/admin/forum/post/{post.pk}/change/"
    data = form_data(client.get(url), "#post_form")
    data["hold_comments"] = "on"
    assert client.post(url, data).status_code == 302
    post.refresh_from_db()
    assert post.hold_comments
    assert make_comment(post=post).status == Status.APPROVED  # the service's own
    assert submit(post).status == Status.PENDING
