"""What moderators see and do with votes, and votes in the privacy pages."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Comment, Post, Vote
from forum.services import accounts
from tests.admin_client import CHANGELIST, act, row, said
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

QUEUE = reverse("cockpit:queue")


def _votes(comment, *values):
    for value in values:
        services.vote_cast(comment_id=comment.pk, value=value, user=make_user())


def test_the_comment_list_shows_up_and_down_votes(mod):
    comment = make_comment(post=make_post())
    _votes(comment, 1, 1, -1)
    text = row(mod.get(CHANGELIST), comment).select_one(".field-votes").get_text()
    assert text == "+2 / −1"


def test_the_queue_shows_a_reported_comments_votes(mod, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    comment = make_comment(post=make_post())
    _votes(comment, 1, -1, -1)
    services.comment_report(comment=comment, reason="rude", ip_address="192.0.2.1")
    entry = soup(mod.get(QUEUE)).select_one(f"#entry-{comment.pk}")
    assert entry.select_one(".entry-votes").get_text() == "1 up, 2 down"


def test_a_moderator_resets_a_comments_votes(mod):
    comment = make_comment(post=make_post())
    _votes(comment, 1, -1)
    response = act(mod, "reset_votes", [comment])
    assert said(response) == ["Votes reset on 1 comment."]
    comment.refresh_from_db()
    assert (comment.votes_up, comment.votes_down) == (0, 0)
    assert not Vote.objects.exists()
    assert LogEntry.objects.get().change_message == "Votes reset."


def test_a_moderator_pins_a_top_level_comment(mod):
    comment = make_comment(post=make_post())
    reply = make_comment(post=comment.post, parent=comment)
    response = act(mod, "pin_comments", [comment, reply])
    assert said(response) == [
        "1 comment pinned. Only top-level comments can be pinned."
    ]
    assert list(Comment.objects.filter(is_pinned=True)) == [comment]
    act(mod, "unpin_comments", [comment])
    assert not Comment.objects.filter(is_pinned=True).exists()


def test_a_post_suggests_an_order_in_its_admin_form(admin_client):
    post = make_post()
    form = soup(admin_client.get(reverse("admin:forum_post_change", args=[post.pk])))
    options = [o["value"] for o in form.select("select[name=suggested_order] option")]
    assert options == ["", "best", "top", "new", "old", "controversial"]


def test_the_suggested_order_is_saved_through_the_admin(admin_client):
    post = make_post()
    url = reverse("admin:forum_post_change", args=[post.pk])
    data = {
        "title": post.title,
        "slug": post.slug,
        "author": post.author_id,
        "body": post.body,
        "status": "published",
        "published_at_0": post.published_at.strftime("%Y-%m-%d"),
        "published_at_1": post.published_at.strftime("%H:%M:%S"),
        "comments_open": "on",
        "slow_mode_minutes": "0",
        "suggested_order": "best",
        "language": post.language,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    post.refresh_from_db()
    assert post.suggested_order == "best"


def test_anonymising_an_address_that_wrote_nothing_is_no_error(mails):
    assert accounts.anonymise("nobody@mail.test") == 0


def test_the_suggested_order_is_blank_by_default():
    assert make_post().suggested_order == ""
    assert Post._meta.get_field("suggested_order").blank


# --- Privacy ---------------------------------------------------------------------


def _privacy_link(email):
    """The link /privacy/ mails to the address (forum.services.accounts)."""
    token = signing.dumps(email, salt=accounts.PRIVACY_SALT)
    return reverse("forum:privacy-manage", kwargs={"token": token})


def test_the_privacy_export_holds_the_accounts_votes(mails):
    voter = make_user(email="vera@mail.test")
    comment = make_comment(post=make_post())
    services.vote_cast(comment_id=comment.pk, value=-1, user=voter)
    [vote] = accounts.export("Vera@Mail.test")["votes"]
    assert (vote["comment_id"], vote["value"]) == (comment.pk, -1)


def test_the_privacy_download_page_holds_the_votes():
    voter = make_user(email="vera@mail.test")
    comment = make_comment(post=make_post())
    services.vote_cast(comment_id=comment.pk, value=1, user=voter)
    link = _privacy_link("vera@mail.test")
    exported = Client().post(link + "download/").json()
    assert [v["comment_id"] for v in exported["votes"]] == [comment.pk]


def test_anonymising_cuts_the_votes_loose_and_keeps_the_counts(mails):
    voter = make_user(email="vera@mail.test")
    comment = make_comment(post=make_post())
    services.vote_cast(
        comment_id=comment.pk, value=1, user=voter, ip_address="192.0.2.7"
    )
    accounts.anonymise("vera@mail.test")
    vote = Vote.objects.get()
    assert (vote.user, vote.ip_address) == (None, None)
    assert vote.voter == f"gone:{vote.pk}"
    comment.refresh_from_db()
    assert comment.votes_up == 1
    assert accounts.export("vera@mail.test")["votes"] == []
