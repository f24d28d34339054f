"""Export the blog as WordPress eXtended RSS (WXR 1.2).

    python manage.py export_wxr [FILE] [--site-url https://blog.example.com]

Writes every post (published ones as `publish`, drafts as `draft`), its
categories, its author and all its comments with their nesting and status
(approved 1, pending 0, spam, removed as trash), parents before replies.
WordPress (Tools > Import > WordPress) and `import_wxr` both read it. Text is
the HTML readers see. The file holds commenters' email and IP addresses: keep
it private. Posts and comments are streamed, two queries in all.
"""

from datetime import UTC
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from forum import wxr
from forum.models import Category, Comment, Post


class Command(BaseCommand):
    help = "Export posts, categories, authors and comments as a WXR 1.2 file."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="Where to write (default: standard output)."
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The blog's address, for links (default: from DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, file=None, site_url="", **options):
        site_url = (site_url or _default_site_url()).rstrip("/")
        if file:
            with open(file, "w", encoding="utf-8") as out:
                counts = self._export(out, site_url)
        else:
            counts = self._export(_Unbuffered(self.stdout), site_url)
        report = self.stderr if file is None else self.stdout
        report.write(
            self.style.SUCCESS(
                f"Exported {counts['posts']} post(s), {counts['comments']} "
                f"comment(s), {counts['categories']} categor(ies) and "
                f"{counts['authors']} author(s)" + (f" to {file}." if file else ".")
            )
        )

    def _export(self, out, site_url: str) -> dict[str, int]:
        counts = dict.fromkeys(("posts", "comments", "categories", "authors"), 0)
        wxr.write_header(
            out,
            title=settings.SITE_NAME,
            link=site_url,
            description=settings.SITE_TAGLINE,
            now=timezone.now().astimezone(UTC),
        )
        for user in get_user_model().objects.filter(posts__isnull=False).distinct():
            wxr.write_author(out, _author(user))
            counts["authors"] += 1
        for category in Category.objects.order_by("pk"):
            wxr.write_category(
                out, wxr.Category(category.slug, category.name), category.pk
            )
            counts["categories"] += 1
        for post, comments in _posts_with_comments():
            item = _item(post, comments)
            wxr.write_item(out, item, link=site_url + post.get_absolute_url())
            counts["posts"] += 1
            counts["comments"] += len(comments)
        out.write(wxr.FOOTER)
        return counts


def _posts_with_comments():
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


def _default_site_url() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in {"*"} and h[0] != "."]
    scheme = "https" if getattr(settings, "HTTPS", False) else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"


class _Unbuffered:
    """The command's stdout, written to without a newline after each piece."""

    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text: str) -> None:
        self.stdout.write(text, ending="")
