"""A reader's comment: the checks and moderation rules before it is stored."""

import operator
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from forum import markup
from forum.models import (
    BlocklistEntry,
    Comment,
    CommentRevision,
    Post,
    TrustedAuthor,
    display_name,
    normalise_email,
)
from forum.services import moderator_mail, notifications
from forum.services.moderation import comment_set_status
from forum.services.trees import attach_point, insert, lock_thread
from forum.validators import without_control_characters

NAME_LENGTH = Comment._meta.get_field("author_name").max_length
REASON_LENGTH = Comment._meta.get_field("status_reason").max_length
USER_AGENT_LENGTH = Comment._meta.get_field("user_agent").max_length


class CommentsClosed(Exception):
    """The post does not take comments (closed, unpublished or too old)."""


class LoginRequired(Exception):
    """Only signed-in readers may comment on this site (COMMENT_REQUIRE_LOGIN)."""


class Flooding(Exception):
    """The author commented moments ago; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class SlowMode(Flooding):
    """Slow mode is on where the author writes: one comment per `minutes` each."""

    def __init__(self, retry_after: int, minutes: int):
        super().__init__(retry_after)
        self.minutes = minutes


@dataclass(frozen=True)
class Author:
    """Who is commenting: an account, or a guest's name and email."""

    user: object | None
    name: str
    email: str
    url: str
    ip: str | None

    @classmethod
    def of(cls, user, name: str, email: str, url: str, ip: str | None) -> "Author":
        if user is not None and user.is_authenticated:
            # The account's name is not typed here: what can't be fixed in
            # the form is cleaned rather than refused.
            name = without_control_characters(display_name(user))
            name = (name or user.get_username())[:NAME_LENGTH]
            return cls(user, name, normalise_email(user.email), url, ip)
        return cls(None, name, normalise_email(email), url, ip)

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.is_staff


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
    notify_replies: bool = False,
    notify_post: bool = False,
) -> Comment:
    """Check, moderate and store a reader's comment.

    Raises LoginRequired, CommentsClosed, Flooding, or ValidationError (keyed
    by Comment field) for a duplicate or a parent that can't be answered.
    """
    check_may_comment(user=user)
    author = Author.of(user, author_name, author_email, author_url, ip_address)
    fields = _entry(body, author, bot_reason, user_agent, post)
    with transaction.atomic():
        comment = _store(post, parent_id, author, **fields)
        if comment.status == Comment.Status.PENDING:
            moderator_mail.held(comment)  # after commit, away from the lock
        if comment.status != Comment.Status.SPAM:
            notifications.subscribe(
                comment=comment, replies=notify_replies, whole_post=notify_post
            )
        return comment


def check_may_comment(*, user) -> None:
    """Refuse a guest where commenting needs an account (COMMENT_REQUIRE_LOGIN)."""
    signed_in = user is not None and user.is_authenticated
    if settings.COMMENT_REQUIRE_LOGIN and not signed_in:
        raise LoginRequired(gettext("You must be logged in to post a comment."))


def _entry(
    body: str, author: Author, bot_reason: str, user_agent: str, post: Post
) -> dict:
    """The new comment's rendered text and moderation, decided before any lock.

    Moderation reads no tree, so the thread's lock stays short.
    """
    body_html = markup.render_comment(body)
    status, reason = _moderate(body, body_html, author, bot_reason, post=post)
    return {
        "body": body,
        "body_html": body_html,
        "status": status,
        "status_reason": Truncator(reason).chars(REASON_LENGTH),
        "user_agent": user_agent[:USER_AGENT_LENGTH],
    }


def _store(post: Post, parent_id: int | None, author: Author, **fields) -> Comment:
    """Insert the comment under the author's and the thread's locks, if it may go in.

    The caller holds a transaction; the locks last until it ends.
    """
    _lock_author(author)
    post = lock_thread(post.pk)
    if not post.accepts_comments():
        raise CommentsClosed
    parent = _reply_target(post, parent_id)
    _check_duplicate(post, fields["body"], author)
    _check_flood(author)
    _check_slow_mode(post, parent, author)
    return insert(
        post,
        attach_point(parent) if parent else None,
        author_name=author.name,
        author_email=author.email,
        author_url=author.url,
        user=author.user,
        ip_address=author.ip,
        **fields,
    )


