"""Write the blog out as WordPress eXtended RSS (WXR 1.2): the mirror of `importing`.

`wxr_export` writes every post (published ones as `publish`, drafts as
`draft`), its categories, its author and all its comments with their nesting
and status (approved 1, pending 0, spam, removed as trash), parents before
replies. WordPress (Tools > Import > WordPress) and `wxr_import` both read it.
Text is the HTML readers see. The file holds commenters' email and IP
addresses: keep it private. Posts and comments are streamed, two queries in all.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from itertools import groupby
from operator import attrgetter
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from forum.context_processors import tagline
from forum.models import Category, Comment, Post
from forum.wordpress import wxr


@dataclass
class ExportReport:
    """What an export wrote."""

    posts: int = 0
    comments: int = 0
    categories: int = 0
    authors: int = 0


def wxr_export(out: TextIO, *, site_url: str) -> ExportReport:
    """Write the whole blog to `out` as WXR 1.2; links start with `site_url`."""
    report = ExportReport()
    wxr.write_header(
        out,
        title=settings.SITE_NAME,
        link=site_url,
        description=tagline(),
        now=timezone.now().astimezone(UTC),
    )
    for user in get_user_model().objects.filter(posts__isnull=False).distinct():
        wxr.write_author(out, _author(user))
        report.authors += 1
    for category in Category.objects.order_by("pk"):
        wxr.write_category(out, wxr.Category(category.slug, category.name), category.pk)
        report.categories += 1
    for post, comments in _posts_with_comments():
        wxr.write_item(
            out, _item(post, comments), link=site_url + post.get_absolute_url()
        )
        report.posts += 1
        report.comments += len(comments)
    out.write(wxr.FOOTER)
    return report


def default_site_url() -> str:
    """The blog's address from ALLOWED_HOSTS, for exports given none."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in {"*"} and h[0] != "."]
    scheme = "https" if getattr(settings, "HTTPS", False) else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"


def _posts_with_comments() -> Iterator[tuple[Post, list[Comment]]]:
    """Yield (post, its comments in tree order), reading both tables once."""
    posts = (
        Post.objects.order_by("pk")
        .select_related("author")
        .prefetch_related("categories")
        .iterator(chunk_size=500)
    )
    comments = groupby(
        Comment.objects.order_by("post_id", "tree_id", "lft").iterator(chunk_size=2000),
        key=attrgetter("post_id"),
    )
    group = next(comments, None)
    for post in posts:
        while group is not None and group[0] < post.pk:
            group = next(comments, None)
        if group is not None and group[0] == post.pk:
            yield post, list(group[1])
            group = next(comments, None)
        else:
            yield post, []


def _author(user) -> wxr.Author:
    return wxr.Author(
        login=user.get_username(),
        wp_id=user.pk,
        email=user.email,
        display_name=user.get_full_name() or user.get_username(),
        first_name=user.first_name,
        last_name=user.last_name,
    )


def _item(post: Post, comments: list[Comment]) -> wxr.Item:
    return wxr.Item(
        wp_id=post.pk,
        title=post.title,
        slug=post.slug,
        status="publish" if post.status == Post.Status.PUBLISHED else "draft",
        date=post.published_at,
        content=post.body_html,
        comment_status="open" if post.comments_open else "closed",
        creator=post.author.get_username(),
        categories=[wxr.Category(c.slug, c.name) for c in post.categories.all()],
        comments=[_comment(c) for c in comments],
    )


def _comment(comment: Comment) -> wxr.Comment:
    return wxr.Comment(
        wp_id=comment.pk,
        parent_id=comment.parent_id,
        author=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        ip=comment.ip_address or "",
        date=comment.created_at,
        content=comment.body_html,
        approved=wxr.APPROVED[comment.status],
        type="comment",
        user_id=comment.user_id,
    )
