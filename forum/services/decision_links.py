"""Signed one-click decision links for moderators' emails (issue 15).

A link names a comment, a decision (approve, spam, remove) and the moderator
it acts as, and the last status change the moderator was shown: a later
decision by anyone makes the link refuse ("already approved by Ana at
10:42"). The signature is the credential; it never holds an email address,
and it expires after a week (docs/decisions/0014).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from forum.models import Comment, CommentStatusChange

SALT = "forum.cockpit.email-decision"
MAX_AGE = 7 * 24 * 3600
ACTIONS = ("approve", "spam", "remove")


@dataclass
class Link:
    """What a valid link names, loaded from the database."""

    comment: Comment
    action: str
    moderator: object
    seen: int

    def decided_since(self) -> CommentStatusChange | None:
        """A moderator's decision on the comment after the email was written."""
        return (
            CommentStatusChange.objects.filter(
                comment=self.comment, pk__gt=self.seen, moderator__isnull=False
            )
            .select_related("moderator")
            .order_by("-pk")
            .first()
        )


def last_change(comment: Comment) -> int:
    """The id of the comment's latest status change (0 if none)."""
    found = comment.status_changes.order_by("-pk").values_list("pk", flat=True)
    return found.first() or 0


def make(comment: Comment, action: str, moderator, seen: int) -> str:
    """A signed token for one decision on one comment, as this moderator."""
    if action not in ACTIONS:
        raise ValueError(action)
    payload = {"c": comment.pk, "a": action, "m": moderator.pk, "s": seen}
    return signing.dumps(payload, salt=SALT, compress=True)


def path(comment: Comment, action: str, moderator, seen: int) -> str:
    """The link's path (the email makes it absolute)."""
    token = make(comment, action, moderator, seen)
    return reverse("cockpit:email", kwargs={"token": token})


def read(token: str) -> Link | None:
    """What the token names; None if forged, expired, or naming nothing now."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        comment_id, action = int(data["c"]), str(data["a"])
        moderator_id, seen = int(data["m"]), int(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if action not in ACTIONS:
        return None
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    users = get_user_model().objects.filter(pk=moderator_id, is_active=True)
    moderator = users.first()
    if comment is None or moderator is None:
        return None
    return Link(comment, action, moderator, seen)