def _reply_target(post: Post, parent_id: int | None) -> Comment | None:
    """Return the approved comment of `post` being answered, or raise.

    The reply goes under its attach_point; slow mode is read from the
    comment answered itself.
    """
    if not parent_id:
        return None
    above = Comment.objects.filter(
        tree_id=OuterRef("tree_id"),
        lft__lte=OuterRef("lft"),
        rght__gte=OuterRef("rght"),
    )
    parent = (
        Comment.objects.filter(pk=parent_id, post=post)
        .annotate(
            in_locked_branch=Exists(above.filter(is_locked=True)),
            in_slow_branch=Exists(above.filter(slow_mode_minutes__gt=0)),
        )
        .first()
    )
    if parent is None or parent.status != Comment.Status.APPROVED:
        raise ValidationError(
            {"parent": gettext("The comment you are replying to is not available.")}
        )
    if parent.in_locked_branch:
        raise ValidationError(
            {
                "parent": gettext(
                    "Replies to this conversation are closed by a moderator."
                )
            }
        )
    return parent


def _check_slow_mode(post: Post, parent: Comment | None, author: Author) -> None:
    """Raise SlowMode if the author wrote where slow mode asks them to wait.

    A rule is the post's, or a branch's set on the answered comment or one of
    its ancestors (one query, by the nested-set range). The thread lock is
    held, so two workers never both let one author through.
    """
    rules = _slow_rules(post, parent)
    who = _same_author(author)
    if not rules or author.is_staff or who is None:
        return
    since = timezone.now() - timedelta(minutes=max(m for m, _ in rules))
    recent = Comment.objects.filter(who, post=post, created_at__gt=since)
    waits = [
        (minutes * 60 - (timezone.now() - at).total_seconds(), minutes)
        for at, tree_id, lft in recent.values_list("created_at", "tree_id", "lft")
        for minutes, scope in rules
        if scope(tree_id, lft) and at > timezone.now() - timedelta(minutes=minutes)
    ]
    if waits:
        wait, minutes = max(waits)
        raise SlowMode(retry_after=max(1, round(wait)), minutes=minutes)


def _slow_rules(post: Post, parent: Comment | None) -> list:
    """Return (minutes, scope) for each slow mode over a new comment here.

    `scope(tree_id, lft)` says whether a comment at that place counts.
    """
    rules = []
    if post.slow_mode_minutes:
        rules.append((post.slow_mode_minutes, lambda tree_id, lft: True))
    if parent is None or not parent.in_slow_branch:
        return rules
    slow_above = Comment.objects.filter(
        tree_id=parent.tree_id,
        lft__lte=parent.lft,
        rght__gte=parent.rght,
        slow_mode_minutes__gt=0,
    ).values_list("tree_id", "lft", "rght", "slow_mode_minutes")
    for tree, low, high, minutes in slow_above:
        rules.append(
            (
                minutes,
                lambda t, lft, tree=tree, low=low, high=high: (
                    t == tree and low < lft < high
                ),
            )
        )
    return rules


