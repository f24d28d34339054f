"""Readers' votes on comments: every rule about who may vote, where, and how often.

A vote writes its own row (one per reader per comment, by a database
constraint) and moves the comment's stored counters with F(), in one short
transaction. It never takes the post's tree lock (forum.services.trees) and
never bumps the thread's version: a steady trickle of votes must neither
wait for replies nor hold them up, nor throw away the thread's cached HTML
(docs/decisions/0022).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum import limits
from forum.models import Comment, Post, Vote

DAY_SECONDS = 24 * 3600


class VoteRefused(Exception):
    """The vote can't be taken: `message` says why, `status` is the HTTP answer."""

    status = 403

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class BadVote(VoteRefused):
    status = 400


class NoSuchComment(VoteRefused):
    status = 404


class TooManyVotes(VoteRefused):
    status = 429


@dataclass(frozen=True)
class VoteResult:
    """The comment's counts after the vote, and the reader's vote (-1, 0 or 1)."""

    comment_id: int
    votes_up: int
    votes_down: int
    value: int

    @property
    def score(self) -> int:
        return self.votes_up - self.votes_down


def voter_key(user, guest_id: str | None) -> str:
    """Who votes: the account, or where guests may vote, the browser; else refuse."""
    if settings.VOTES == "off":
        raise VoteRefused(_("Voting is off on this site."))
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if settings.VOTES == "everyone" and guest_id:
        return f"guest:{guest_id}"
    raise VoteRefused(_("Log in to vote."))


def check_value(value: int | None) -> int:
    """Return the vote asked for (1, -1, or 0 to take it back), or refuse it."""
    if value not in (1, 0, -1):
        raise BadVote(_("A vote is 1 (up), -1 (down) or 0 (take it back)."))
    if value == -1 and not settings.VOTES_DOWN:
        raise BadVote(_("Down-votes are off on this site."))
    return value


def vote_cast(
    *,
    comment_id: int,
    value: int | None,
    user=None,
    guest_id: str | None = None,
    ip_address: str | None = None,
    own_comments: frozenset[int] = frozenset(),
) -> VoteResult:
    """Record the reader's vote on the comment: new, changed, or taken back (0).

    Raises a VoteRefused (its subclasses say which answer fits) when the
    reader may not vote, or not on this comment, or not so often.
    """
    value = check_value(value)
    voter = voter_key(user, guest_id)
    if not limits.allow(_rate(), voter):
        raise TooManyVotes(_("You are voting too quickly. Please wait a minute."))
    signed_in = user is not None and user.is_authenticated
    with transaction.atomic():
        comment = _votable(comment_id, user if signed_in else None, own_comments)
        before = _current(comment, voter)
        if before is None and value and not signed_in:
            _check_guest_cap(ip_address)
        after = _record(comment, voter, before, value, user, ip_address)
        return _counted(comment, value if after else 0)


def _rate() -> limits.Rate:
    return limits.Rate("vote", settings.VOTES_PER_MINUTE, 60)


