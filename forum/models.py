"""Posts, categories and threaded comments.

Comments form a forest per post: every top-level comment roots its own
django-mptt tree (its own tree_id), so a reply rewrites the lft/rght values of
one conversation only. docs/decisions/ 0001-0005 explain the layout, the lock
that serialises writers (forum.services) and the tree_id sequence below.
"""

import html
import ipaddress
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, models, router
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from forum import markup
from forum.validators import refuse_control_characters

# PostgreSQL sequence behind Comment.tree_id (created in migration 0002).
TREE_ID_SEQUENCE = "forum_comment_tree_id_seq"
# The group migration 0004 creates; its members' comments carry a badge.
MODERATORS = "Moderators"


def normalise_email(value: str) -> str:
    """Return the one form an address is stored and matched in: trimmed, lower case."""
    return value.strip().lower()


class EmailAddressField(models.EmailField):
    """An email address kept in lower case, and matched so however it is typed.

    Saving (forms, the admin, update(), bulk_create) stores it normalised, and
    exact lookups normalise the value looked for: "Anna@Example.com" finds
    the comments of "anna@example.com" in the privacy pages and everywhere.
    """

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = normalise_email(value)
            setattr(model_instance, self.attname, value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise_email(value) if isinstance(value, str) else value


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forum:category-detail", kwargs={"slug": self.slug})


class CommentOrder(models.TextChoices):
    """The orders a reader may read a thread in (forum.orders)."""

    BEST = "best", _("Best")
    TOP = "top", _("Top")
    # In context: "New" is also the mark on a new comment, a different word
    # in languages that agree the adjective with what it describes.
    NEW = "new", pgettext_lazy("comment order", "New")
    OLD = "old", pgettext_lazy("comment order", "Old")
    CONTROVERSIAL = "controversial", _("Controversial")


class PostQuerySet(models.QuerySet):
    def published(self) -> "PostQuerySet":
        """Posts the public may read: published, and not scheduled for later."""
        return self.filter(
            status=Post.Status.PUBLISHED, published_at__lte=timezone.now()
        )

    def touch_threads(
        self,
        *,
        added: tuple[int, int] | None = None,
        comments: Iterable[int] = (),
        trees: Iterable[int] | None = None,
    ) -> int:
        """Mark these posts' threads as changed: cache keys and ETags follow.

        One UPDATE ... RETURNING bumps the versions and keeps the stored
        counters (Post.comment_count, root_count) true: recounted, or moved
        by `added` (approved comments, shown conversations) when the caller
        knows exactly what it added. The page cache learns which posts'
        pages to drop from its answer (forum.page_cache). `comments`: the
        comments whose shown form changed, which open pages fetch
        (forum.live). `trees`: the conversations whose cached HTML is stale
        (forum.conversations); without it, every conversation of these posts.
        """
        from forum import live, page_cache

        db = self._db or router.db_for_write(self.model)
        try:
            ids, params = self.order_by().values("pk").query.get_compiler(db).as_sql()
        except EmptyResultSet:  # pk__in=[]: nothing to touch
            return 0
        trees = None if trees is None else sorted(set(trees))
        stamps = live.stamp_ahead(comments, using=db)
        bumped = _bump_posts(db, (ids, params), added, every_conversation=not trees)
        if trees:
            _bump_conversations(db, trees)
        page_cache.touch_posts([slug for slug, _, _ in bumped])
        live.stamp_overtaken(stamps, {pk: version for _, pk, version in bumped})
        return len(bumped)


def _bump_posts(db: str, posts, added, *, every_conversation: bool) -> list[tuple]:
    """The posts' UPDATE (versions, time, counters): (slug, id, version) each."""
    connection = connections[db]
    ops = connection.ops
    ids, params = posts
    table = ops.quote_name(Post._meta.db_table)
    counts, count_params = _counter_updates(table, added)
    whole = ", conversations_version = conversations_version + 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET comments_version = comments_version + 1, "  # noqa: S608 -- our own table and compiled SQL
            f"comments_changed_at = %s, {counts}{whole if every_conversation else ''} "
            f"WHERE id IN ({ids}) RETURNING slug, id, comments_version",
            [ops.adapt_datetimefield_value(timezone.now()), *count_params, *params],
        )
        return cursor.fetchall()


def _bump_conversations(db: str, trees: list[int]) -> None:
    """Move these conversations' versions (on their first comments)."""
    Comment.objects.using(db).filter(tree_id__in=trees, parent=None).update(
        tree_version=models.F("tree_version") + 1
    )


