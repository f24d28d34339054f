"""Reply notifications: subscriptions, email confirmation, and an outbox.

When a comment becomes visible (approved at once, or later by a moderator),
`comment_published` writes one outbox row per subscriber, in the same
transaction as the change, so nothing is lost if mail is down. After the
transaction commits, a background thread sends them; whatever fails stays in
the outbox for `python manage.py send_notifications` to retry. Posting never
waits for, or fails because of, the mail server.
"""

import logging
import threading

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connections, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, ConfirmedEmail, Notification, Subscription

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "forum.unsubscribe"
CONFIRM_SALT = "forum.confirm-email"
CONFIRM_MAX_AGE = 7 * 24 * 3600
MAX_ATTEMPTS = 5
_senders: list[threading.Thread] = []


def subscribe(
    *, comment: Comment, replies: bool, whole_post: bool
) -> list[Subscription]:
    """Record what the comment's author asked to hear about; confirm guests' email."""
    email = comment.user.email if comment.user else comment.author_email
    if not email or not (replies or whole_post):
        return []
    created = []
    wanted = [(Subscription.Kind.REPLIES, comment)] if replies else []
    if whole_post:
        wanted.append((Subscription.Kind.POST, None))
    for kind, target in wanted:
        subscription, new = Subscription.objects.get_or_create(
            email=email.lower(),
            post_id=comment.post_id,
            kind=kind,
            comment=target,
            defaults={"user": comment.user},
        )
        if new:
            created.append(subscription)
    if comment.user is None and not is_confirmed(email):
        _queue_confirmation(email)
    return created


def is_confirmed(email: str) -> bool:
    return ConfirmedEmail.objects.filter(email=email.lower()).exists()


def confirm_email(token: str) -> str | None:
    """Mark the email in a signed confirmation link as confirmed; return it."""
    try:
        email = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    ConfirmedEmail.objects.get_or_create(email=email)
    return email


def unsubscribe(token: str) -> Subscription | None:
    """Delete the subscription a signed one-click link names; return it."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    subscription = Subscription.objects.filter(pk=pk).select_related("post").first()
    if subscription is not None:
        subscription.delete()
    return subscription


def comment_published(comment: Comment) -> list[Notification]:
    """Queue one email per subscriber about a comment that just became visible."""
    recipients = _recipients(comment)
    notifications = Notification.objects.bulk_create(
        _notification(comment, subscription) for subscription in recipients
    )
    if notifications:
        send_after_commit([n.pk for n in notifications])
    return notifications


def _recipients(comment: Comment) -> list[Subscription]:
    """Subscribers to this post, or to the comment answered; one per email."""
    wanted = Q(kind=Subscription.Kind.POST, post_id=comment.post_id)
    if comment.parent_id:
        wanted |= Q(kind=Subscription.Kind.REPLIES, comment_id=comment.parent_id)
    author = comment.user.email if comment.user else comment.author_email
    subscriptions = (
        Subscription.objects.filter(wanted)
        .exclude(email=(author or "").lower())
        .select_related("user")
        # "replies" before "post": a reply to their comment says so.
        .order_by("-kind", "pk")
    )
    confirmed = set(
        ConfirmedEmail.objects.filter(
            email__in=[s.email for s in subscriptions if s.user is None]
        ).values_list("email", flat=True)
    )
    chosen: dict[str, Subscription] = {}
    for subscription in subscriptions:
        if comment.user_id and subscription.user_id == comment.user_id:
            continue  # never tell people about their own comment
        if subscription.user is None and subscription.email not in confirmed:
            continue
        chosen.setdefault(subscription.email, subscription)
    return list(chosen.values())


def _notification(comment: Comment, subscription: Subscription) -> Notification:
    unsubscribe_url = absolute(
        reverse(
            "forum:unsubscribe",
            kwargs={"token": signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)},
        )
    )
    context = {
        "comment": comment,
        "post": comment.post,
        "subscription": subscription,
        "comment_url": absolute(comment.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
        "site_name": settings.SITE_NAME,
    }
    return Notification(
        to=subscription.email,
        subject=render_to_string("emails/reply_subject.txt", context).strip(),
        body=render_to_string("emails/reply_body.txt", context),
        unsubscribe_url=unsubscribe_url,
        comment=comment,
    )


def _queue_confirmation(email: str) -> None:
    token = signing.dumps(email.lower(), salt=CONFIRM_SALT)
    url = absolute(reverse("forum:confirm-email", kwargs={"token": token}))
    context = {"confirm_url": url, "site_name": settings.SITE_NAME, "email": email}
    notification = Notification.objects.create(
        to=email.lower(),
        subject=render_to_string("emails/confirm_subject.txt", context).strip(),
        body=render_to_string("emails/confirm_body.txt", context),
    )
    send_after_commit([notification.pk])


def absolute(path: str) -> str:
    """A link for an email: SITE_URL plus the path."""
    return settings.SITE_URL.rstrip("/") + path


def send_pending(ids: list[int] | None = None, *, limit: int = 500) -> tuple[int, int]:
    """Send unsent notifications (these ids, or the oldest); return (sent, failed)."""
    outbox = Notification.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS)
    if ids is not None:
        outbox = outbox.filter(pk__in=ids)
    sent = failed = 0
    for notification in outbox.order_by("pk")[:limit]:
        if _send(notification):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _send(notification: Notification) -> bool:
    headers = {}
    if notification.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{notification.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.to],
        headers=headers,
    )
    try:
        message.send()
    except Exception as error:  # SMTP errors vary: log, count, retry later
        logger.warning("Notification %s not sent: %s", notification.pk, error)
        Notification.objects.filter(pk=notification.pk).update(
            attempts=notification.attempts + 1, last_error=str(error)[:500]
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now(), attempts=notification.attempts + 1, last_error=""
    )
    return True


def send_after_commit(ids: list[int]) -> None:
    """Send once the rows are committed: in a thread (NOTIFICATIONS_SEND=background),
    in the request (inline), or not at all (off: send_notifications does it)."""
    mode = settings.NOTIFICATIONS_SEND
    if mode == "inline":
        transaction.on_commit(lambda: send_pending(ids))
    elif mode == "background":
        transaction.on_commit(lambda: _send_in_background(ids))


def _send_in_background(ids: list[int]) -> None:
    """Send off the request: a slow mail server slows nobody."""

    def run():
        try:
            send_pending(ids)
        except Exception:  # the outbox keeps them; send_notifications retries
            logger.exception("Sending notifications failed")
        finally:
            # This thread's own connections: left open, each would hold a
            # database connection until garbage collection.
            connections.close_all()

    thread = threading.Thread(target=run, name="parley-notifications", daemon=True)
    _senders.append(thread)
    thread.start()


def wait_for_senders(timeout: float = 10) -> None:
    """Wait for background sends to finish (for tests and shutdown)."""
    while _senders:
        _senders.pop().join(timeout)
