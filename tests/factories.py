"""Plain factory functions; comments always go through the locked service."""

import time
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.core import signing

from forum import services
from forum.forms import TOKEN_SALT
from forum.models import Category, Comment, Post


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


def aged_token(seconds: float = 60) -> str:
    """A comment-form token issued `seconds` ago (past the minimum fill time)."""
    return signing.dumps(time.time() - seconds, salt=TOKEN_SALT)


def comment_data(post: Post, **overrides) -> dict:
    """POST data for the comment form, as a browser would send it."""
    data = {
        "comment_post_ID": str(post.pk),
        "comment_parent": "0",
        "comment": f"A thoughtful reply {uuid4().hex[:6]}.",
        "author": "Anna Reader",
        "email": "anna@example.com",
        "url": "",
        "form_token": aged_token(),
        "contact_me_by_fax_only": "",
    }
    data.update(overrides)
    return data
