"""Bring a WordPress export in: authors, categories, posts and their comment trees.

`wxr_import` reads the export as a stream and imports each post in its own
transaction (`post_import`): a post that fails is rolled back, reported and
skipped; the others go in. A post's comments are built in bulk
(`comments_import`): under the thread lock, `bulk_create` generation by
generation (parents first) with placeholder tree fields, then
`thread_rebuild` numbers the forest from the parent links, with fresh tree
ids from the sequence, and touches the thread. WordPress ids are kept
(`wp_id`), so running the import again adds only what is not there yet.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from forum import wpcontent, wxr
from forum.models import Category, Comment, Post
from forum.services.posts import post_create
from forum.services.threads import lock_thread, thread_rebuild

Status = Comment.Status
POST_STATUS = {
    "publish": Post.Status.PUBLISHED,
    **dict.fromkeys(("draft", "future", "pending", "private"), Post.Status.DRAFT),
}
NOT_POSTS = {"trash", "auto-draft", "inherit"}  # statuses of items left out
COMMENT_STATUS = {
    **dict.fromkeys(("1", "approve", "approved"), Status.APPROVED),
    **dict.fromkeys(("0", "hold"), Status.PENDING),
    "spam": Status.SPAM,
    **dict.fromkeys(("trash", "post-trashed"), Status.REMOVED),
}
REASONS = {
    Status.PENDING: "held in WordPress",
    Status.SPAM: "spam in WordPress",
    Status.REMOVED: "in WordPress's trash",
}


class ImportProblem(ValueError):
    """A post that can't be imported as it is."""


@dataclass
class ImportReport:
    """What an import did; `warn` receives each problem as it is found."""

    warn: Callable[[str], None]
    posts_created: int = 0
    posts_existing: int = 0
    posts_failed: int = 0
    comments_created: int = 0
    comments_existing: int = 0
    pings_skipped: int = 0
    users_created: int = 0
    categories_created: int = 0
    not_imported: Counter = field(default_factory=Counter)  # items, by post type


def wxr_import(
    source: wxr.Source,
    *,
    report: ImportReport,
    with_pings: bool = False,
    on_item: Callable[[], None] | None = None,
) -> ImportReport:
    """Import a WordPress export, post by post, into `report`; return it."""
    importer = _Importer(report, with_pings)
    for record in wxr.read(source):
        if isinstance(record, wxr.Author):
            importer.author(record)
        elif isinstance(record, wxr.Category):
            importer.category(record)
        else:
            importer.item(record)
            if on_item:
                on_item()
    return report


class _Importer:
    """The state of one import: the channel's authors and categories."""

    def __init__(self, report: ImportReport, with_pings: bool):
        self.report = report
        self.with_pings = with_pings
        self.users = {}  # login -> user, for the channel's authors
        self.users_by_wp_id = {}  # WordPress user id -> user
        self.categories = {}  # slug -> category, for the channel's categories
        self.made = Counter()

    def author(self, author: wxr.Author) -> None:
        if not author.login:
            self.report.warn("An author without a login was left out.")
            return
        try:
            user, created = author_import(author=author)
        except (ValidationError, DatabaseError) as error:
            self.report.warn(f"Author {author.login}: left out: {_message(error)}")
            return
        self.report.users_created += created
        self.users[wpcontent.login(author.login)] = user
        if author.wp_id:
            self.users_by_wp_id[author.wp_id] = user

    def category(self, category: wxr.Category) -> None:
        try:
            found, created = category_import(slug=category.slug, name=category.name)
        except (ValidationError, DatabaseError) as error:
            self.report.warn(f"Category {category.name}: left out: {_message(error)}")
            return
        self.report.categories_created += created
        self.categories[category.slug] = found

    def item(self, item: wxr.Item) -> None:
        if item.type != "post":
            self.report.not_imported[item.type or "(no type)"] += 1
            return
        if item.status in NOT_POSTS:
            self.report.not_imported[f"post ({item.status})"] += 1
            return
        self.made = Counter()  # users and categories this post creates
        try:
            done = post_import(item=item, importer=self)
        except (ImportProblem, ValidationError, DatabaseError) as error:
            self.report.posts_failed += 1
            title = wpcontent.plain_text(item.title)[:60]
            self.report.warn(
                f"Post {item.wp_id} “{title}”: not imported: {_message(error)}"
            )
            return
        # Counted once the post's transaction is over: a failed post adds nothing.
        report = self.report
        report.posts_created += done.created
        report.posts_existing += not done.created
        report.comments_created += done.comments_added
        report.comments_existing += done.comments_existing
        report.pings_skipped += done.pings
        report.users_created += self.made["users"]
        report.categories_created += self.made["categories"]

    def user_for(self, login: str):
        """The post's author: a channel author, else found or made by login."""
        login = wpcontent.login(login)
        if login in self.users:
            return self.users[login]
        user, created = author_import(author=wxr.Author(login=login))
        self.made["users"] += created
        return user

    def category_for(self, category: wxr.Category) -> Category:
        if category.slug in self.categories:
            return self.categories[category.slug]
        found, created = category_import(slug=category.slug, name=category.name)
        self.made["categories"] += created
        return found


