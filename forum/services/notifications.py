"""Reply notifications: who wants to hear of new comments, and their consent.

A subscription is confirmed before anything is sent to it: at once for an
account's own address once the account has verified it, else through a
signed link mailed for the comment that asked (one email for all it asked),
which confirms exactly those; following it verifies the address for the
account that asked. At most limits.CONFIRMATIONS_TO_ADDRESS such emails go
to one address an hour. Links in
emails ask on GET and act on POST, so mail scanners change nothing.

Nothing is rendered here, in the comment's locked transaction: a comment
shown for the first time is marked due in its own row, a confirmation is an
outbox row without its text, and forum.services.outbox writes and sends the
emails after commit.
"""

from collections.abc import Iterable

from django.core import signing
from django.db.models import Q
from django.utils import timezone

from forum import limits
from forum.languages import reader_language
from forum.models import Comment, Notification, Subscription, VerifiedEmail
from forum.services.outbox import (
    CONFIRM_MAX_AGE,
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    send_after_commit,
)

Announcement = Comment.Announcement


def subscribe(
    *, comment: Comment, replies: bool, whole_post: bool
) -> Notification | None:
    """Record what the comment's author asked to hear about.

    An account's verified address is subscribed at once. Other subscriptions
    wait for a link mailed to the address, one email for all that this
    comment asked; returns that email (an outbox row), if one is sent.
    """
    email = comment.contact_email.lower()
    if not email or not (replies or whole_post):
        return None
    wanted = [(Subscription.Kind.REPLIES, comment)] if replies else []
    if whole_post:
        wanted.append((Subscription.Kind.POST, None))
    waiting = []
    for kind, target in wanted:
        subscription = _subscription(comment, email, kind, target)
        if subscription.confirmed_at is None:
            waiting.append(subscription)
    if not waiting:
        return None
    # The newest request's email is the one that confirms them.
    Subscription.objects.filter(pk__in=[s.pk for s in waiting]).update(
        requested_with=comment
    )
    if not limits.allow(limits.CONFIRMATIONS_TO_ADDRESS, email):
        return None
    confirmation = Notification.objects.create(
        kind=Notification.Kind.CONFIRM, to=email, comment=comment
    )
    send_after_commit(outbox=[confirmation])
    return confirmation


def _subscription(comment: Comment, email: str, kind: str, target) -> Subscription:
    """The subscription of this kind, made if new; confirmed if the account
    asking has verified the address."""
    now = timezone.now() if is_verified(comment.user, email) else None
    language = reader_language()
    subscription, created = Subscription.objects.get_or_create(
        email=email,
        post_id=comment.post_id,
        kind=kind,
        comment=target,
        defaults={
            "user": comment.user,
            "confirmed_at": now,
            "requested_with": comment,
            "language": language,
        },
    )
    if not created and subscription.language != language:
        # Asked again, in another language: the emails follow the latest.
        subscription.language = language
        subscription.save(update_fields=["language"])
    if subscription.confirmed_at is None and now is not None:
        # Someone asked for this address as a guest; its owner, signed in, now.
        subscription.user, subscription.confirmed_at = comment.user, now
        subscription.save(update_fields=["user", "confirmed_at"])
    return subscription


def is_verified(user, email: str) -> bool:
    """Return True if the account has followed a link mailed to this address."""
    if user is None:
        return False
    return VerifiedEmail.objects.filter(user=user, email=email).exists()


def awaits_confirmation(comment: Comment) -> bool:
    """Return True if subscriptions this comment asked for wait for their link."""
    return Subscription.objects.filter(
        requested_with=comment, confirmed_at=None
    ).exists()


def subscriptions_to_confirm(token: str) -> list[Subscription] | None:
    """The subscriptions a signed confirmation link names (None if it is bad).

    The link names the comment that asked for them (not the address, which
    would then sit in every access log); they all have its author's address.
    """
    try:
        comment_pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return list(
        Subscription.objects.filter(requested_with_id=comment_pk)
        .select_related("post")
        .order_by("kind")
    )


def subscriptions_confirm(token: str) -> list[Subscription] | None:
    """Confirm exactly the subscriptions a signed link names; return them."""
    subscriptions = subscriptions_to_confirm(token)
    if subscriptions:
        Subscription.objects.filter(
            pk__in=[s.pk for s in subscriptions], confirmed_at=None
        ).update(confirmed_at=timezone.now())
        for user_id, email in {(s.user_id, s.email) for s in subscriptions}:
            if user_id is not None:
                VerifiedEmail.objects.get_or_create(user_id=user_id, email=email)
    return subscriptions


def subscription_of(token: str) -> Subscription | None:
    """The subscription a signed unsubscribe link names, if it still exists."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk).select_related("post").first()


def unsubscribe(token: str) -> Subscription | None:
    """Delete the subscription a signed one-click link names; return it."""
    subscription = subscription_of(token)
    if subscription is not None:
        subscription.delete()
    return subscription


def announcement_for_new(comment: Comment) -> str:
    """What a new comment's subscribers are due: told after commit, if it is
    shown and anyone listens (one indexed query, whatever their number)."""
    if comment.status != Comment.Status.APPROVED:
        return Announcement.UNSEEN
    wanted = Q(kind=Subscription.Kind.POST, post_id=comment.post_id)
    if comment.parent_id:
        wanted |= Q(kind=Subscription.Kind.REPLIES, comment_id=comment.parent_id)
    listening = Subscription.objects.filter(wanted, confirmed_at__isnull=False)
    return Announcement.DUE if listening.exists() else Announcement.DONE


def comments_shown(comments: Iterable[Comment]) -> None:
    """Tell subscribers, after commit, about comments just marked due."""
    send_after_commit(shown=[c for c in comments if c.announcement == Announcement.DUE])