def _lock_author(author: Author) -> None:
    """Serialise one author's comments (PostgreSQL), so flood control holds.

    The thread lock covers one post; an author posting to two posts at once
    would otherwise pass the flood check twice. An author is their account or
    IP, and their email address: each gets a lock, taken in one order so two
    authors sharing one never deadlock. SQLite has one writer anyway.
    """
    if not settings.COMMENT_FLOOD_SECONDS or author.is_staff:
        return
    connection = connections[router.db_for_write(Comment)]
    if connection.vendor != "postgresql":
        return
    for key in sorted(_flood_keys(author)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _flood_keys(author: Author) -> set[str]:
    keys = {f"parley:flood:{author.user.pk if author.user else author.ip}"}
    if author.email:
        keys.add(f"parley:flood:email:{author.email}")
    return keys


def _check_flood(author: Author) -> None:
    """Raise Flooding if the same user, IP or email commented within the window."""
    seconds = settings.COMMENT_FLOOD_SECONDS
    who = _same_author(author)
    if not seconds or author.is_staff or who is None:
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


def _same_author(author: Author) -> Q | None:
    """Comments by this account (or IP), or with this email address."""
    ways = []
    if author.user is not None:
        ways.append(Q(user=author.user))
    elif author.ip:
        ways.append(Q(ip_address=author.ip))
    if author.email:
        ways.append(Q(author_email=author.email))
    return reduce(operator.or_, ways) if ways else None


def _check_duplicate(post: Post, body: str, author: Author) -> None:
    """Raise if this author already said exactly this on this post."""
    if author.user is not None:
        same_author = Q(user=author.user)
    elif author.email:
        same_author = Q(author_email=author.email)
    else:
        same_author = Q(author_name=author.name)
    same = Comment.objects.filter(same_author, post=post, body=body)
    if same.exclude(status=Comment.Status.REMOVED).exists():
        raise ValidationError({"body": gettext("You've already said that.")})


def _moderate(
    body: str, body_html: str, author: Author, bot_reason: str, post: Post | None = None
):
    """Return the new comment's (status, reason) from the moderation rules.

    `post` is given for a new comment: holding everything (the post's or
    COMMENT_HOLD_ALL) is about new comments, not edits.
    """
    if bot_reason:
        return Comment.Status.SPAM, bot_reason
    text = "\n".join([body, author.name, author.email, author.url])
    for entry in BlocklistEntry.objects.active():
        if entry.matches(text=text, email=author.email, ip=author.ip):
            return Comment.Status.SPAM, f'blocklist entry "{entry.value}"'
    if author.is_staff:
        return Comment.Status.APPROVED, ""
    if post is not None and (settings.COMMENT_HOLD_ALL or post.hold_comments):
        return Comment.Status.PENDING, "holding every new comment"
    links = markup.count_links(body_html)
    max_links = settings.COMMENT_MAX_LINKS
    if max_links and links >= max_links:
        return Comment.Status.PENDING, f"{links} links"
    if settings.COMMENT_HOLD_FIRST and not _is_known(author):
        return Comment.Status.PENDING, "first comment"
    return Comment.Status.APPROVED, ""


def _is_known(author: Author) -> bool:
    """Return True if a moderator trusts the author, or approved them before.

    A guest is known by name and email together, as in WordPress: a
    regular's email alone under another name is not enough.
    """
    if author.email and TrustedAuthor.objects.filter(email=author.email).exists():
        return True
    if author.user is not None:
        known = Q(user=author.user)
    elif author.email:
        known = Q(user=None, author_email=author.email, author_name=author.name)
    else:
        return False  # else every guest without an email counts as one author
    return Comment.objects.filter(known).approved().exists()


def comment_author_edit(*, comment: Comment, body: str) -> Comment:
    """Let its author correct a comment in time; the earlier text is kept.

    The new text meets the same rules as a new comment: an edit that would
    be held is held, one that would be spam is spam (an edit never approves).
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _check_still_editable(comment)
        if body == comment.body:
            return comment
        CommentRevision.objects.create(comment=comment, body=comment.body)
        comment.body = body
        comment.body_html = markup.render_comment(body)
        comment.edited_at = timezone.now()
        comment.full_clean(
            exclude=["lft", "rght", "tree_id", "level", "post", "parent"]
        )
        comment.save(update_fields=["body", "body_html", "edited_at"])
        Post.objects.filter(pk=comment.post_id).touch_threads(
            comments=[comment.pk], trees=[comment.tree_id]
        )
        _moderate_edit(comment)
    return comment


# How far from public each status an edit can lead to is: an edit only moves right.
STRICTNESS = [Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM]


def _moderate_edit(comment: Comment) -> None:
    """Hold or spam an edited comment if its new text would be on entry."""
    author = Author(
        comment.user,
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.ip_address,
    )
    status, reason = _moderate(comment.body, comment.body_html, author, bot_reason="")
    if STRICTNESS.index(status) > STRICTNESS.index(comment.status):
        comment_set_status(
            comments=[comment], status=status, reason=f"after an edit: {reason}"
        )


def comment_author_remove(*, comment: Comment) -> None:
    """Let its author take a comment back in time (removal: replies stay)."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        _check_still_editable(comment)
        comment_set_status(
            comments=[comment],
            status=Comment.Status.REMOVED,
            reason="removed by its author",
        )


def _check_still_editable(comment: Comment) -> None:
    if not comment.has_changeable_status:
        raise ValidationError(gettext("This comment can no longer be changed."))
    if not comment.is_changeable():
        minutes = settings.COMMENT_EDIT_MINUTES
        raise ValidationError(
            ngettext(
                "Comments can be changed for %(count)d minute after posting; "
                "this one can't any more.",
                "Comments can be changed for %(count)d minutes after posting; "
                "this one can't any more.",
                minutes,
            )
            % {"count": minutes}
        )
