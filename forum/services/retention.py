"""Retention: what is kept how long (manage.py purge_comments, run from cron).

Spam and removed comments older than SPAM_RETENTION_DAYS are deleted, except
where they still have replies: there they stay, as the placeholder readers
see ("This comment was removed."), so the replies keep their place. IP
addresses and user agents are cleared from every comment older than
IP_RETENTION_DAYS. A second run finds nothing more to do.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from forum.models import Comment
from forum.services.trees import comment_delete

Status = Comment.Status


@dataclass(frozen=True)
class Purge:
    """What a purge did, or (dry run) would do."""

    deleted: int
    kept_with_replies: int
    addresses_cleared: int


def _old_discarded():
    days = settings.SPAM_RETENTION_DAYS
    if not days:
        return Comment.objects.none()
    cutoff = timezone.now() - timedelta(days=days)
    return Comment.objects.filter(
        status__in=[Status.SPAM, Status.REMOVED], created_at__lt=cutoff
    )


def _old_addresses():
    days = settings.IP_RETENTION_DAYS
    if not days:
        return Comment.objects.none()
    cutoff = timezone.now() - timedelta(days=days)
    addressed = Comment.objects.filter(created_at__lt=cutoff)
    return addressed.exclude(ip_address=None, user_agent="")


def _deletable():
    """Old discarded comments whose replies (if any) are all old discarded too."""
    staying = Comment.objects.filter(
        tree_id=OuterRef("tree_id"),
        lft__gt=OuterRef("lft"),
        rght__lt=OuterRef("rght"),
    ).exclude(pk__in=_old_discarded().values("pk"))
    return _old_discarded().exclude(Exists(staying))


def comments_purge(*, dry_run: bool = False) -> Purge:
    """Delete old spam and removed comments, clear old addresses; say how many.

    Leaves go first, a branch from its tips inwards: a discarded comment
    whose replies were all discarded too goes with them.
    """
    deletable = _deletable().count()
    kept = _old_discarded().count() - deletable
    addresses = _old_addresses()
    if dry_run:
        return Purge(deletable, kept, addresses.count())
    cleared = addresses.update(ip_address=None, user_agent="")
    deleted = 0
    while leaves := list(_old_discarded().filter(rght=F("lft") + 1)[:500]):
        for comment in leaves:
            comment_delete(comment=comment)
        deleted += len(leaves)
    return Purge(deleted, kept, cleared)
