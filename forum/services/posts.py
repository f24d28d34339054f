"""Writes to posts, and to what their threads show of their authors."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from forum.models import Category, Comment, Post, site_language

# What a staff member may change on a post (PostAdmin's form).
EDITABLE_FIELDS = {
    "title",
    "slug",
    "author",
    "body",
    "status",
    "published_at",
    "comments_open",
    "hold_comments",
    "slow_mode_minutes",
    "suggested_order",
    "language",
}


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
    hold_comments: bool = False,
    slow_mode_minutes: int = 0,
    suggested_order: str = "",
    language: str = "",
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
        hold_comments=hold_comments,
        slow_mode_minutes=slow_mode_minutes,
        suggested_order=suggested_order,
        language=language or site_language(),
    )
    post.full_clean(exclude=["body_html"])
    post.save()
    post.categories.set(categories)
    return post


@transaction.atomic
def post_update(
    *, post: Post, fields: dict, categories: Iterable[Category] | None = None
) -> Post:
    """Change a post; its cached thread and ETags follow (the thread's version).

    The thread shows the slug (in every Reply link) and the author (a badge).
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(post, name, value)
    post.full_clean(exclude=["body_html"])
    post.save()
    if categories is not None:
        post.categories.set(categories)
    if "language" in fields:  # its comments are searched in its language
        Comment.objects.filter(post=post).update(language=post.language)
    Post.objects.filter(pk=post.pk).touch_threads()
    return post


def threads_touch_for_users(*, user_ids: Iterable[int]) -> int:
    """Mark the threads these users commented in as changed; return how many.

    Their badges ("Moderator") are part of the cached threads: becoming or
    ceasing to be a moderator changes them.
    """
    wrote = Comment.objects.filter(post=OuterRef("pk"), user_id__in=list(user_ids))
    return Post.objects.filter(Exists(wrote)).touch_threads()


@transaction.atomic
def posts_set_comments_open(*, posts, is_open: bool) -> list[Post]:
    """Open or close comments on these posts; return the posts that changed."""
    changed = list(posts.exclude(comments_open=is_open))
    changed_posts = Post.objects.filter(pk__in=[p.pk for p in changed])
    changed_posts.update(comments_open=is_open)
    changed_posts.touch_threads()
    return changed
