"""The outbox: notification emails written and sent after commit.

Nothing is rendered while a comment's transaction holds the thread lock:

- a comment shown for the first time (approved on entry, added approved by a
  moderator, or approved later) that anyone follows is marked
  `Comment.announcement = due` in the transaction that shows it;
- a guest's confirmation email is an outbox row (`Notification`, kind
  confirm) without its text yet.

Announcing a comment that a moderator approved after holding it also tells
its author, once, if they asked this post for email (a confirmed
subscription): the same claim that makes the announcement once-only makes
that notice once-only.

After commit, `deliver` turns a due comment into one rendered email per
subscriber (and marks it done, once only) and sends what waits, in a
background thread or in the request (NOTIFICATIONS_SEND). Should the process
die first, `python manage.py send_notifications` finds the due comments and
the unsent rows: nothing is lost. Posting never waits for, or fails because
of, the mail server.
"""

import logging
import threading
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connections, router, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from forum.languages import written_in
from forum.models import Comment, CommentStatusChange, Notification, Subscription

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "forum.unsubscribe"
CONFIRM_SALT = "forum.confirm-subscriptions"
CONFIRM_MAX_AGE = 7 * 24 * 3600
MAX_ATTEMPTS = 5
SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length
ERROR_LENGTH = Notification._meta.get_field("last_error").max_length
Announcement = Comment.Announcement
# The emails that announcing a comment writes.
ANNOUNCEMENTS = (Notification.Kind.REPLY, Notification.Kind.APPROVED)
# Background senders still running, so tests (and shutdown) can wait for
# them. Each takes itself out when done: the set never outgrows the sends in
# flight.
_senders: set[threading.Thread] = set()
_senders_lock = threading.Lock()


def _primary(model):
    """The model's rows as the primary has them: the outbox's reads follow its
    writes, and a replica's copy may lag behind them."""
    return model.objects.db_manager(router.db_for_write(model))


def announce(comment: Comment) -> list[Notification]:
    """Write one email per subscriber about a comment shown for the first time.

    Renders outside any transaction, then claims the comment: of two senders
    (a background thread and send_notifications, say), only one writes.
    """
    rendered = [_notification(comment, s) for s in _recipients(comment)]
    if (approved := _approval_notice(comment)) is not None:
        rendered.append(approved)
    with transaction.atomic():
        claimed = Comment.objects.filter(
            pk=comment.pk, announcement=Announcement.DUE
        ).update(announcement=Announcement.DONE)
        return Notification.objects.bulk_create(rendered) if claimed else []


def announce_due(*, limit: int = 500) -> int:
    """Announce the comments still due (a crash after commit leaves some).

    Returns how many emails were written; a comment that fails to render is
    logged and left due, and the others go on.
    """
    due = Comment.objects.filter(announcement=Announcement.DUE).select_related(
        "post", "user"
    )
    written = 0
    for comment in due.order_by("pk")[:limit]:
        try:
            written += len(announce(comment))
        except Exception:  # a bug in one email must not hold back the rest
            logger.exception("Announcing comment %s failed", comment.pk)
    return written


def _recipients(comment: Comment) -> list[Subscription]:
    """Confirmed subscribers to this post, or to the comment answered; one per email."""
    wanted = Q(kind=Subscription.Kind.POST, post_id=comment.post_id)
    if comment.parent_id:
        wanted |= Q(kind=Subscription.Kind.REPLIES, comment_id=comment.parent_id)
    author = comment.contact_email
    subscriptions = (
        _primary(Subscription)
        .filter(wanted, confirmed_at__isnull=False)
        .exclude(email=(author or "").lower())
        # "replies" before "post": a reply to their comment says so.
        .order_by("-kind", "pk")
    )
    chosen: dict[str, Subscription] = {}
    for subscription in subscriptions:
        if comment.user_id and subscription.user_id == comment.user_id:
            continue  # never tell people about their own comment
        chosen.setdefault(subscription.email, subscription)
    return list(chosen.values())


def _notification(comment: Comment, subscription: Subscription) -> Notification:
    return _email(
        Notification.Kind.REPLY,
        comment,
        subscription,
        templates=("emails/reply_subject.txt", "emails/reply_body.txt"),
    )


def _email(
    kind: str, comment: Comment, subscription: Subscription, *, templates
) -> Notification:
    """An email about a comment to a subscriber, with its one-click unsubscribe."""
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
    subject, body = templates
    with written_in(subscription.language):
        subject = render_to_string(subject, context)
        body = render_to_string(body, context)
    return Notification(
        kind=kind,
        to=subscription.email,
        subject=subject_line(subject),
        body=body,
        unsubscribe_url=unsubscribe_url,
        comment=comment,
    )


def _approval_notice(comment: Comment) -> Notification | None:
    """The author's "your comment is published", if it was held and they follow.

    Consent is a confirmed subscription of theirs on this post: ticking a
    notify box and confirming the address. An unconfirmed address gets
    nothing but its confirmation email.
    """
    email = (comment.contact_email or "").lower()
    if not email:
        return None
    subscription = (
        _primary(Subscription)
        .filter(email=email, post_id=comment.post_id, confirmed_at__isnull=False)
        .order_by("-kind", "pk")  # "replies" first: what this comment asked
        .first()
    )
    held = (
        _primary(CommentStatusChange)
        .filter(comment_id=comment.pk, to_status=Comment.Status.APPROVED)
        .exists()
    )
    if subscription is None or not held:
        return None
    return _email(
        Notification.Kind.APPROVED,
        comment,
        subscription,
        templates=("emails/approved_subject.txt", "emails/approved_body.txt"),
    )


