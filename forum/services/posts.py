"""Writes to posts."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from forum.models import Category, Post


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
def posts_set_comments_open(*, posts, is_open: bool) -> list[Post]:
    """Open or close comments on these posts; return the posts that changed."""
    changed = list(posts.exclude(comments_open=is_open))
    changed_posts = Post.objects.filter(pk__in=[p.pk for p in changed])
    changed_posts.update(comments_open=is_open)
    changed_posts.touch_threads()
    return changed
