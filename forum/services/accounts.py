"""Accounts, and what a guest can do with the comments their email wrote."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse

from forum import limits
from forum.models import (
    Comment,
    CommentRevision,
    Notification,
    Post,
    Subscription,
    normalise_email,
)
from forum.services.outbox import absolute, send_after_commit, subject_line
from forum.services.votes import votes_anonymise, votes_of

PRIVACY_SALT = "forum.privacy"
PRIVACY_MAX_AGE = 24 * 3600
ANONYMOUS = "Anonymous"


@transaction.atomic
def account_create(*, username: str, email: str, password: str, ip_address: str | None):
    """Create a reader's account; raise Limited past limits.SIGNUPS from one IP."""
    limits.check(limits.SIGNUPS, ip_address)
    user = get_user_model()(username=username, email=email.lower())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def mail_privacy_link(*, email: str, ip_address: str | None) -> None:
    """Mail the address a link to download or anonymise its comments.

    Sent whether or not the address wrote anything, so the page can't be
    used to learn who comments here. Past limits.PRIVACY_MAILS_FROM_IP this
    raises Limited; past limits.PRIVACY_MAILS_TO_ADDRESS it sends nothing,
    silently, so nobody can fill a stranger's inbox or learn what it got.
    """
    limits.check(limits.PRIVACY_MAILS_FROM_IP, ip_address)
    email = normalise_email(email)
    if not limits.allow(limits.PRIVACY_MAILS_TO_ADDRESS, email):
        return
    token = signing.dumps(email, salt=PRIVACY_SALT)
    context = {
        "url": absolute(reverse("forum:privacy-manage", kwargs={"token": token})),
        "site_name": settings.SITE_NAME,
        "hours": PRIVACY_MAX_AGE // 3600,
    }
    with transaction.atomic():
        notification = Notification.objects.create(
            kind=Notification.Kind.PRIVACY,
            to=email,
            subject=subject_line(
                render_to_string("emails/privacy_subject.txt", context)
            ),
            body=render_to_string("emails/privacy_body.txt", context),
        )
        send_after_commit(outbox=[notification])


def email_from_link(token: str) -> str | None:
    try:
        return signing.loads(token, salt=PRIVACY_SALT, max_age=PRIVACY_MAX_AGE)
    except signing.BadSignature:
        return None


def comments_of(email: str):
    return Comment.objects.filter(author_email=email.lower()).order_by("created_at")


def _accounts_of(email: str):
    """The ids of the accounts with this address (as a subquery)."""
    users = get_user_model().objects.filter(email__iexact=normalise_email(email))
    return users.values("pk")


def export(email: str) -> dict:
    """Everything stored about the comments made with this email, as JSON values."""
    earlier = Prefetch(
        "revisions", CommentRevision.objects.order_by("created_at", "pk")
    )
    comments = comments_of(email).select_related("post").prefetch_related(earlier)
    subscriptions = Subscription.objects.filter(email=email).select_related("post")
    return {
        "email": normalise_email(email),
        "comments": [_exported_comment(c) for c in comments],
        # The votes the accounts with this address cast (a guest's votes
        # are known by a browser cookie only, never by an address).
        "votes": votes_of(_accounts_of(email)),
        "subscriptions": [
            {
                "post": s.post.title,
                "kind": s.kind,
                "comment_id": s.comment_id,
                "created_at": s.created_at.isoformat(),
            }
            for s in subscriptions.order_by("created_at", "pk")
        ],
    }


def _exported_comment(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "post": comment.post.title,
        "url": absolute(comment.post.get_absolute_url()),
        "in_reply_to": comment.parent_id,
        "created_at": comment.created_at.isoformat(),
        "status": comment.status,
        "name": comment.author_name,
        "website": comment.author_url,
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "text": comment.body,
        # What the author edited away: stored too, so it is theirs to see.
        "earlier_texts": [
            {"text": revision.body, "replaced_at": revision.created_at.isoformat()}
            for revision in comment.revisions.all()
        ],
    }


@transaction.atomic
def anonymise(email: str) -> int:
    """Strip the person from every comment this email made; the texts stay in
    place so threads stay whole. Returns how many comments changed."""
    comments = comments_of(email)
    rows = list(comments.values_list("pk", "post_id"))
    post_ids = {post_id for _, post_id in rows}
    count = comments.update(
        author_name=ANONYMOUS,
        author_email="",
        author_url="",
        ip_address=None,
        user_agent="",
    )
    Subscription.objects.filter(email=email.lower()).delete()
    votes_anonymise(_accounts_of(email))
    Notification.objects.filter(to=email.lower()).delete()
    Post.objects.filter(pk__in=post_ids).touch_threads(comments=[pk for pk, _ in rows])
    return count
