"""Emails to moderators about held and reported comments (issue 15).

Each moderator chooses (ModeratorPreference): at once, an hourly digest, or
never. "At once" is written after the holding transaction commits (never
under the thread lock) as outbox rows (Notification, kind moderate) and sent
like the other notifications; the digest is `manage.py send_moderator_digest`.
Each comment comes with signed links to approve, spam or remove it
(forum.services.decision_links). The only addresses in these emails are the held
comments' own authors', for the moderators who decide on them.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from forum.languages import written_in
from forum.models import MODERATORS, Comment, ModeratorPreference, Notification
from forum.services import decision_links as links
from forum.services import outbox

logger = logging.getLogger(__name__)
Mail = ModeratorPreference.Mail


def moderators(mail: str):
    """Active moderators (superusers, the Moderators group) with an address
    who chose this kind of mail."""
    return (
        get_user_model()
        .objects.filter(is_active=True, moderator_preference__mail=mail)
        .filter(Q(is_superuser=True) | Q(groups__name=MODERATORS))
        .exclude(email="")
        .select_related("moderator_preference")
        .distinct()
        .order_by("pk")
    )


def held(comment: Comment) -> None:
    """Tell the "at once" moderators of a held comment, once the hold commits."""
    pk = comment.pk
    transaction.on_commit(lambda: _tell_at_once(pk), robust=True)


def _tell_at_once(comment_id: int) -> None:
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return
    comment.seen = links.last_change(comment)
    rows = [
        _notification(moderator, [comment], "emails/moderate_subject.txt")
        for moderator in moderators(Mail.AT_ONCE)
    ]
    outbox.send_now([n.pk for n in Notification.objects.bulk_create(rows)])


def _entry(comment: Comment, moderator) -> dict:
    """A comment as an email shows it, with its three signed links."""
    seen = comment.seen if hasattr(comment, "seen") else links.last_change(comment)
    urls = {
        action: outbox.absolute(links.path(comment, action, moderator, seen))
        for action in links.ACTIONS
    }
    return {
        "comment": comment,
        "post": comment.post,
        "comment_url": outbox.absolute(comment.get_absolute_url()),
        "links": urls,
    }


def _notification(moderator, comments: list[Comment], subject: str) -> Notification:
    context = {
        "entries": [_entry(c, moderator) for c in comments],
        "count": len(comments),
        "site_name": settings.SITE_NAME,
        "queue_url": outbox.absolute(reverse("cockpit:queue")),
        "preferences_url": outbox.absolute(reverse("cockpit:mail")),
        "days": links.MAX_AGE // (24 * 3600),
    }
    # Moderators' language is not stored: the site's, whoever's request
    # held the comment.
    with written_in(settings.LANGUAGE_CODE):
        subject = render_to_string(subject, context)
        body = render_to_string("emails/moderate_body.txt", context)
    return Notification(
        kind=Notification.Kind.MODERATE,
        to=moderator.email,
        subject=outbox.subject_line(subject),
        body=body,
        comment=comments[0] if len(comments) == 1 else None,
    )


def held_between(since: datetime, until: datetime) -> list[Comment]:
    """Comments waiting now that were held (on entry, or later) in this span."""
    held_later = Q(
        status_changes__to_status=Comment.Status.PENDING,
        status_changes__created_at__gt=since,
        status_changes__created_at__lte=until,
    )
    entered = Q(created_at__gt=since, created_at__lte=until)
    found = Comment.objects.filter(entered | held_later, status=Comment.Status.PENDING)
    ids = found.values("pk")
    return list(
        Comment.objects.filter(pk__in=ids)
        .select_related("post")
        .annotate(seen=Coalesce(Max("status_changes__pk"), 0))
        .order_by("pk")
    )


def send_digests() -> int:
    """Mail each digest moderator what was held since their last digest.

    Each moderator's mark moves forward with a conditional update before the
    email is written: of two runs, only one sends, and a second run sends
    nothing new. Returns how many digests were written.
    """
    now, rows = timezone.now(), []
    for moderator in moderators(Mail.HOURLY):
        since = moderator.moderator_preference.digest_since
        claimed = ModeratorPreference.objects.filter(
            user=moderator, digest_since=since
        ).update(digest_since=now)
        comments = held_between(since, now) if claimed else []
        if comments:
            subject = "emails/moderate_digest_subject.txt"
            rows.append(_notification(moderator, comments, subject))
    rows = Notification.objects.bulk_create(rows)
    if rows:
        outbox.send_pending(ids=[n.pk for n in rows])
    return len(rows)
