"""Moderation: status changes with their history, branch actions, reports, authors.

Status changes never move a comment in its tree, so they need no tree lock;
each one records a CommentStatusChange (who, when, from, to, why) and touches
the affected posts' threads (version and time), which caches, ETags and
Last-Modified follow.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from forum import markup
from forum.models import (
    BlocklistEntry,
    Comment,
    CommentReport,
    CommentStatusChange,
    Post,
    TrustedAuthor,
)
from forum.services import moderator_mail, notifications

Status = Comment.Status
Announcement = Comment.Announcement
REASON_LENGTH = CommentStatusChange._meta.get_field("reason").max_length


@transaction.atomic
def comment_set_status(
    *,
    comments: Iterable[Comment],
    status: str,
    moderator=None,
    reason: str = "",
    batch: uuid.UUID | None = None,
    channel: str = "",
    kept_reason: str = "",
) -> int:
    """Move the comments to `status`, recording each change; return how many moved.

    With `kept_reason`, comments already in `status` are recorded too: a
    moderator's "keep it as it is" is a decision (readers' reports count from
    the last one). Approving a comment for the first time tells its
    subscribers (after commit).
    """
    comments = list(comments)
    changing = [c for c in comments if c.status != status]
    reason = Truncator(reason).chars(REASON_LENGTH)
    recorded = comments if kept_reason else changing
    CommentStatusChange.objects.bulk_create(
        CommentStatusChange(
            comment=c,
            from_status=c.status,
            to_status=status,
            moderator=moderator,
            reason=reason if c.status != status else kept_reason,
            batch=batch,
            channel=channel,
        )
        for c in recorded
    )
    if changing:
        _move(changing, status, reason)
    return len(changing)


def _move(comments: list[Comment], status: str, reason: str) -> None:
    changes = {"status": status, "status_reason": reason}
    if status == Status.APPROVED:
        changes["announcement"] = _due_if_unseen()
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(**changes)
    Post.objects.filter(pk__in={c.post_id for c in comments}).touch_threads(
        comments=[c.pk for c in comments], trees={c.tree_id for c in comments}
    )
    for comment in comments:
        comment.status, comment.status_reason = status, reason
        if status == Status.APPROVED and comment.announcement == Announcement.UNSEEN:
            comment.announcement = Announcement.DUE
    notifications.comments_shown(comments)


def _due_if_unseen() -> Case:
    """An approved comment's announcement: due if it is shown for the first time."""
    return Case(
        When(announcement=Announcement.UNSEEN, then=Value(Announcement.DUE)),
        default=F("announcement"),
    )


@transaction.atomic
def comment_restore(*, comments: Iterable[Comment], moderator=None) -> int:
    """Give removed comments back the status they had before; return how many."""
    removed = [c for c in comments if c.status == Status.REMOVED]
    previous = _status_before_removal(removed)
    by_status = defaultdict(list)
    for comment in removed:
        by_status[previous.get(comment.pk, Status.APPROVED)].append(comment)
    return sum(
        comment_set_status(
            comments=group, status=status, moderator=moderator, reason="restored"
        )
        for status, group in by_status.items()
    )


def _status_before_removal(comments: list[Comment]) -> dict[int, str]:
    """Map each comment to the status it left when it was last removed."""
    changes = CommentStatusChange.objects.filter(
        comment__in=comments, to_status=Status.REMOVED
    ).order_by("comment_id", "created_at", "pk")
    return {change.comment_id: change.from_status for change in changes}


def branch(comment: Comment):
    """Return the comment and every reply below it (one range query)."""
    return Comment.objects.filter(
        tree_id=comment.tree_id, lft__gte=comment.lft, rght__lte=comment.rght
    )


@transaction.atomic
def branch_remove(*, comment: Comment, moderator=None) -> int:
    """Remove a comment and all its replies in one undoable step; return how many."""
    comment.refresh_from_db()
    return comment_set_status(
        comments=branch(comment).exclude(status=Status.REMOVED),
        status=Status.REMOVED,
        moderator=moderator,
        reason=f"branch of comment #{comment.pk} removed",
        batch=uuid.uuid4(),
    )