# The stored counters, recounted. A conversation is shown to every reader when
# its first comment is approved or, as a placeholder, when a reply below it is
# (CommentQuerySet.shown): the pages count these.
COMMENT_COUNT_SQL = (
    "(SELECT COUNT(*) FROM forum_comment c "
    "WHERE c.post_id = {post}.id AND c.status = 'approved')"
)
ROOT_COUNT_SQL = (
    "(SELECT COUNT(*) FROM forum_comment r "
    "WHERE r.post_id = {post}.id AND r.parent_id IS NULL AND (r.status = 'approved' "
    "OR EXISTS (SELECT 1 FROM forum_comment c WHERE c.tree_id = r.tree_id "
    "AND c.lft > r.lft AND c.status = 'approved')))"
)


def _counter_updates(table: str, added: tuple[int, int] | None) -> tuple[str, list]:
    """The SET clauses that keep a post's counters true, and their parameters."""
    if added is not None:
        return (
            "comment_count = comment_count + %s, root_count = root_count + %s",
            list(added),
        )
    return (
        f"comment_count = {COMMENT_COUNT_SQL.format(post=table)}, "
        f"root_count = {ROOT_COUNT_SQL.format(post=table)}",
        [],
    )


def site_languages() -> list[tuple[str, str]]:
    """The shipped languages, read when asked (a callable keeps migrations still)."""
    return settings.LANGUAGES


