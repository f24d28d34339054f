"""Writes that change the shape of a post's comment forest.

Tree writes (insert, delete, repair) all start with `lock_thread`, in their
transaction, before django-mptt runs: mptt itself does no locking, and its
lft/rght shifts race without it (docs/decisions/0003 has the evidence).
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from forum import markup
from forum.models import Comment, Post
from forum.services import notifications

TREE_FIELDS = ("tree_id", "lft", "rght", "level")


def lock_thread(post_id: int) -> Post:
    """Lock the post's comment forest until the transaction ends; return the post.

    PostgreSQL: a row lock on the post (FOR NO KEY UPDATE, so inserts that
    merely reference the post are not blocked). SQLite ignores it, but every
    write transaction there is BEGIN IMMEDIATE (config.settings), which holds
    the database's write lock from the start.
    """
    return Post.objects.select_for_update(no_key=True).get(pk=post_id)


def attach_point(parent: Comment) -> Comment:
    """Return where a reply to `parent` goes: itself, or its ancestor at the cap."""
    while parent.level >= settings.COMMENT_MAX_DEPTH:
        parent = parent.parent
    return parent


def insert(post: Post, parent: Comment | None, **fields) -> Comment:
    """Validate and insert a comment as the last child of `parent` (or a new root).

    The caller holds the thread lock and has read `parent` under it, so its
    tree fields are current: mptt need not re-read them. An approved comment
    that anyone follows is marked for its subscribers in its own row; they
    are told after commit.
    """
    comment = Comment(post=post, parent=parent, language=post.language, **fields)
    comment.announcement = notifications.announcement_for_new(comment)
    comment.body_html = comment.body_html or markup.render_comment(comment.body)
    # Foreign keys were read under the lock and the status CHECK lives in the
    # database: skipping their validation saves three queries per reply.
    comment.full_clean(
        exclude=[*TREE_FIELDS, "post", "parent", "user"], validate_constraints=False
    )
    comment.insert_at(parent, position="last-child", refresh_target=False)
    # The version the bump below makes: `post` was read under the lock, so
    # the stamp costs no query of its own (forum.live).
    comment.changed_version = post.comments_version + 1
    comment.save()
    Post.objects.filter(pk=post.pk).touch_threads(
        added=_added(comment, parent), trees=[comment.tree_id]
    )
    notifications.comments_shown([comment])
    return comment


def _added(comment: Comment, parent: Comment | None) -> tuple[int, int] | None:
    """What a new comment adds to the post's counters: (approved, conversations).

    An approved reply under a comment that is not approved may bring its
    conversation back as a placeholder: None, recount.
    """
    if comment.status != Comment.Status.APPROVED:
        return (0, 0)
    if parent is None:
        return (1, 1)
    return (1, 0) if parent.status == Comment.Status.APPROVED else None


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
    post = lock_thread(post.pk)
    if parent is not None:
        parent = Comment.objects.get(pk=parent.pk)
        if parent.post_id != post.pk:
            raise ValidationError(
                {"parent": gettext("That comment is on another post.")}
            )
        parent = attach_point(parent)
    return insert(
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


@transaction.atomic
def thread_rebuild(*, post_id: int) -> int:
    """Recompute the tree fields of every comment on the post from parent links.

    Each top-level comment gets a fresh tree id and siblings are ordered by
    date. A reply whose parent is gone or on another post becomes top-level;
    a cycle of parent links is cut at its oldest comment. Returns how many
    comments changed.
    """
    lock_thread(post_id)
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
    Post.objects.filter(pk=post_id).touch_threads(comments=[c.pk for c in changed])
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
        on_path: set[int] = set()
        node = comment.pk
        while node is not None and node not in sound:
            if node in on_path:
                cycle = path[path.index(node) :]
                parents[min(cycle, key=order.__getitem__)] = None
                break
            path.append(node)
            on_path.add(node)
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


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Delete a comment without replies; one with replies must be removed instead.

    A hard delete of a comment with replies would take the replies with it
    (CASCADE) or orphan them; removal keeps them readable under a placeholder.
    """
    lock_thread(comment.post_id)
    comment = Comment.objects.get(pk=comment.pk)
    if not comment.is_leaf_node():
        raise ValidationError(
            gettext(
                "This comment has replies: remove it instead, so they stay readable."
            )
        )
    comment.delete()  # mptt closes the gap it leaves in its tree
    Post.objects.filter(pk=comment.post_id).touch_threads(trees=[comment.tree_id])
