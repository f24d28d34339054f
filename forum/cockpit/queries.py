"""What the moderation queue reads: a constant number of queries per page.

The tabs' counts are one aggregate, the page's comments one query (with the
post, parent and account joined), their reports and status history one
prefetch each, and the authors' histories one grouped count for the whole
page, whatever the queue's length.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Comment, CommentReport, CommentStatusChange, Post

Status = Comment.Status
# Spam older than this has been looked at by someone, or never will be.
SPAM_DAYS = 14
PAGE_SIZE = 50
# Before any report: a comment no moderator decided on counts all its reports.
NEVER = Value(datetime(2000, 1, 1, tzinfo=UTC))
TABS = {
    "held": _("Held"),
    "reported": _("Reported"),
    "spam": _("Spam"),
}


def _reported() -> Q:
    """Comments with a reader's report newer than a moderator's last decision."""
    decided = (
        CommentStatusChange.objects.filter(
            comment=OuterRef(OuterRef("pk")), moderator__isnull=False
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    fresh = CommentReport.objects.filter(
        comment=OuterRef("pk"), created_at__gt=Coalesce(Subquery(decided), NEVER)
    )
    return Q(Exists(fresh), status__in=[Status.APPROVED, Status.PENDING])


def tab_filter(tab: str) -> Q:
    """Which comments a tab lists."""
    if tab == "reported":
        return _reported()
    if tab == "spam":
        since = timezone.now() - timedelta(days=SPAM_DAYS)
        return Q(status=Status.SPAM, created_at__gte=since)
    return Q(status=Status.PENDING)


def counts() -> dict[str, int]:
    """How many comments wait in each tab (one query)."""
    return Comment.objects.aggregate(
        **{tab: Count("pk", filter=tab_filter(tab)) for tab in TABS}
    )


@dataclass(frozen=True)
class Filters:
    """The queue's tab and its narrowing: a post, a reason."""

    tab: str = "held"
    post_id: int | None = None
    reason: str = ""

    @classmethod
    def of(cls, query) -> "Filters":
        """Read them from a GET query; anything unknown falls back to the whole tab."""
        tab = query.get("tab", "held")
        try:
            post_id = int(query.get("post", ""))
        except ValueError:
            post_id = None
        if post_id is not None and not 0 < post_id < 2**63:
            post_id = None
        reason = query.get("reason", "")[:200].replace("\x00", "")
        return cls(tab if tab in TABS else "held", post_id, reason)

    def queryset(self):
        comments = Comment.objects.filter(tab_filter(self.tab))
        if self.post_id:
            comments = comments.filter(post_id=self.post_id)
        if self.reason:
            comments = comments.filter(status_reason__istartswith=self.reason)
        return comments


def choices(filters: Filters) -> tuple[list, list]:
    """The posts and reasons of the tab's comments, for its filters (two queries)."""
    tab = Comment.objects.filter(tab_filter(filters.tab))
    post_ids = tab.values("post_id")
    posts = list(
        Post.objects.filter(pk__in=post_ids)
        .order_by("-published_at")
        .values_list("pk", "title")
    )
    reasons = (
        tab.exclude(status_reason="")
        .order_by("status_reason")
        .values_list("status_reason", flat=True)
        .distinct()[:50]
    )
    return posts, list(reasons)


def entries(filters: Filters, limit: int = PAGE_SIZE) -> list[Comment]:
    """The page's comments, oldest first, with everything an entry shows."""
    reports = Prefetch(
        "reports", queryset=CommentReport.objects.order_by("created_at", "pk")
    )
    history = Prefetch(
        "status_changes",
        queryset=CommentStatusChange.objects.select_related("moderator"),
    )
    comments = list(
        filters.queryset()
        .select_related("post", "parent", "user")
        .prefetch_related(reports, history)
        .order_by("created_at", "pk")[:limit]
    )
    _attach_histories(comments)
    return comments


def _attach_histories(comments: list[Comment]) -> None:
    """Give each comment `history`: its author's comments by status (one query).

    The author is the same email or the same account; a comment matching both
    counts once (the rows are grouped by both).
    """
    emails = {c.author_email for c in comments if c.author_email}
    users = {c.user_id for c in comments if c.user_id}
    if not comments:
        return
    rows = (
        Comment.objects.filter(Q(author_email__in=emails) | Q(user_id__in=users))
        .order_by()
        .values("author_email", "user_id", "status")
        .annotate(n=Count("pk"))
    )
    rows = list(rows)
    for comment in comments:
        totals = dict.fromkeys(Status.values, 0)
        for row in rows:
            same_email = comment.author_email and row["author_email"] == (
                comment.author_email
            )
            same_user = comment.user_id and row["user_id"] == comment.user_id
            if same_email or same_user:
                totals[row["status"]] += row["n"]
        comment.history = totals


def by_author(comment: Comment, filters: Filters):
    """The tab's comments by this comment's author (email or account)."""
    same = Q(author_email=comment.author_email) if comment.author_email else Q()
    if comment.user_id:
        same |= Q(user_id=comment.user_id)
    if not same:
        return Comment.objects.filter(pk=comment.pk)
    return filters.queryset().filter(same)