@dataclass(frozen=True)
class PostImported:
    created: bool
    comments_added: int
    comments_existing: int
    pings: int


@transaction.atomic
def author_import(*, author: wxr.Author) -> tuple:
    """Return (user, created): the user with the author's login, or a new one.

    A new user has no usable password: an administrator sets one (or the
    author resets it) before they can sign in.
    """
    User = get_user_model()
    login = wpcontent.login(author.login)
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user, False
    user = User(
        username=login,
        email=wpcontent.email(author.email),
        first_name=(author.first_name or _other(author.display_name, login))[:150],
        last_name=author.last_name[:150],
    )
    user.set_unusable_password()
    user.save()
    return user, True


@transaction.atomic
def category_import(*, slug: str, name: str) -> tuple[Category, bool]:
    """Return (category, created): the category with this slug or name, or a new one."""
    name = wpcontent.plain_text(name)[:100] or slug
    # A name without ASCII letters (Γενικά) gets a slug of its own all the same.
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    slug = (wpcontent.slug(slug) or wpcontent.slug(name) or f"category-{digest}")[:100]
    found = Category.objects.filter(slug=slug).first()
    found = found or Category.objects.filter(name=name).first()
    if found is not None:
        return found, False
    category = Category(name=name, slug=slug)
    category.full_clean()
    category.save()
    return category, True


@transaction.atomic
def post_import(*, item: wxr.Item, importer: _Importer) -> PostImported:
    """Import one post and its comments, or the comments it lacks if it is there."""
    if item.wp_id is None:
        raise ImportProblem("it has no wp:post_id")
    post = Post.objects.filter(wp_id=item.wp_id).first()
    created = post is None
    if created:
        post = _post_create(item, importer)
    elif not _same_post(post, item):
        raise ImportProblem(
            f"the post imported with this id is “{post.title}” "
            "(is this another blog's export?)"
        )
    comments = [c for c in item.comments if importer.with_pings or not c.is_ping]
    # Comments already here need no row (sanitizing HTML is the costly part).
    known = set() if created else _known_comments(post, comments)
    rows = []
    for comment in comments:
        if comment.wp_id in known:
            continue
        if comment.wp_id is None:
            importer.report.warn(
                f"Post {item.wp_id}: a comment without an id left out."
            )
            continue
        rows.append((_comment_row(post, comment, importer), comment.parent_id))
    added = comments_import(
        post=post,
        comments=rows,
        warn=lambda message: importer.report.warn(f"Post {item.wp_id}: {message}"),
    )
    return PostImported(
        created=created,
        comments_added=added,
        comments_existing=len(known) + len(rows) - added,
        pings=len(item.comments) - len(comments),
    )


def _known_comments(post: Post, comments: list[wxr.Comment]) -> set[int]:
    ids = [c.wp_id for c in comments if c.wp_id is not None]
    known = Comment.objects.filter(post=post, wp_id__in=ids)
    return set(known.values_list("wp_id", flat=True))


def _same_post(post: Post, item: wxr.Item) -> bool:
    """Whether the post with the item's WordPress id came from this item.

    WordPress ids are only unique within one blog: a second blog's export
    must not add its comments to the first blog's posts.
    """
    title = _title(item)
    return post.title == title or post.slug == _wanted_slug(item, title)


def _title(item: wxr.Item) -> str:
    return wpcontent.plain_text(item.title)[:200] or "(no title)"


def _wanted_slug(item: wxr.Item, title: str) -> str:
    slug = wpcontent.slug(item.slug) or wpcontent.slug(title)
    return (slug or f"post-{item.wp_id}")[:200]


def _post_create(item: wxr.Item, importer: _Importer) -> Post:
    title = _title(item)
    status = POST_STATUS.get(item.status, Post.Status.DRAFT)
    if item.password:
        status = Post.Status.DRAFT
        importer.report.warn(
            f"Post {item.wp_id} “{title[:60]}”: password-protected in WordPress, "
            "imported as a draft."
        )
    post = post_create(
        title=title,
        body=wpcontent.post_body(item.content),
        author=importer.user_for(item.creator),
        slug=_free_slug(item, title, importer.report.warn),
        status=status,
        published_at=item.date or timezone.now(),
        categories=[importer.category_for(c) for c in item.categories],
        comments_open=item.comment_status == "open",
    )
    Post.objects.filter(pk=post.pk).update(wp_id=item.wp_id)
    post.wp_id = item.wp_id
    return post


