"""Accounts, and what a guest can do with the comments their email wrote."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from forum.models import Comment, Notification, Post, Subscription
from forum.services.outbox import absolute, send_after_commit, subject_line

PRIVACY_SALT = "forum.privacy"
PRIVACY_MAX_AGE = 24 * 3600
ANONYMOUS = "Anonymous"


@transaction.atomic
def account_create(*, username: str, email: str, password: str):
    """Create a reader's account."""
    user = get_user_model()(username=username, email=email.lower())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def mail_privacy_link(email: str) -> None:
    """Mail the address a link to download or anonymise its comments.

    Sent whether or not the address wrote anything, so the page can't be
    used to learn who comments here.
    """
    email = email.lower()
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


def export(email: str) -> dict:
    """Everything stored about the comments made with this email."""
    comments = comments_of(email).select_related("post")
    return {
        "email": email,
        "comments": [
            {
                "id": c.pk,
                "post": c.post.title,
                "url": absolute(c.post.get_absolute_url()),
                "in_reply_to": c.parent_id,
                "created_at": c.created_at.isoformat(),
                "status": c.status,
                "name": c.author_name,
                "website": c.author_url,
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
                "text": c.body,
            }
            for c in comments
        ],
        "subscriptions": list(
            Subscription.objects.filter(email=email.lower()).values(
                "post__title", "kind", "comment_id", "created_at"
            )
        ),
    }


@transaction.atomic
def anonymise(email: str) -> int:
    """Strip the person from every comment this email made; the texts stay in
    place so threads stay whole. Returns how many comments changed."""
    comments = comments_of(email)
    post_ids = set(comments.values_list("post_id", flat=True))
    count = comments.update(
        author_name=ANONYMOUS,
        author_email="",
        author_url="",
        ip_address=None,
        user_agent="",
    )
    Subscription.objects.filter(email=email.lower()).delete()
    Notification.objects.filter(to=email.lower()).delete()
    Post.objects.filter(pk__in=post_ids).touch_threads()
    return count
