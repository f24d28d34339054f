"""Bring a WordPress export in: authors, categories, posts and their comment trees.

`wxr_import` reads the export as a stream and imports each post in its own
transaction (`post_import`): a post that fails is rolled back, reported and
skipped; the others go in. A post's comments are placed (`comments_import`)
under the thread lock, parents first, and built in bulk by
`forum.services.thread_bulk`.

Running the import again adds only what is not there yet: a post is found
again by its key (`Post.wp_key`, see `item_key`), which tells apart items
that share a WordPress id (merged or edited exports), and a comment by its
WordPress id within its post (`Comment.wp_id`).
"""

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from forum.models import Category, Comment, Post
from forum.services.posts import post_create
from forum.services.thread_bulk import thread_bulk_create
from forum.services.trees import lock_thread
from forum.wordpress import content, wxr

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
        self.identities = Counter()  # items so far with each post identity

    def key_for(self, item: wxr.Item) -> str:
        """The item's Post.wp_key; repeats of an item get keys of their own."""
        identity = item_key(item, 0)  # the same for every repeat of the item
        self.identities[identity] += 1
        return item_key(item, self.identities[identity])

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
        self.users[content.login(author.login)] = user
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
            label = _label(item, title=True)
            self.report.warn(f"{label}: not imported: {_message(error)}")
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
        login = content.login(login)
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
    login = content.login(author.login)
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user, False
    user = User(
        username=login,
        email=content.email(author.email),
        first_name=(author.first_name or _other(author.display_name, login))[:150],
        last_name=author.last_name[:150],
    )
    user.set_unusable_password()
    user.save()
    return user, True


@transaction.atomic
def category_import(*, slug: str, name: str) -> tuple[Category, bool]:
    """Return (category, created): the category with this slug or name, or a new one."""
    name = content.plain_text(name)[:100] or slug
    # A name without ASCII letters (Γενικά) gets a slug of its own all the same.
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    slug = (content.slug(slug) or content.slug(name) or f"category-{digest}")[:100]
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
    key = importer.key_for(item)
    post = _imported_post(item, key)
    created = post is None
    if created:
        post = _post_create(item, key, importer)
    comments = [c for c in item.comments if importer.with_pings or not c.is_ping]
    # Comments already here need no row (sanitizing HTML is the costly part).
    known = set() if created else _known_comments(post, comments)
    new = [c for c in comments if c.wp_id not in known]
    rows = _comment_rows(post, item, new, importer)
    added = comments_import(
        post=post,
        comments=rows,
        warn=lambda message: importer.report.warn(f"{_label(item)}: {message}"),
    )
    return PostImported(
        created=created,
        comments_added=added,
        comments_existing=len(known) + len(rows) - added,
        pings=len(item.comments) - len(comments),
    )


def item_key(item: wxr.Item, occurrence: int) -> str:
    """Return the key (Post.wp_key) a post made from `item` is found by again.

    A digest of the item's WordPress id, of what tells it from another item
    with that id (its guid, which WordPress never changes; else its link; else
    its slug or title and its date), and of `occurrence`: 1 for the first item
    in the file with both the same, 2 for the next... so an item repeated
    word for word makes posts of its own, found in the same order next time.
    """
    if item.guid:
        identity = f"guid {item.guid}"
    elif item.link:
        identity = f"link {item.link}"
    else:
        date = item.date.isoformat() if item.date else ""
        identity = f"slug {item.slug or item.title} {date}"
    text = f"{item.wp_id}\n{identity}\n{occurrence}"
    return hashlib.sha256(text.encode()).hexdigest()


def _imported_post(item: wxr.Item, key: str) -> Post | None:
    """The post an earlier import made from this item, or None.

    Posts imported before keys existed are found by their WordPress id, if
    they have the item's title or slug (another blog's post may have the same
    id), and get their key now.
    """
    post = Post.objects.filter(wp_key=key).first()
    if post is not None or item.wp_id is None:
        return post
    post = Post.objects.filter(wp_id=item.wp_id, wp_key="").first()
    if post is None or not _same_post(post, item):
        return None
    Post.objects.filter(pk=post.pk).update(wp_key=key)
    return post


def _known_comments(post: Post, comments: list[wxr.Comment]) -> set[int]:
    ids = [c.wp_id for c in comments if c.wp_id is not None]
    known = Comment.objects.filter(post=post, wp_id__in=ids)
    return set(known.values_list("wp_id", flat=True))


def _same_post(post: Post, item: wxr.Item) -> bool:
    """Whether the post with the item's WordPress id came from this item."""
    title = _title(item)
    return post.title == title or post.slug == _wanted_slug(item, title)


def _title(item: wxr.Item) -> str:
    return content.plain_text(item.title)[:200] or "(no title)"


