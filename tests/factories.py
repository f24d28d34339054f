"""Plain factory functions; comments always go through the locked service."""

import importlib
import time
from datetime import timedelta
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from forum import services
from forum.forms import form_token
from forum.models import Category, Comment, Post

MODERATORS = importlib.import_module("forum.migrations.0004_moderators_group")


def make_user(**overrides):
    overrides.setdefault("username", f"user-{uuid4().hex[:8]}")
    overrides.setdefault("password", "pw")
    return get_user_model().objects.create_user(**overrides)


def make_category(**overrides) -> Category:
    token = uuid4().hex[:8]
    overrides.setdefault("name", f"Category {token}")
    overrides.setdefault("slug", f"category-{token}")
    return Category.objects.create(**overrides)


def make_post(**overrides) -> Post:
    token = uuid4().hex[:8]
    overrides.setdefault("title", f"Post {token}")
    overrides.setdefault("slug", f"post-{token}")
    overrides.setdefault("body", f"Body of post {token}.")
    if "author" not in overrides:
        overrides["author"] = make_user()
    return services.post_create(**overrides)


def make_comment(*, post: Post, parent: Comment | None = None, **overrides) -> Comment:
    overrides.setdefault("author_name", f"Reader {uuid4().hex[:6]}")
    overrides.setdefault("author_email", f"{uuid4().hex[:8]}@example.com")
    overrides.setdefault("body", f"Comment {uuid4().hex}")
    return services.comment_create(post=post, parent=parent, **overrides)


def aged_token(post: Post, seconds: float = 60) -> str:
    """A comment-form token for `post` issued `seconds` ago (past the minimum fill)."""
    return form_token(post.pk, issued_at=time.time() - seconds)


def comment_data(post: Post, **overrides) -> dict:
    """POST data for the comment form, as a browser would send it."""
    data = {
        "comment_post_ID": str(post.pk),
        "comment_parent": "0",
        "comment": f"A thoughtful reply {uuid4().hex[:6]}.",
        "author": "Anna Reader",
        "email": "anna@example.com",
        "url": "",
        "form_token": aged_token(post),
        "contact_me_by_fax_only": "",
    }
    data.update(overrides)
    return data


def make_moderator(**overrides):
    """A staff user in the "Moderators" group that migration 0004 creates."""
    _ensure_moderators_group()
    overrides.setdefault("is_staff", True)
    user = make_user(**overrides)
    user.groups.add(Group.objects.get(name=MODERATORS.GROUP))
    return user


def _ensure_moderators_group() -> None:
    # Transactional tests flush every table, the migration's group included;
    # then the migration's own function builds it again, on its historical models.
    if Group.objects.filter(name=MODERATORS.GROUP).exists():
        return
    loader = MigrationLoader(connection)
    state = loader.project_state(("forum", "0004_moderators_group"))
    MODERATORS.create_group(state.apps, None)


def make_many_comments(*, post: Post, count: int) -> None:
    """Add `count` approved comments to the post quickly, up to four levels deep."""
    sizes = [count - 3 * (count // 4)] + [count // 4] * 3
    parents: list[Comment | None] = [None] * sizes[0]
    start = timezone.now() - timedelta(days=1)
    comments: list[Comment] = []
    for size in sizes:
        made = len(comments)
        parents = [
            Comment(
                parent=parents[i],
                author_name=f"Reader {made + i}",
                author_email=f"reader{made + i}@example.com",
                body=f"Comment number {made + i}.",
                body_html=f"<p>Comment number {made + i}.</p>",
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(seconds=made + i),
            )
            for i in range(size)
        ]
        comments += parents
    services.thread_bulk_create(post=post, comments=comments)