def site_language() -> str:
    """The site's language: a new post's, until its author picks another."""
    return settings.LANGUAGE_CODE


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text=_("The permalink is /posts/&lt;slug&gt;/; changing it breaks links."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField(help_text=_("Markdown; HTML is allowed and sanitized."))
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text=_("A published post with a future date stays hidden until then."),
    )
    categories = models.ManyToManyField(Category, related_name="posts", blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=site_languages,
        default=site_language,
        help_text=_("What the post is written in: search stems its words by it."),
    )
    comments_open = models.BooleanField(default=True)
    hold_comments = models.BooleanField(
        _("hold every new comment"),
        default=False,
        help_text=_("Every new comment waits for a moderator."),
    )
    slow_mode_minutes = models.PositiveIntegerField(
        _("slow mode (minutes)"),
        default=0,
        help_text=_(
            "Each reader may comment at most once per this many minutes "
            "on this post (0: off). Staff are exempt."
        ),
    )
    suggested_order = models.CharField(
        _("suggested order"),
        max_length=13,
        choices=CommentOrder,
        blank=True,
        help_text=_(
            "The order readers see until they pick one; empty: the site's default."
        ),
    )
    # Bumped by every write to the post's comments, in the same transaction;
    # the bump's row lock is what serialises tree writes (forum.services).
    comments_version = models.PositiveIntegerField(default=0, editable=False)
    comments_changed_at = models.DateTimeField(null=True, editable=False)
    # Counters kept by touch_threads in the same transaction as every write
    # (`check_threads` finds a drift, `--repair` recounts): the pages read
    # them instead of counting the thread. Approved comments ("N Responses"),
    # and top-level conversations every reader sees (the pages' count).
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    root_count = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by writes that change every conversation's HTML at once (the
    # post, its author, who moderates); a write within some conversations
    # bumps theirs only (Comment.tree_version). forum.conversations keys on both.
    conversations_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The post's id in the WordPress export it came from (import_wxr). Merged
    # or edited exports give two posts one id, so what a second import
    # recognises a post by is `wp_key` (forum.wordpress.importing.item_key);
    # posts imported before it existed have "" and are known by wp_id.
    wp_id = models.PositiveBigIntegerField(
        "WordPress id", null=True, blank=True, editable=False
    )
    wp_key = models.CharField(
        "WordPress key", max_length=64, blank=True, default="", editable=False
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ("-published_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]),
                name="forum_post_status_valid",
            ),
            models.UniqueConstraint(
                fields=["wp_key"], condition=~Q(wp_key=""), name="post_wp_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["wp_id"], name="post_wp_id_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = markup.render_post(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("forum:post-detail", kwargs={"slug": self.slug})

    def excerpt(self) -> str:
        """The body as plain text (entities decoded: the template escapes it)."""
        return html.unescape(strip_tags(self.body_html))

    def last_modified(self):
        """When the post or anything in its thread last changed."""
        return max(self.updated_at, self.comments_changed_at or self.updated_at)

    def is_public(self) -> bool:
        """Return True if the post is published and its date has come."""
        return (
            self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()
        )

    def accepts_comments(self) -> bool:
        """Return True if readers may comment now (public, open, not too old)."""
        if not (self.comments_open and self.is_public()):
            return False
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return not days or self.published_at > timezone.now() - timedelta(days=days)


class ThreadRow(NamedTuple):
    """One comment as the thread renderer reads it (forum.thread_html).

    Fetched as plain columns in one query (CommentQuerySet.thread_rows): no
    model instances, which at 10,000 comments would cost more than rendering.
    """

    pk: int
    parent_id: int | None
    author_name: str
    author_url: str
    created_at: datetime
    body_html: str
    status: str
    is_locked: bool
    user_id: int | None
    edited_at: datetime | None
    # Last, with defaults: rows made by hand (tests) need not name them.
    votes_up: int = 0
    votes_down: int = 0
    is_pinned: bool = False


THREAD_FIELDS = ThreadRow._fields


class CommentQuerySet(TreeQuerySet):
    def approved(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.APPROVED)

    def for_post(self, post: "Post") -> "CommentQuerySet":
        return self.filter(post=post)

    def shown(self, own_pending: frozenset[int] = frozenset()) -> "CommentQuerySet":
        """Comments a reader sees: approved ones, placeholders, their own pending.

        A comment that is not approved but has an approved reply stays as a
        placeholder ("This comment was removed.") so the reply keeps its place.
        """
        approved_below = Comment.objects.filter(
            tree_id=OuterRef("tree_id"),
            lft__gt=OuterRef("lft"),
            rght__lt=OuterRef("rght"),
            status=Comment.Status.APPROVED,
        )
        shown = Q(status=Comment.Status.APPROVED) | Q(
            rght__gt=models.F("lft") + 1, has_approved_reply=True
        )
        if own_pending:
            shown |= Q(pk__in=own_pending, status=Comment.Status.PENDING)
        return self.alias(has_approved_reply=Exists(approved_below)).filter(shown)

    def thread_rows(self, *, newest_first: bool = False) -> list[ThreadRow]:
        """Return ThreadRows in reading (depth-first) order, one query.

        Replies always read oldest first; newest_first orders the threads.
        """
        order = "-tree_id" if newest_first else "tree_id"
        # created_at comes as text: the driver's timestamp parsing cost ~4 µs a
        # row (40 ms at 10,000 comments), fromisoformat costs 0.2 µs.
        fields = [f if f != "created_at" else "created_text" for f in THREAD_FIELDS]
        rows = self.annotate(created_text=Cast("created_at", TextField()))
        # tuple.__new__ makes each ThreadRow without a Python-level call:
        # half the cost of ThreadRow._make (~3 ms at 10,000 comments).
        new = tuple.__new__
        return [
            new(ThreadRow, (pk, parent, name, url, _utc(created), *rest))
            for pk, parent, name, url, created, *rest in rows.order_by(
                order, "lft"
            ).values_list(*fields)
        ]


def _utc(text: str) -> datetime:
    """A stored timestamp read as text: PostgreSQL's has "+00", SQLite's is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    def allocate_tree_ids(self, count: int) -> list[int]:
        """Return `count` tree ids that no other tree has.

        PostgreSQL: from a sequence, never handed out twice. SQLite: past the
        largest id in use, read under the write lock every transaction holds.
        """
        # mptt's own MAX(tree_id)+1 races between concurrent writers on
        # PostgreSQL; a sequence never hands out the same value twice. SQLite
        # serialises writers (transaction_mode IMMEDIATE), so MAX+1 is safe.
        alias = self._db or router.db_for_write(self.model)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            start = super()._get_next_tree_id()
            return list(range(start, start + count))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                [TREE_ID_SEQUENCE, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _get_next_tree_id(self) -> int:
        return self.allocate_tree_ids(1)[0]


class Comment(MPTTModel):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    class Announcement(models.TextChoices):
        """Whether subscribers are still to hear of the comment (once, ever)."""

        UNSEEN = "unseen", _("Not shown yet: told when first approved")
        DUE = "due", _("Shown: subscribers to be told")
        DONE = "done", _("Told, or never to be (imported)")

    # No index of its own: the (post, ...) indexes below start with it.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = TreeForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    author_name = models.CharField(
        _("name"), max_length=100, validators=[refuse_control_characters]
    )
    author_email = EmailAddressField(_("email"), blank=True)
    author_url = models.URLField(_("website"), blank=True)
    body = models.TextField()
    body_html = models.TextField(editable=False)
    # The post's language, copied at insert and kept in step by post_update:
    # the search index's expression may only read this row (forum.search).
    language = models.CharField(max_length=10, default=site_language, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    status_reason = models.CharField(
        max_length=200, blank=True, help_text=_("Why it was held or marked spam.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When its author last edited it."),
    )
    is_locked = models.BooleanField(
        _("branch locked"),
        default=False,
        help_text=_("No new replies anywhere under this comment."),
    )
    slow_mode_minutes = models.PositiveIntegerField(
        _("slow mode below (minutes)"),
        default=0,
        help_text=_(
            "Each reader may reply at most once per this many minutes "
            "anywhere under this comment (0: off)."
        ),
    )
    # Kept in step with the Vote rows, in the vote's transaction, with F()
    # (forum.services.votes): a page reads scores without counting votes.
    votes_up = models.PositiveIntegerField(_("up-votes"), default=0, editable=False)
    votes_down = models.PositiveIntegerField(_("down-votes"), default=0, editable=False)
    is_pinned = models.BooleanField(
        _("pinned"),
        default=False,
        editable=False,
        help_text=_("Shown first under every order (top-level comments only)."),
    )
    # Set in the transaction that first shows the comment (forum.services):
    # the emails are rendered from it after commit, away from the thread
    # lock. Rows made outside the services (bulk imports) default to DONE,
    # so old comments never mail anyone.
    announcement = models.CharField(
        max_length=6, choices=Announcement, default=Announcement.DONE, editable=False
    )
    # The post's comments_version after the last write that changed how the
    # comment shows (touch_threads): open pages poll for rows newer than
    # theirs (forum.live). 0: not changed since it was imported.
    changed_version = models.PositiveIntegerField(default=0, editable=False)
    # Declared so it gets no index of its own: Meta.indexes has it.
    tree_id = models.PositiveIntegerField(editable=False)
    # On a top-level comment: its conversation's version, bumped by every
    # write within it (PostQuerySet.touch_threads), so the conversation's
    # cached HTML is stale and its neighbours' are not. 0 on replies.
    tree_version = models.PositiveIntegerField(default=0, editable=False)
    # The comment's id in the WordPress export it came from (import_wxr).
    wp_id = models.PositiveBigIntegerField(
        "WordPress id", null=True, blank=True, editable=False
    )

    objects = CommentManager()

    class MPTTMeta:
        # No order_insertion_by: replies go in as last child, so tree order
        # is chronological and no insert ever shifts other trees.
        pass

    class Meta:
        indexes = [
            # No index holds lft or rght (see NO_NESTED_SET_INDEX below).
            models.Index(fields=["tree_id"], name="comment_tree_idx"),
            models.Index(fields=["post", "tree_id"], name="comment_thread_idx"),
            # A page of a thread: its top-level comments only (issue 14).
            models.Index(
                fields=["post", "tree_id"],
                condition=Q(parent=None),
                name="comment_roots_idx",
            ),
            models.Index(fields=["post", "status"], name="comment_post_status_idx"),
            # What changed on a post since a version (forum.live). Tree writes
            # never set it, so their row updates stay HOT (decisions/0005).
            models.Index(
                fields=["post", "changed_version"], name="comment_changed_idx"
            ),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_idx"),
            models.Index(fields=["author_email"], name="comment_email_idx"),
            # Comments whose subscribers are still to be told: a handful at most.
            models.Index(
                fields=["id"],
                condition=Q(announcement="due"),
                name="comment_announcement_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["approved", "pending", "spam", "removed"]),
                name="forum_comment_status_valid",
            ),
            models.UniqueConstraint(
                fields=["post", "wp_id"], name="comment_wp_id_unique"
            ),
        ]

    def __str__(self):
        # Admin titles, lists and history name a comment by this: lists that
        # show comments select_related their post (forum.admin).
        if self.post_id is None:
            return self.author_name
        return gettext("%(name)s on %(post)s") % {
            "name": self.author_name,
            "post": self.post.title,
        }

    def save(self, *args, **kwargs):
        # The services render once, up front; this covers anything else.
        if not self.body_html:
            self.body_html = markup.render_comment(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("forum:comment-permalink", kwargs={"pk": self.pk})

    @staticmethod
    def edit_window() -> timedelta:
        """How long after posting its author may edit or delete a comment."""
        return timedelta(minutes=settings.COMMENT_EDIT_MINUTES)

    @property
    def editable_until(self) -> datetime:
        """When its author's window to edit or delete the comment closes."""
        return self.created_at + self.edit_window()

    @property
    def has_changeable_status(self) -> bool:
        """Shown or held: a removed or spammed comment is its author's no more."""
        return self.status in CHANGEABLE_STATUSES

    def is_changeable(self) -> bool:
        """Whether its author may still edit or delete the comment."""
        return self.has_changeable_status and timezone.now() <= self.editable_until

    @property
    def score(self) -> int:
        """Up-votes less down-votes, as readers see it."""
        return self.votes_up - self.votes_down

    @property
    def contact_email(self) -> str:
        """Where to write to its author: their account's address, or the one given."""
        return self.user.email if self.user else self.author_email


# The statuses in which an author may still change a comment (in its window).
CHANGEABLE_STATUSES = frozenset({Comment.Status.APPROVED, Comment.Status.PENDING})


def display_name(user) -> str:
    """The name a user goes by on pages and in feeds: full name, else login."""
    return user.get_full_name() or user.get_username()


class Vote(models.Model):
    """One reader's vote on one comment; Comment.votes_up/down count them.

    A reader is an account ("user:<id>") or, where guests may vote, a
    browser's signed-cookie id ("guest:<id>"); the database allows one row
    each per comment. A guest's IP is kept for the per-IP daily cap.
    """

    class Value(models.IntegerChoices):
        UP = 1, _("Up")
        DOWN = -1, _("Down")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.SmallIntegerField(choices=Value)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="one_vote_per_reader"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_value_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["ip_address", "created_at"], name="vote_ip_idx"),
            models.Index(fields=["user"], name="vote_user_idx"),
        ]

    def __str__(self):
        return f"{self.voter}: {self.value:+d} on #{self.comment_id}"


class BlocklistQuerySet(models.QuerySet):
    def active(self) -> "BlocklistQuerySet":
        """Entries that apply now: for ever, or not expired yet."""
        return self.filter(Q(expires_at=None) | Q(expires_at__gt=timezone.now()))


class BlocklistEntry(models.Model):
    """A word, email or IP range whose comments go straight to spam."""

    class Kind(models.TextChoices):
        WORD = "word", _("Word or phrase")
        EMAIL = "email", _("Email address or @domain")
        IP = "ip", _("IP address or CIDR range")

    kind = models.CharField(max_length=10, choices=Kind)
    # 254: an email address, as long as EmailField allows.
    value = models.CharField(max_length=254)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A block for a while lifts itself: past this, it no longer applies.
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty: for ever.")
    )

    objects = BlocklistQuerySet.as_manager()

    class Meta:
        ordering = ("kind", "value")
        verbose_name_plural = _("blocklist entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="blocklist_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        self.value = self.value.strip()
        if self.kind in {self.Kind.EMAIL, self.Kind.WORD}:
            self.value = self.value.lower()
        if self.kind == self.Kind.IP:
            try:
                ipaddress.ip_network(self.value, strict=False)
            except ValueError:
                raise ValidationError(
                    {
                        "value": "Enter an IP address (203.0.113.7) "
                        "or a range (203.0.113.0/24)."
                    }
                ) from None

    def matches(self, *, text: str, email: str, ip: str | None) -> bool:
        """Return True if this entry applies to a comment with these values."""
        if self.kind == self.Kind.WORD:
            return self.value in text.lower()
        if self.kind == self.Kind.EMAIL:
            email = email.lower()
            if self.value.startswith("@"):
                return email.endswith(self.value)
            return email == self.value
        if not ip:
            return False
        try:
            return ipaddress.ip_address(ip) in ipaddress.ip_network(
                self.value, strict=False
            )
        except ValueError:
            return False


# Inserting a reply shifts the lft/rght of the rows after it in its thread.
# While no index holds lft or rght, PostgreSQL can make those UPDATEs "HOT"
# (heap-only: no index is touched, and the table's 80% fill factor leaves room
# on each page), which halves the cost of a reply deep in a big thread
# (docs/performance.md). django-mptt adds an index on (tree_id, lft) to every
# tree model, so it is taken out again here; tree_id alone finds a thread,
# and its rows are few enough to sort by lft.
NO_NESTED_SET_INDEX = "forum_comment_tree_id_lft_idx"
Comment._meta.indexes = [
    index for index in Comment._meta.indexes if index.name != NO_NESTED_SET_INDEX
]


class CommentStatusChange(models.Model):
    """One moderation step: who moved a comment from one status to another, and why."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=Comment.Status)
    to_status = models.CharField(max_length=10, choices=Comment.Status)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Empty when a rule did it (e.g. readers' reports)."),
    )
    reason = models.CharField(max_length=200, blank=True)
    # Steps taken together (a branch removal) share a batch, to undo them together.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    # Where the decision was taken: "queue" (the cockpit), "" elsewhere.
    channel = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        get_latest_by = ("created_at", "pk")

    def __str__(self):
        return f"#{self.comment_id}: {self.from_status} → {self.to_status}"


class CommentReport(models.Model):
    """A reader's flag on a comment; enough of them hold it for a moderator."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=200)
    # "user:<id>" or "ip:<address>": one report per reader and comment.
    reporter = models.CharField(max_length=100)
    # Who it was, for weighing reports (forum.services.moderation.counted_reports).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="one_report_per_reader"
            ),
        ]

    def __str__(self):
        return f"Report on #{self.comment_id}: {self.reason}"


