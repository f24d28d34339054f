"""Every write to posts and comments: views, admin, commands and tests call these.

Tree writes (insert, move, delete, repair) all start with `_lock_thread`, in
their transaction, before django-mptt runs: mptt itself does no locking, and
its lft/rght shifts race without it. docs/architecture.md has the measurements.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from forum import markup
from forum.models import BlocklistEntry, Category, Comment, Post

TREE_FIELDS = ("tree_id", "lft", "rght", "level")


class CommentsClosed(Exception):
    """The post does not take comments (closed, unpublished or too old)."""


class Flooding(Exception):
    """The author commented moments ago; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def _lock_thread(post_id: int) -> Post:
    """Lock the post's comment forest until the transaction ends; return the post.

    PostgreSQL: a row lock on the post (FOR NO KEY UPDATE, so inserts that
    merely reference the post are not blocked). SQLite ignores it, but every
    write transaction there is BEGIN IMMEDIATE (config.settings), which holds
    the database's write lock from the start.
    """
    return Post.objects.select_for_update(no_key=True).get(pk=post_id)


def _bump_thread(post_id: int) -> None:
    """Mark the post's thread as changed (cache keys and ETags use the version)."""
    Post.objects.filter(pk=post_id).update(comments_version=F("comments_version") + 1)


def _attach_point(parent: Comment) -> Comment:
    """Return where a reply to `parent` goes: itself, or its ancestor at the cap."""
    while parent.level >= settings.COMMENT_MAX_DEPTH:
        parent = parent.parent
    return parent


def _insert(post: Post, parent: Comment | None, **fields) -> Comment:
    """Validate and insert a comment as the last child of `parent` (or a new root).

    The caller holds the thread lock and has read `parent` under it, so its
    tree fields are current: mptt need not re-read them.
    """
    comment = Comment(post=post, parent=parent, **fields)
    comment.body_html = markup.render_comment(comment.body)
    # Foreign keys were read under the lock and the status CHECK lives in the
    # database: skipping their validation saves three queries per reply.
    comment.full_clean(
        exclude=[*TREE_FIELDS, "post", "parent", "user"], validate_constraints=False
    )
    comment.insert_at(parent, position="last-child", refresh_target=False)
    comment.save()
    _bump_thread(post.pk)
    return comment


@transaction.atomic
def comment_create(
    *,
    post: Post,
    body: str,
    author_name: str,
    parent: Comment | None = None,
    user=None,
    author_email: str = "",
    author_url: str = "",
    status: str = Comment.Status.APPROVED,
    status_reason: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    created_at: datetime | None = None,
) -> Comment:
    """Add a comment to the post's thread, as the last reply to `parent` if given."""
    post = _lock_thread(post.pk)
    if parent is not None:
        parent = Comment.objects.get(pk=parent.pk)
        if parent.post_id != post.pk:
            raise ValidationError({"parent": "That comment is on another post."})
        parent = _attach_point(parent)
    return _insert(
        post,
        parent,
        body=body,
        author_name=author_name,
        author_email=author_email.lower(),
        author_url=author_url,
        user=user,
        status=status,
        status_reason=status_reason,
        ip_address=ip_address,
        user_agent=user_agent[:500],
        created_at=created_at or timezone.now(),
    )


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
        post = _lock_thread(post.pk)
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
        return _insert(
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
    parent = Comment.objects.filter(pk=parent_id, post=post).first()
    if parent is None or parent.status != Comment.Status.APPROVED:
        raise ValidationError(
            {"parent": "The comment you are replying to is not available."}
        )
    return _attach_point(parent)


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
    """Return True if this author has had a comment approved before."""
    if user is None and not email:
        return False  # else every guest without one counts as one author
    author = Q(user=user) if user is not None else Q(author_email=email, user=None)
    return Comment.objects.filter(author, status=Comment.Status.APPROVED).exists()


@transaction.atomic
def post_create(
    *,
    title: str,
    body: str,
    author,
    slug: str = "",
    status: str = Post.Status.PUBLISHED,
    published_at: datetime | None = None,
    categories: list[Category] | tuple = (),
    comments_open: bool = True,
) -> Post:
    """Create a post (published now unless told otherwise)."""
    post = Post(
        title=title,
        slug=slug or slugify(title)[:200],
        body=body,
        author=author,
        status=status,
        published_at=published_at or timezone.now(),
        comments_open=comments_open,
    )
    post.full_clean(exclude=["body_html"])
    post.save()
    post.categories.set(categories)
    return post


@transaction.atomic
def thread_rebuild(*, post_id: int) -> int:
    """Recompute the tree fields of every comment on the post from parent links.

    Each top-level comment gets a fresh tree id and siblings are ordered by
    date. A reply whose parent is gone or on another post becomes top-level;
    a cycle of parent links is cut at its oldest comment. Returns how many
    comments changed.
    """
    _lock_thread(post_id)
    comments = list(
        Comment.objects.filter(post_id=post_id)
        .order_by("created_at", "pk")
        .only("pk", "parent_id", *TREE_FIELDS)
    )
    old = {c.pk: _tree_state(c) for c in comments}
    parents = _acyclic_parents(comments)
    children = defaultdict(list)
    for comment in comments:
        comment.parent_id = parents[comment.pk]
        if comment.parent_id is not None:
            children[comment.parent_id].append(comment)
    roots = [c for c in comments if c.parent_id is None]
    for root, tree_id in zip(
        roots, Comment.objects.allocate_tree_ids(len(roots)), strict=True
    ):
        _number_tree(root, tree_id, children)
    changed = [c for c in comments if _tree_state(c) != old[c.pk]]
    Comment.objects.bulk_update(changed, ["parent", *TREE_FIELDS], batch_size=1000)
    _bump_thread(post_id)
    return len(changed)


def _tree_state(comment: Comment) -> tuple:
    return (comment.parent_id, *(getattr(comment, f) for f in TREE_FIELDS))


def _acyclic_parents(comments: list[Comment]) -> dict[int, int | None]:
    """Map each comment to its parent within the post, cutting any cycle."""
    order = {c.pk: i for i, c in enumerate(comments)}
    parents = {c.pk: c.parent_id if c.parent_id in order else None for c in comments}
    sound: set[int] = set()
    for comment in comments:
        path: list[int] = []
        node = comment.pk
        while node is not None and node not in sound:
            if node in path:
                cycle = path[path.index(node) :]
                parents[min(cycle, key=order.__getitem__)] = None
                break
            path.append(node)
            node = parents[node]
        sound.update(path)
    return parents


def _number_tree(root: Comment, tree_id: int, children) -> None:
    """Number the tree under `root` (iteratively, so depth has no limit)."""
    counter = 1
    root.tree_id, root.lft, root.level = tree_id, counter, 0
    stack = [(root, iter(children[root.pk]))]
    while stack:
        node, kids = stack[-1]
        child = next(kids, None)
        if child is None:
            counter += 1
            node.rght = counter
            stack.pop()
        else:
            counter += 1
            child.tree_id, child.lft, child.level = tree_id, counter, node.level + 1
            stack.append((child, iter(children[child.pk])))
