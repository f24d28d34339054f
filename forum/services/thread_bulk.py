"""Build a post's comment trees in bulk: imports, benchmarks and test data.

Saving comments one by one through mptt costs a tree shift per reply; for
thousands of comments `thread_bulk_create` instead inserts them with
`bulk_create`, one generation at a time (parents first, so every reply can
point at its parent's new id), with placeholder tree fields, and then
`thread_rebuild` numbers the post's forest from the parent links: fresh tree
ids from the sequence (`Comment.objects.allocate_tree_ids`), lft/rght/level,
and a bump of the thread's version. All of it under the thread lock, in one
transaction.
"""

from collections.abc import Sequence

from django.db import transaction

from forum.models import Comment, Post
from forum.services.trees import TREE_FIELDS, lock_thread, thread_rebuild

BATCH_SIZE = 1000


@transaction.atomic
def thread_bulk_create(*, post: Post, comments: Sequence[Comment]) -> int:
    """Add unsaved comments to the post's thread in bulk; return how many.

    Each comment's parent is None (a new top-level comment), a saved comment
    of the post, or a comment earlier in `comments`: parents come before their
    replies. Nothing here checks or moderates: callers hand in rows that are
    ready, as an import or a fixture builds them.
    """
    if not comments:
        return 0
    lock_thread(post.pk)
    for comment in comments:  # searched in their post's language
        comment.language = post.language
    with Comment.objects.disable_mptt_updates():
        for generation in _generations(post, comments):
            Comment.objects.bulk_create(generation, batch_size=BATCH_SIZE)
    thread_rebuild(post_id=post.pk)
    return len(comments)


def _generations(post: Post, comments: Sequence[Comment]) -> list[list[Comment]]:
    """Group the comments by depth within the batch: each group's parents exist."""
    depth: dict[int, int] = {}
    generations: list[list[Comment]] = []
    for comment in comments:
        comment.post = post
        for field in TREE_FIELDS:
            setattr(comment, field, 0)  # numbered by thread_rebuild
        parent = comment.parent if comment.parent_id is None else None
        level = depth[id(parent)] + 1 if id(parent) in depth else 0
        if parent is not None and parent.pk is None and id(parent) not in depth:
            raise ValueError("A reply comes before its parent.")
        depth[id(comment)] = level
        if level == len(generations):
            generations.append([])
        generations[level].append(comment)
    return generations