@transaction.atomic
def branch_restore(*, comment: Comment, moderator=None) -> int:
    """Undo the latest branch removal that took this comment; return how many.

    A comment already removed on its own is not part of its branch's batch:
    then the latest batch below it is undone.
    """
    removals = CommentStatusChange.objects.filter(
        to_status=Status.REMOVED, batch__isnull=False
    ).order_by("-created_at", "-pk")
    last = removals.filter(comment=comment).first()
    if last is None and comment.status == Status.REMOVED:
        last = removals.filter(comment__in=branch(comment)).first()
    if last is None:
        return 0
    changes = CommentStatusChange.objects.filter(batch=last.batch).select_related(
        "comment"
    )
    by_status = defaultdict(list)
    for change in changes:
        if change.comment.status == Status.REMOVED:
            by_status[change.from_status].append(change.comment)
    return sum(
        comment_set_status(
            comments=group, status=status, moderator=moderator, reason="branch restored"
        )
        for status, group in by_status.items()
    )


@transaction.atomic
def branch_lock(*, comment: Comment, locked: bool = True) -> bool:
    """Stop (or allow again) new replies anywhere under the comment.

    Returns False if it was already so.
    """
    changed = Comment.objects.filter(pk=comment.pk).exclude(is_locked=locked)
    if not changed.update(is_locked=locked):
        return False
    comment.is_locked = locked
    # Every Reply link below it comes or goes (its tree fields read afresh:
    # replies since the caller read it widened them).
    fresh = Comment.objects.only("tree_id", "lft", "rght").get(pk=comment.pk)
    below = branch(fresh).values_list("pk", flat=True)
    Post.objects.filter(pk=comment.post_id).touch_threads(
        comments=below, trees=[comment.tree_id]
    )
    return True


def branch_slow_mode(*, comment: Comment, minutes: int) -> bool:
    """Let each reader reply at most once per `minutes` under the comment (0: off).

    Returns False if it was already so. Read when a reply is stored
    (forum.services.posting), so nothing cached changes.
    """
    changed = Comment.objects.filter(pk=comment.pk).exclude(slow_mode_minutes=minutes)
    if not changed.update(slow_mode_minutes=minutes):
        return False
    comment.slow_mode_minutes = minutes
    return True


@transaction.atomic
def comment_report(
    *, comment: Comment, reason: str, user=None, ip_address: str | None = None
) -> bool:
    """Record a reader's report; hold the comment once enough readers agree.

    A reader is their account if signed in, else their IP; a second report
    from the same reader is ignored. Only reports made since a moderator last
    decided on the comment count, weighed by `counted_reports`. Returns True
    if the report was new.
    """
    signed_in = user is not None and user.is_authenticated
    reporter = f"user:{user.pk}" if signed_in else f"ip:{ip_address}"
    try:
        with transaction.atomic():
            CommentReport.objects.create(
                comment=comment,
                reason=reason[:200],
                reporter=reporter,
                user=user if signed_in else None,
                ip_address=ip_address,
            )
    except IntegrityError:
        return False
    reports = counted_reports(comment)
    threshold = settings.COMMENT_REPORTS_TO_HOLD
    if threshold and reports >= threshold and comment.status == Status.APPROVED:
        comment_set_status(
            comments=[comment],
            status=Status.PENDING,
            reason=f"reported by {reports} readers",
        )
        moderator_mail.held(comment)
    return True


# An account this young without an approved comment is "new" (README, Moderating).
NEW_ACCOUNT_DAYS = 7


