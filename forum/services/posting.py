"""A reader's comment: the checks and moderation rules before it is stored."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from forum import markup
from forum.models import BlocklistEntry, Comment, Post, TrustedAuthor
from forum.services.threads import attach_point, insert, lock_thread


class CommentsClosed(Exception):
    """The post does not take comments (closed, unpublished or too old)."""


class Flooding(Exception):
    """The author commented moments ago; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def comment_submit(
    *,
    post: Post,
    body: str,
    parent_id: int | None,
    user=None,
    author_name: str = "",
    author_email: str = "",
    author_url: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    bot_reason: str = "",
) -> Comment:
    """Check, moderate and store a reader's comment.

    Raises CommentsClosed, Flooding, or ValidationError (keyed by Comment
    field) for a duplicate or a parent that can't be answered.
    """
    if user is not None and user.is_authenticated:
        author_name = user.get_full_name() or user.get_username()
        author_email = user.email
    else:
        user = None
    author_email = author_email.lower()
    with transaction.atomic():
        post = lock_thread(post.pk)
        if not post.accepts_comments():
            raise CommentsClosed
        parent = _reply_target(post, parent_id)
        _check_flood(user, ip_address)
        _check_duplicate(post, body, user, author_name, author_email)
        status, reason = _moderate(
            body=body,
            user=user,
            author_name=author_name,
            author_email=author_email,
            author_url=author_url,
            ip_address=ip_address,
            bot_reason=bot_reason,
        )
        return insert(
            post,
            parent,
            body=body,
            author_name=author_name,
            author_email=author_email,
            author_url=author_url,
            user=user,
            status=status,
            status_reason=reason,
            ip_address=ip_address,
            user_agent=user_agent[:500],
        )


def _reply_target(post: Post, parent_id: int | None) -> Comment | None:
    """Return the approved comment of `post` being answered, or raise."""
    if not parent_id:
        return None
    locked_above = Comment.objects.filter(
        tree_id=OuterRef("tree_id"),
        lft__lte=OuterRef("lft"),
        rght__gte=OuterRef("rght"),
        is_locked=True,
    )
    parent = (
        Comment.objects.filter(pk=parent_id, post=post)
        .annotate(in_locked_branch=Exists(locked_above))
        .first()
    )
    if parent is None or parent.status != Comment.Status.APPROVED:
        raise ValidationError(
            {"parent": "The comment you are replying to is not available."}
        )
    if parent.in_locked_branch:
        raise ValidationError(
            {"parent": "Replies to this conversation are closed by a moderator."}
        )
    return attach_point(parent)


def _check_flood(user, ip_address: str | None) -> None:
    """Raise Flooding if the same user or IP commented within the window."""
    seconds = settings.COMMENT_FLOOD_SECONDS
    if not seconds or (user is not None and user.is_staff):
        return
    who = Q(user=user) if user is not None else Q(ip_address=ip_address)
    if user is None and not ip_address:
        return
    since = timezone.now() - timedelta(seconds=seconds)
    last = (
        Comment.objects.filter(who, created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None:
        wait = seconds - (timezone.now() - last).total_seconds()
        raise Flooding(retry_after=max(1, round(wait)))


def _check_duplicate(post: Post, body: str, user, name: str, email: str) -> None:
    """Raise if this author already said exactly this on this post."""
    if user is not None:
        same_author = Q(user=user)
    else:
        same_author = Q(author_email=email) if email else Q(author_name=name)
    same = Comment.objects.filter(same_author, post=post, body=body.strip())
    if same.exclude(status=Comment.Status.REMOVED).exists():
        raise ValidationError({"body": "You've already said that."})


def _moderate(
    *,
    body: str,
    user,
    author_name: str,
    author_email: str,
    author_url: str,
    ip_address: str | None,
    bot_reason: str,
) -> tuple[str, str]:
    """Return the new comment's (status, reason) from the moderation rules."""
    if bot_reason:
        return Comment.Status.SPAM, bot_reason
    text = "\n".join([body, author_name, author_email, author_url])
    for entry in BlocklistEntry.objects.all():
        if entry.matches(text=text, email=author_email, ip=ip_address):
            return Comment.Status.SPAM, f'blocklist entry "{entry.value}"'
    if user is not None and user.is_staff:
        return Comment.Status.APPROVED, ""
    links = markup.count_links(markup.render_comment(body))
    max_links = settings.COMMENT_MAX_LINKS
    if max_links and links >= max_links:
        return Comment.Status.PENDING, f"{links} links"
    if settings.COMMENT_HOLD_FIRST and not _has_approved_comment(user, author_email):
        return Comment.Status.PENDING, "first comment"
    return Comment.Status.APPROVED, ""


def _has_approved_comment(user, email: str) -> bool:
    """Return True if this author was approved before, or trusted by a moderator."""
    if user is None and not email:
        return False  # else every guest without one counts as one author
    if email and TrustedAuthor.objects.filter(email=email).exists():
        return True
    author = Q(user=user) if user is not None else Q(author_email=email, user=None)
    return Comment.objects.filter(author, status=Comment.Status.APPROVED).exists()