def _free_slug(item: wxr.Item, title: str, warn) -> str:
    """WordPress's slug if no other post has it, else the slug with the post's id."""
    wanted = _wanted_slug(item, title)
    slug, attempt = wanted, 1
    while Post.objects.filter(slug=slug).exists():
        suffix = f"-{item.wp_id}" + (f"-{attempt}" if attempt > 1 else "")
        slug, attempt = wanted[: 200 - len(suffix)] + suffix, attempt + 1
    if slug != wanted:
        warn(f"Post {item.wp_id}: the slug “{wanted}” is taken; it is now “{slug}”.")
    return slug


def _comment_row(post: Post, comment: wxr.Comment, importer: _Importer) -> Comment:
    """An unsaved Comment for a WordPress comment, with placeholder tree fields."""
    status = COMMENT_STATUS.get(comment.approved.lower(), Status.PENDING)
    return Comment(
        post=post,
        wp_id=comment.wp_id,
        user=importer.users_by_wp_id.get(comment.user_id),
        author_name=wpcontent.plain_text(comment.author)[:100] or "Anonymous",
        author_email=wpcontent.email(comment.email),
        author_url=wpcontent.url(comment.url),
        ip_address=wpcontent.ip(comment.ip),
        body=comment.content,
        body_html=wpcontent.comment_html(comment.content),
        status=status,
        status_reason=REASONS.get(status, ""),
        created_at=comment.date or post.published_at,
        tree_id=0,
        lft=0,
        rght=0,
        level=0,
    )


@transaction.atomic
def comments_import(
    *, post: Post, comments: list[tuple[Comment, int | None]], warn
) -> int:
    """Add the post's WordPress comments it lacks, as whole trees; return how many.

    `comments` pairs each unsaved comment (with its `wp_id`) with the
    WordPress id of its parent (None at the top level). A comment whose parent
    is in neither the list nor the post becomes top-level, and is reported.
    """
    if not comments:
        return 0
    post = lock_thread(post.pk)
    known = Comment.objects.filter(post=post, wp_id__isnull=False)
    existing = {
        wp_id: (parent, level)
        for wp_id, parent, level in known.values_list("wp_id", "parent__wp_id", "level")
    }
    pks = dict(known.values_list("wp_id", "pk"))
    new = [(c, parent) for c, parent in comments if c.wp_id not in existing]
    if not new:
        return 0
    with Comment.objects.disable_mptt_updates():
        for generation in _generations(new, existing, warn):
            for comment, parent in generation:
                comment.parent_id = pks[parent] if parent is not None else None
            batch = [comment for comment, _ in generation]
            Comment.objects.bulk_create(batch, batch_size=500)
            pks.update((comment.wp_id, comment.pk) for comment in batch)
    thread_rebuild(post_id=post.pk)  # numbers the trees, touches the thread
    return len(new)


def _generations(new, existing: dict, warn) -> list[list[tuple[Comment, int | None]]]:
    """Order new comments parents first: top level, then their replies, and so on.

    Missing parents and loops of parent links make top-level comments;
    replies deeper than COMMENT_MAX_DEPTH hang under their ancestor there.
    """
    by_id = {}
    for comment, parent in new:
        if comment.wp_id in by_id:
            raise ImportProblem(f"comment {comment.wp_id} appears twice")
        by_id[comment.wp_id] = (comment, parent)
    parent_of, children = {}, defaultdict(list)
    for wp_id, (_, parent) in by_id.items():
        if parent is not None and parent not in by_id and parent not in existing:
            warn(f"comment {wp_id}'s parent {parent} is not in the export: top-level.")
            parent = None
        parent_of[wp_id] = parent
        children[parent].append(wp_id)
    level = {wp_id: lvl for wp_id, (_, lvl) in existing.items()}
    up = {wp_id: parent for wp_id, (parent, _) in existing.items()} | parent_of
    remaining = set(by_id)
    frontier = [w for w in by_id if parent_of[w] is None or parent_of[w] in existing]
    generations, deep = [], 0
    while remaining:
        if not frontier:  # what is left hangs from a loop of parent links
            oldest = min(remaining, key=lambda w: (by_id[w][0].created_at, w))
            warn(f"comment {oldest}'s parent links form a loop: top-level.")
            parent_of[oldest] = up[oldest] = None
            frontier = [oldest]
        frontier.sort(key=lambda w: (by_id[w][0].created_at, w))
        for wp_id in frontier:
            parent = parent_of[wp_id]
            while parent is not None and level[parent] >= settings.COMMENT_MAX_DEPTH:
                parent = up[parent]
            deep += parent != parent_of[wp_id]
            parent_of[wp_id] = up[wp_id] = parent
            level[wp_id] = 0 if parent is None else level[parent] + 1
            remaining.discard(wp_id)
        generations.append([(by_id[w][0], parent_of[w]) for w in frontier])
        frontier = [c for w in frontier for c in children[w] if c in remaining]
    if deep:
        warn(
            f"{deep} replies nested deeper than COMMENT_MAX_DEPTH "
            f"({settings.COMMENT_MAX_DEPTH}) hang under their ancestor at that depth."
        )
    return generations


def _other(value: str, than: str) -> str:
    return value if value != than else ""


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