def _label(item: wxr.Item, *, title: bool = False) -> str:
    """How messages name an item: "Post 12", "Post 12 “Title”" or "Post “Title”"."""
    name = f"“{content.plain_text(item.title)[:60]}”"
    if item.wp_id is None:
        return f"Post {name}"
    return f"Post {item.wp_id} {name}" if title else f"Post {item.wp_id}"


def _wanted_slug(item: wxr.Item, title: str) -> str:
    slug = content.slug(item.slug) or content.slug(title)
    fallback = f"post-{item.wp_id}" if item.wp_id is not None else "post"
    return (slug or fallback)[:200]


def _post_create(item: wxr.Item, key: str, importer: _Importer) -> Post:
    title = _title(item)
    status = POST_STATUS.get(item.status, Post.Status.DRAFT)
    warn = importer.report.warn
    if item.password:
        status = Post.Status.DRAFT
        warn(
            f"{_label(item, title=True)}: password-protected in WordPress, "
            "imported as a draft."
        )
    _warn_identity(item, warn)
    post = post_create(
        title=title,
        body=content.post_body(item.content),
        author=importer.user_for(item.creator),
        slug=_free_slug(item, title, warn),
        status=status,
        published_at=item.date or timezone.now(),
        categories=[importer.category_for(c) for c in item.categories],
        comments_open=item.comment_status == "open",
    )
    Post.objects.filter(pk=post.pk).update(wp_id=item.wp_id, wp_key=key)
    post.wp_id, post.wp_key = item.wp_id, key
    return post


def _warn_identity(item: wxr.Item, warn: Callable[[str], None]) -> None:
    """Say when a new post's WordPress id does not tell it apart on its own."""
    label = _label(item, title=True)
    if item.wp_id is None:
        warn(
            f"{label}: no wp:post_id; imported all the same, and known by its "
            "guid (else its link, else its slug and date)."
        )
    elif Post.objects.filter(wp_id=item.wp_id).exists():
        warn(
            f"{label}: another post has the same wp:post_id; "
            "imported as a post of its own."
        )


def _free_slug(item: wxr.Item, title: str, warn) -> str:
    """WordPress's slug if no other post has it, else the slug with the post's id."""
    wanted = _wanted_slug(item, title)
    slug, suffixes = wanted, _slug_suffixes(item)
    while Post.objects.filter(slug=slug).exists():
        suffix = next(suffixes)
        slug = wanted[: 200 - len(suffix)] + suffix
    if slug != wanted:
        warn(f"{_label(item)}: the slug “{wanted}” is taken; it is now “{slug}”.")
    return slug


def _slug_suffixes(item: wxr.Item) -> Iterator[str]:
    """-12, -12-2, -12-3… after the post's WordPress id; -2, -3… without one."""
    number = f"-{item.wp_id}" if item.wp_id is not None else ""
    if number:
        yield number
    for attempt in itertools.count(2):
        yield f"{number}-{attempt}"


def _comment_rows(
    post: Post, item: wxr.Item, comments: list[wxr.Comment], importer: _Importer
) -> list[tuple[Comment, int | None]]:
    """Unsaved rows for the comments, paired with their parents' WordPress ids."""
    warn = importer.report.warn
    rows = []
    for comment in comments:
        if comment.wp_id is None:
            warn(f"{_label(item)}: a comment without an id left out.")
            continue
        rows.append((_comment_row(post, comment, importer), comment.parent_id))
    unsure = [str(c.wp_id) for c in comments if c.wp_id is not None and not c.approved]
    if unsure:
        warn(
            ngettext(
                "%(post)s: comment %(ids)s has no approval status; "
                "imported as approved.",
                "%(post)s: comments %(ids)s have no approval status; "
                "imported as approved.",
                len(unsure),
            )
            % {"post": _label(item), "ids": ", ".join(unsure)}
        )
    return rows


def _comment_row(post: Post, comment: wxr.Comment, importer: _Importer) -> Comment:
    """An unsaved Comment for a WordPress comment (its place comes later)."""
    status = _comment_status(comment.approved)
    return Comment(
        post=post,
        wp_id=comment.wp_id,
        user=importer.users_by_wp_id.get(comment.user_id),
        author_name=content.plain_text(comment.author)[:100] or "Anonymous",
        author_email=content.email(comment.email),
        author_url=content.url(comment.url),
        ip_address=content.ip(comment.ip),
        body=comment.content,
        body_html=content.comment_html(comment.content),
        status=status,
        status_reason=REASONS.get(status, ""),
        created_at=comment.date or post.published_at,
    )