class TrustedAuthor(models.Model):
    """An author whose comments skip the first-comment hold."""

    email = EmailAddressField(unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("email",)

    def __str__(self):
        return self.email


class CommentRevision(models.Model):
    """The text a comment had before its author edited it (moderators see it)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self):
        return f"#{self.comment_id} before {self.created_at:%Y-%m-%d %H:%M}"


class Subscription(models.Model):
    """Someone to email when a comment appears on a post, or under their comment.

    Nothing is sent until it is confirmed: at once for an account's own
    address once the account has verified it (VerifiedEmail), else through
    the signed link mailed for the comment whose form asked for it
    (`requested_with`), so nobody can subscribe someone else.
    """

    class Kind(models.TextChoices):
        POST = "post", _("All new comments on the post")
        REPLIES = "replies", _("Replies to a comment")

    email = EmailAddressField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="subscriptions"
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    kind = models.CharField(max_length=10, choices=Kind)
    # The language the reader asked in (a code of LANGUAGES; empty: the
    # site's): their emails are written in it. No choices: adding a language
    # needs no migration.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    requested_with = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The comment that asked for it; its confirmation link names it."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "post", "kind"],
                condition=Q(comment=None),
                name="one_post_subscription_each",
            ),
            models.UniqueConstraint(
                fields=["email", "comment"],
                condition=Q(comment__isnull=False),
                name="one_reply_subscription_each",
            ),
        ]
        indexes = [models.Index(fields=["post", "kind"], name="subscription_post_idx")]

    def __str__(self):
        return f"{self.email}: {self.get_kind_display()} on {self.post_id}"


class VerifiedEmail(models.Model):
    """An address an account has shown it reads: it followed a link mailed there.

    Until then the account's subscriptions wait for their link like a
    guest's, so signing up with someone else's address subscribes nobody.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    email = EmailAddressField()
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "email"], name="one_verification_each"
            ),
        ]

    def __str__(self):
        return f"{self.email} (account {self.user_id})"


