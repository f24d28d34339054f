"""The moderation queue's decisions: each one a batch, recorded and undoable.

Every decision taken in the cockpit (forum.cockpit) goes through the
moderation service, so it lands in the status history with its moderator,
its time and the channel "queue"; the comments moved together share one
batch id, which is what "Undo" names.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from forum import services
from forum.models import (
    BlocklistEntry,
    Comment,
    CommentRevision,
    CommentStatusChange,
    TrustedAuthor,
)

Status = Comment.Status
CHANNEL = "queue"

# A decision's name, the status it sets, and the reason recorded (in English,
# like the rest of the status history).
DECISIONS = {
    "approve": (Status.APPROVED, "approved"),
    "hold": (Status.PENDING, "held for moderation"),
    "spam": (Status.SPAM, "marked as spam"),
    "remove": (Status.REMOVED, "removed"),
    "block": (Status.SPAM, "author blocked"),
    "trust": (Status.APPROVED, "author trusted"),
}


@dataclass
class Decision:
    """What one decision did: the batch to undo it by, and what it touched."""

    action: str
    batch: uuid.UUID
    comment_ids: list[int]
    moved: int
    blocklist_ids: list[int] = field(default_factory=list)
    trusted_ids: list[int] = field(default_factory=list)


@transaction.atomic
def decide(
    *,
    comments: list[Comment],
    action: str,
    moderator,
    block_until: datetime | None = None,
    channel: str = CHANNEL,
) -> Decision:
    """Take one decision on these comments, as one batch; return what it did.

    A block lasts until `block_until` if given, else for ever. `channel` says
    where it was taken: the queue, or a link in an email ("email").
    """
    status, reason = DECISIONS[action]
    batch = uuid.uuid4()
    decision = Decision(action, batch, [c.pk for c in comments], 0)
    if action == "block":
        decision.blocklist_ids = _block(comments, block_until)
    if action == "trust":
        decision.trusted_ids = _trust(comments)
    decision.moved = services.comment_set_status(
        comments=comments,
        status=status,
        reason=reason,
        kept_reason="kept as it was",
        **_step(moderator, batch, channel),
    )
    return decision


def _step(moderator, batch: uuid.UUID, channel: str = CHANNEL) -> dict:
    """Who took a step of moderation, in which batch, and where."""
    return {"moderator": moderator, "batch": batch, "channel": channel}


def _block(comments: list[Comment], until: datetime | None) -> list[int]:
    """Blocklist each author's email and IP; return the entries made now."""
    return [
        entry.pk
        for comment in comments
        for entry in services.author_block(comment=comment, expires_at=until)
    ]


def _trust(comments: list[Comment]) -> list[int]:
    """Trust each author; return the TrustedAuthor rows made now."""
    emails = set()
    for comment in comments:
        if services.author_trust(comment=comment):
            emails.add(comment.contact_email)
    found = TrustedAuthor.objects.filter(email__in=[e.lower() for e in emails])
    return list(found.values_list("pk", flat=True))


@transaction.atomic
def undo(
    *,
    batch: uuid.UUID,
    moderator,
    blocklist_ids: list[int] = (),
    trusted_ids: list[int] = (),
) -> list[int]:
    """Give the batch's comments the status they had before it; return their ids.

    Only comments still in the status the batch gave them go back: a later
    decision wins over an old undo. The undo is recorded too (a batch of its
    own). Blocklist and trust entries the decision made are taken back.
    """
    changes = CommentStatusChange.objects.filter(
        batch=batch, channel=CHANNEL
    ).select_related("comment")
    by_status = defaultdict(list)
    for change in changes:
        if change.comment.status == change.to_status:
            by_status[change.from_status].append(change.comment)
    again = uuid.uuid4()
    for status, group in by_status.items():
        services.comment_set_status(
            comments=group, status=status, reason="undone", **_step(moderator, again)
        )
    notes = ("blocked from comment #", "trusted from comment #")
    BlocklistEntry.objects.filter(
        pk__in=blocklist_ids, note__startswith=notes[0]
    ).delete()
    TrustedAuthor.objects.filter(pk__in=trusted_ids, note__startswith=notes[1]).delete()
    return [c.pk for group in by_status.values() for c in group]


@transaction.atomic
def reply(*, parent: Comment, body: str, moderator) -> Comment:
    """Answer a comment as the moderator: approved at once, badge and all."""
    name = moderator.get_full_name() or moderator.get_username()
    return services.comment_create(
        post=parent.post,
        parent=parent,
        body=body,
        author_name=name[:100],
        author_email=moderator.email,
        user=moderator,
        status=Status.APPROVED,
    )


@transaction.atomic
def edit(*, comment: Comment, body: str, moderator) -> Comment:
    """Correct a comment's text in place; the earlier text is kept as a revision."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body)
    return services.comment_edit(
        comment=comment, fields={"body": body}, moderator=moderator
    )