def _render_confirmation(notification: Notification) -> bool:
    """Write the text of a confirmation email; False if nothing is left to confirm."""
    if notification.comment_id is None:
        return False
    subscriptions = list(
        _primary(Subscription)
        .filter(
            email=notification.to,
            requested_with_id=notification.comment_id,
            confirmed_at=None,
        )
        .select_related("post")
    )
    if not subscriptions:
        return False
    token = signing.dumps(notification.comment_id, salt=CONFIRM_SALT)
    context = {
        "confirm_url": absolute(
            reverse("forum:confirm-email", kwargs={"token": token})
        ),
        "site_name": settings.SITE_NAME,
        "email": notification.to,
        "post": subscriptions[0].post,
        "kinds": {s.kind for s in subscriptions},
        "days": CONFIRM_MAX_AGE // (24 * 3600),
    }
    with written_in(subscriptions[0].language):
        subject = render_to_string("emails/confirm_subject.txt", context)
        notification.body = render_to_string("emails/confirm_body.txt", context)
    notification.subject = subject_line(subject)
    notification.save(update_fields=["subject", "body"])
    return True


def subject_line(text: str) -> str:
    """One line (no line breaks or control characters) that fits its column."""
    printable = "".join(
        " " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text
    )
    return Truncator(" ".join(printable.split())).chars(SUBJECT_LENGTH)


def absolute(path: str) -> str:
    """A link for an email: SITE_URL plus the path."""
    return settings.SITE_URL.rstrip("/") + path


def deliver(
    *, shown: Iterable[Comment] = (), ids: Iterable[int] = ()
) -> tuple[int, int]:
    """Announce these comments, then send their emails and these outbox rows."""
    shown = list(shown)
    for comment in shown:
        announce(comment)
    return send_pending(ids=list(ids), comments=[c.pk for c in shown])


def send_pending(
    ids: list[int] | None = None,
    *,
    comments: list[int] | None = None,
    limit: int = 500,
) -> tuple[int, int]:
    """Send unsent emails (these ids, or these comments' announcements, else
    the oldest); return (sent, failed)."""
    outbox = _primary(Notification).filter(sent_at=None, attempts__lt=MAX_ATTEMPTS)
    if ids is not None or comments is not None:
        outbox = outbox.filter(
            Q(pk__in=ids or [])
            | Q(comment_id__in=comments or [], kind__in=ANNOUNCEMENTS)
        )
    sent = failed = 0
    for notification in outbox.order_by("pk")[:limit]:
        if not _claim(notification):
            continue
        if _send(notification):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _claim(notification: Notification) -> bool:
    """Count the attempt before making it: of two senders, only one sends.

    A confirmation gets its text now; one with nothing left to confirm is
    dropped.
    """
    claimed = Notification.objects.filter(
        pk=notification.pk, sent_at=None, attempts=notification.attempts
    ).update(attempts=notification.attempts + 1)
    if not claimed:
        return False
    notification.attempts += 1
    unwritten = notification.kind == Notification.Kind.CONFIRM and not notification.body
    if unwritten and not _render_confirmation(notification):
        notification.delete()  # confirmed, or gone, meanwhile
        return False
    return True


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
    except Exception as error:  # SMTP errors vary: log, keep, retry later
        logger.warning("Notification %s not sent: %s", notification.pk, error)
        Notification.objects.filter(pk=notification.pk).update(
            # PostgreSQL refuses NUL in text; servers' messages may hold one.
            last_error=str(error).replace("\x00", "")[:ERROR_LENGTH],
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now(), last_error=""
    )
    return True


def send_after_commit(
    *, shown: Iterable[Comment] = (), outbox: Iterable[Notification] = ()
) -> None:
    """Once committed, announce `shown` and send `outbox`: in a thread
    (NOTIFICATIONS_SEND=background), in the request (inline), or not at all
    (off: send_notifications does it)."""
    shown, ids = list(shown), [n.pk for n in outbox]
    mode = settings.NOTIFICATIONS_SEND
    if mode == "off" or not (shown or ids):
        return
    if mode == "inline":
        transaction.on_commit(lambda: deliver(shown=shown, ids=ids), robust=True)
    else:
        transaction.on_commit(lambda: _deliver_in_background(shown, ids), robust=True)


def send_now(ids: list[int]) -> None:
    """Send these outbox rows now, as NOTIFICATIONS_SEND says: in a thread, in
    this request, or not at all (send_notifications does it)."""
    mode = settings.NOTIFICATIONS_SEND
    if not ids or mode == "off":
        return
    if mode == "inline":
        send_pending(ids=ids)
    else:
        _deliver_in_background([], ids)


def _deliver_in_background(shown: list[Comment], ids: list[int]) -> None:
    """Render and send off the request: many subscribers slow nobody."""

    def run():
        try:
            deliver(shown=shown, ids=ids)
        except Exception:  # the outbox keeps them; send_notifications retries
            logger.exception("Sending notifications failed")
        finally:
            # This thread's own connections: left open, each would hold a
            # database connection until garbage collection.
            connections.close_all()
            with _senders_lock:
                _senders.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="parley-notifications", daemon=True)
    with _senders_lock:
        _senders.add(thread)
    thread.start()


def senders_running() -> int:
    """How many background senders are still at work."""
    with _senders_lock:
        return len(_senders)


def wait_for_senders(timeout: float = 10) -> None:
    """Wait for background sends to finish (for tests and shutdown)."""
    with _senders_lock:
        running = list(_senders)
    for thread in running:
        thread.join(timeout)