def _votable(comment_id: int, user, own_comments: frozenset[int]) -> Comment:
    """The comment, read in one query with its post and locked ancestry, if votable."""
    above = Comment.objects.filter(
        tree_id=OuterRef("tree_id"),
        lft__lte=OuterRef("lft"),
        rght__gte=OuterRef("rght"),
        is_locked=True,
    )
    comment = (
        Comment.objects.select_related("post")
        .annotate(in_locked_branch=Exists(above))
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not comment.post.is_public():
        raise NoSuchComment(_("This comment does not exist."))
    if comment.status != Comment.Status.APPROVED:
        raise VoteRefused(_("Only comments that are shown can be voted on."))
    if not comment.post.accepts_comments():
        raise VoteRefused(_("Comments are closed on this post: so is voting."))
    if comment.in_locked_branch:
        raise VoteRefused(_("This conversation is locked by a moderator."))
    if comment.pk in own_comments or (user and comment.user_id == user.pk):
        raise VoteRefused(_("You can't vote on your own comment."))
    return comment


def _current(comment: Comment, voter: str) -> Vote | None:
    """The reader's vote on the comment, locked (its row only) till commit."""
    return Vote.objects.select_for_update().filter(comment=comment, voter=voter).first()


def _check_guest_cap(ip_address: str | None) -> None:
    """Refuse a guest's new vote past VOTES_GUEST_DAILY_PER_IP from one address."""
    since = timezone.now() - timedelta(seconds=DAY_SECONDS)
    cast = Vote.objects.filter(
        ip_address=ip_address, user=None, created_at__gte=since
    ).count()
    if cast >= settings.VOTES_GUEST_DAILY_PER_IP:
        raise TooManyVotes(
            _("Too many votes from your network today. Log in to vote more.")
        )


def _record(comment, voter, before, value, user, ip_address) -> Vote | None:
    """Write the vote row and move the counters by the difference it makes."""
    old = before.value if before else 0
    if value == old:
        return before
    if before is None:
        try:
            with transaction.atomic():  # a double click: the other one won
                after = Vote.objects.create(
                    comment=comment,
                    voter=voter,
                    user=user if user and user.is_authenticated else None,
                    value=value,
                    ip_address=ip_address,
                )
        except IntegrityError:
            before = _current(comment, voter)
            return _record(comment, voter, before, value, user, ip_address)
    elif value:
        Vote.objects.filter(pk=before.pk).update(value=value)
        after = before
    else:
        before.delete()
        after = None
    _move_counters(comment.pk, old, value)
    return after


def _move_counters(comment_id: int, old: int, new: int) -> None:
    """Shift votes_up / votes_down from `old` to `new`, in SQL (F), last of all.

    Last, so the comment's row is held only until the commit right after.
    """
    change = {}
    for side, field in ((1, "votes_up"), (-1, "votes_down")):
        delta = (new == side) - (old == side)
        if delta:
            change[field] = F(field) + delta
    Comment.objects.filter(pk=comment_id).update(**change)


def _counted(comment: Comment, value: int) -> VoteResult:
    up, down = (
        Comment.objects.filter(pk=comment.pk)
        .values_list("votes_up", "votes_down")
        .get()
    )
    return VoteResult(comment.pk, up, down, value)


@transaction.atomic
def votes_reset(*, comments: list[Comment]) -> int:
    """Delete every vote on these comments and zero their counters (moderators)."""
    ids = [comment.pk for comment in comments]
    Vote.objects.filter(comment_id__in=ids).delete()
    return Comment.objects.filter(pk__in=ids).update(votes_up=0, votes_down=0)


def votes_of(user_ids) -> list[dict]:
    """The votes these accounts cast, as JSON values (the privacy export)."""
    votes = Vote.objects.filter(user_id__in=user_ids).order_by("created_at", "pk")
    return [
        {
            "comment_id": vote.comment_id,
            "value": vote.value,
            "created_at": vote.created_at.isoformat(),
        }
        for vote in votes
    ]


def votes_anonymise(user_ids) -> int:
    """Cut these accounts' votes loose from them: counts stay, the voter goes."""
    return Vote.objects.filter(user_id__in=user_ids).update(
        user=None,
        ip_address=None,
        voter=Concat(Value("gone:"), Cast("pk", CharField())),
    )


def comment_pin(*, comments: list[Comment], pinned: bool) -> int:
    """Pin (or unpin) top-level comments: they come first under every order.

    Replies are left alone: a pin orders conversations, not replies.
    """
    roots = [c.pk for c in comments if c.parent_id is None and c.is_pinned != pinned]
    with transaction.atomic():
        count = Comment.objects.filter(pk__in=roots).update(is_pinned=pinned)
        post_ids = {c.post_id for c in comments if c.pk in roots}
        Post.objects.filter(pk__in=post_ids).touch_threads()
    return count