def counted_reports(comment: Comment) -> int:
    """Return how many readers' reports count towards holding the comment.

    Since the last moderator's decision: a report counts only if its account
    and its IP both differ from every earlier reporter's. Established readers
    (guests, staff, accounts older than NEW_ACCOUNT_DAYS or with an approved
    comment) count at once; new accounts only once an established one has
    reported too, so throw-away accounts can't hide a comment on their own.
    """
    established = fresh = 0
    seen: set[tuple[str, object]] = set()
    for report in _reports_since_decision(comment):
        reader = {("user", report.user_id), ("ip", report.ip_address)}
        reader -= {("user", None), ("ip", None)}
        distinct = not reader & seen
        seen |= reader
        if distinct and _is_established(report):
            established += 1
        elif distinct:
            fresh += 1
    return established + fresh if established else 0


def _reports_since_decision(comment: Comment):
    decided = (
        comment.status_changes.filter(moderator__isnull=False)
        .values_list("created_at", flat=True)
        .first()
    )
    since = {"created_at__gt": decided} if decided else {}
    approved = Comment.objects.filter(user=OuterRef("user"), status=Status.APPROVED)
    return (
        comment.reports.filter(**since)
        .select_related("user")
        .annotate(has_approved=Exists(approved))
        .order_by("created_at", "pk")
    )


def _is_established(report: CommentReport) -> bool:
    user = report.user
    if user is None:
        return True
    young = user.date_joined > timezone.now() - timedelta(days=NEW_ACCOUNT_DAYS)
    return user.is_staff or report.has_approved or not young


def author_trust(*, comment: Comment) -> bool:
    """Let this comment's author skip the first-comment hold from now on."""
    email = comment.contact_email
    if not email:
        return False
    _, created = TrustedAuthor.objects.get_or_create(
        email=email.lower(), defaults={"note": f"trusted from comment #{comment.pk}"}
    )
    return created


@transaction.atomic
def author_block(
    *, comment: Comment, expires_at: datetime | None = None
) -> list[BlocklistEntry]:
    """Send this author's future comments (by email and IP) to spam.

    Until `expires_at` if given (then the block lifts itself), else for ever.
    """
    email = comment.contact_email
    values = [(BlocklistEntry.Kind.EMAIL, email.lower())]
    values.append((BlocklistEntry.Kind.IP, comment.ip_address or ""))
    created = []
    for kind, value in values:
        if not value:
            continue
        entry, new = BlocklistEntry.objects.get_or_create(
            kind=kind,
            value=value,
            defaults={
                "note": f"blocked from comment #{comment.pk}",
                "expires_at": expires_at,
            },
        )
        if new:
            created.append(entry)
    return created


EDITABLE_FIELDS = {"body", "author_name", "author_email", "author_url", "user"}


@transaction.atomic
@transaction.atomic
def comment_moderator_edit(*, comment: Comment, fields: dict, moderator) -> Comment:
    """A moderator's changes to a comment (its admin page): fields, then status.

    The status goes through comment_set_status, so it is logged and its
    readers are told, like any other moderation.
    """
    fields = dict(fields)
    status = fields.pop("status", None)
    comment = comment_edit(comment=comment, fields=fields, moderator=moderator)
    if status is not None:
        comment_set_status(
            comments=[Comment.objects.get(pk=comment.pk)],
            status=status,
            moderator=moderator,
            reason="changed on its admin page",
        )
    return comment


def comment_edit(*, comment: Comment, fields: dict, moderator=None) -> Comment:
    """Change a comment's text or author details; it keeps its place in the tree.

    Only a superuser may change its `user`: the account gets the comment's
    edit rights, and its badge ("Author", "Moderator") goes on the words.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if "user" in fields and not (moderator is not None and moderator.is_superuser):
        raise PermissionDenied(gettext("Only a superuser may change a comment's user."))
    for name, value in fields.items():
        setattr(comment, name, value)
    comment.full_clean(exclude=["lft", "rght", "tree_id", "level", "post", "parent"])
    comment.body_html = markup.render_comment(comment.body)
    comment.save(update_fields=[*fields, "body_html"])
    Post.objects.filter(pk=comment.post_id).touch_threads(
        comments=[comment.pk], trees=[comment.tree_id]
    )
    return comment