class Notification(models.Model):
    """The outbox: one email to send, sent, or to retry.

    A confirmation is written without its text, in the comment's locked
    transaction, and rendered when it is sent (forum.services.notifications).
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("New comment")
        CONFIRM = "confirm", _("Confirm subscriptions")
        PRIVACY = "privacy", _("Privacy link")
        MODERATE = "moderate", _("Comment to moderate")
        APPROVED = "approved", _("Your comment approved")

    kind = models.CharField(max_length=10, choices=Kind, default=Kind.REPLY)
    to = EmailAddressField()
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    unsubscribe_url = models.URLField(max_length=500, blank=True)
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "attempts"], name="outbox_idx")]

    def __str__(self):
        return f"To {self.to}: {self.subject}"


class ModeratorPreference(models.Model):
    """How a moderator hears of held and reported comments.

    Read by forum.services.moderator_mail.
    """

    class Mail(models.TextChoices):
        AT_ONCE = "at_once", _("At once, one email per comment")
        HOURLY = "hourly", _("An hourly digest")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderator_preference",
    )
    mail = models.CharField(
        _("email me about comments to moderate"),
        max_length=8,
        choices=Mail,
        default=Mail.NEVER,
    )
    # The next digest holds what was held after this (send_moderator_digest).
    digest_since = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"{self.user}: {self.mail}"


class LimitCounter(models.Model):
    """A count every worker and host sees: hits in a window, or a token's uses.

    Used when REDIS_URL is unset (forum.limits); expired rows are purged
    whenever a new one is made.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count} until {self.expires_at:%Y-%m-%d %H:%M}"