def _comment_status(approved: str) -> str:
    """Parley's status for WordPress's comment_approved; unknown values hold."""
    # WordPress's exporter always writes the status: a comment without one
    # ("" when absent or empty) comes from another tool or a hand edit, and
    # such tools list the comments they publish. wp_insert_comment() approves
    # a comment whose status is not given (WordPress's importer passes its
    # parser's "" on, which WordPress then shows nowhere, approved nor held):
    # approving keeps an approved comment in, and the import says so.
    if not approved:
        return Status.APPROVED
    return COMMENT_STATUS.get(approved.lower(), Status.PENDING)


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
    new = [(c, parent) for c, parent in comments if c.wp_id not in existing]
    if not new:
        return 0
    rows = _linked(
        _generations(new, existing, warn), dict(known.values_list("wp_id", "pk"))
    )
    return thread_bulk_create(post=post, comments=rows)


def _linked(generations, pks: dict[int, int]) -> list[Comment]:
    """The comments, parents first, each pointing at its parent row (new or known)."""
    rows: dict[int, Comment] = {}
    for generation in generations:
        for comment, parent in generation:
            if parent in rows:
                comment.parent = rows[parent]
            else:
                comment.parent_id = pks[parent] if parent is not None else None
            rows[comment.wp_id] = comment
    return list(rows.values())


def _generations(new, existing: dict, warn) -> list[list[tuple[Comment, int | None]]]:
    """Order new comments parents first: top level, then their replies, and so on.

    Missing parents and loops of parent links make top-level comments;
    replies deeper than COMMENT_MAX_DEPTH hang under their ancestor there.
    """
    return _Forest(new, existing, warn).generations()


class _Forest:
    """A post's new comments, linked by WordPress ids, placed generation by generation.

    `existing` maps the WordPress ids of comments already in the post to
    (their parent's WordPress id, their level).
    """

    def __init__(self, new, existing: dict, warn):
        self.warn = warn
        self.by_id = {}
        for comment, parent in new:
            if comment.wp_id in self.by_id:
                raise ImportProblem(f"comment {comment.wp_id} appears twice")
            self.by_id[comment.wp_id] = (comment, parent)
        self.level = {wp_id: level for wp_id, (_, level) in existing.items()}
        self.parent_of, self.children = self._links(existing)
        self.up = {wp_id: parent for wp_id, (parent, _) in existing.items()}
        self.up |= self.parent_of
        self.deep = 0  # replies moved up under the depth cap

    def _links(self, existing: dict) -> tuple[dict, defaultdict]:
        parent_of, children = {}, defaultdict(list)
        for wp_id, (_, parent) in self.by_id.items():
            known = parent in self.by_id or parent in existing
            if parent is not None and not known:
                self.warn(
                    f"comment {wp_id}'s parent {parent} is not in the export: "
                    "top-level."
                )
                parent = None
            parent_of[wp_id] = parent
            children[parent].append(wp_id)
        return parent_of, children

    def generations(self) -> list[list[tuple[Comment, int | None]]]:
        remaining = set(self.by_id)
        frontier = [w for w in self.by_id if self.parent_of[w] not in self.by_id]
        generations = []
        while remaining:
            if not frontier:  # what is left hangs from a loop of parent links
                frontier = [self._cut_loop(remaining)]
            frontier.sort(key=self._age)
            for wp_id in frontier:
                self._place(wp_id)
                remaining.discard(wp_id)
            generations.append(
                [(self.by_id[w][0], self.parent_of[w]) for w in frontier]
            )
            frontier = [c for w in frontier for c in self.children[w] if c in remaining]
        if self.deep:
            self.warn(
                f"{self.deep} replies nested deeper than COMMENT_MAX_DEPTH "
                f"({settings.COMMENT_MAX_DEPTH}) hang under their ancestor "
                "at that depth."
            )
        return generations

    def _age(self, wp_id: int) -> tuple:
        return (self.by_id[wp_id][0].created_at, wp_id)

    def _cut_loop(self, remaining: set[int]) -> int:
        oldest = min(remaining, key=self._age)
        self.warn(f"comment {oldest}'s parent links form a loop: top-level.")
        self.parent_of[oldest] = self.up[oldest] = None
        return oldest

    def _place(self, wp_id: int) -> None:
        """Settle the comment's parent (its nearest ancestor under the cap), level."""
        parent = self.parent_of[wp_id]
        while parent is not None and self.level[parent] >= settings.COMMENT_MAX_DEPTH:
            parent = self.up[parent]
        self.deep += parent != self.parent_of[wp_id]
        self.parent_of[wp_id] = self.up[wp_id] = parent
        self.level[wp_id] = 0 if parent is None else self.level[parent] + 1


def _other(value: str, than: str) -> str:
    return value if value != than else ""


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
