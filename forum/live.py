"""A living thread: what changed on an open page since the version it holds.

An open thread page polls (static/js/live.js) with the post's
`comments_version` it was rendered at, V. "Changed since V" means precisely:
the comments whose `changed_version` is greater than V. Every write that
changes how a comment shows (posted, approved, removed, edited, locked,
anonymised) passes its id to `Post.objects.touch_threads(comments=...)`,
which stamps the comment with the version the post's bump makes, in the
same transaction (`stamp_ahead`, `stamp_overtaken`); an insert stamps its
row from the post it read under the thread lock. A reader who sees version
N therefore sees every row stamped up to N.

Whether anything changed at all is answered from the page cache's per-post
version (forum.page_cache), which every write replaces after commit: one
cache read, no query. When the page cache is off (no shared cache) or lost
the version, one query on the post's row answers it.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import OuterRef, Q, Subquery

from forum.models import Comment, Post, ThreadRow
from forum.thread_html import Links, Reader, ThreadLayout, render_thread
from forum.thread_pages import Place, page_roots_query

APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING
# More changes than this since the reader's version: they reload instead.
MAX_CHANGES = 100


@dataclass
class Stamps:
    """Comments stamped ahead of their posts' bump, and the versions they got."""

    ids: list[int] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)  # post id: version


def stamp_ahead(comments, *, using: str) -> Stamps:
    """Stamp the comments with the version their post's bump is about to make.

    Before the bump, so that no reader can see the new version without the
    stamps (a reader sharing the writer's connection, as SQLite's in-memory
    test database does, sees statements before commit). Writers that do not
    hold the thread lock can overtake each other here: stamp_overtaken mends.
    """
    ids = list(comments)
    if not ids:
        return Stamps()
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(Comment._meta.db_table)
    posts = quote(Post._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET changed_version = (SELECT p.comments_version + 1 "  # noqa: S608 -- our own tables
            f"FROM {posts} p WHERE p.id = {table}.post_id) WHERE id IN ({marks}) "
            "RETURNING post_id, changed_version",
            ids,
        )
        return Stamps(ids, dict(cursor.fetchall()))


def stamp_overtaken(stamps: Stamps, bumped: dict[int, int]) -> None:
    """Stamp again the comments whose post's bump gave another version.

    Another writer bumped the post between the stamp and this bump (rare: a
    query only then); the post's row is now locked, so the stamp holds.
    """
    overtaken = [
        post for post, version in stamps.versions.items() if bumped.get(post) != version
    ]
    if not overtaken:
        return
    version = Post.objects.filter(pk=OuterRef("post_id")).values("comments_version")
    Comment.objects.filter(pk__in=stamps.ids, post__in=overtaken).update(
        changed_version=Subquery(version[:1])
    )


@dataclass
class Changes:
    """What a page at some version is missing, for the reader asking."""

    rows: list[ThreadRow] = field(default_factory=list)  # changed ones, with parents
    changed: list[int] = field(default_factory=list)  # ids of the changed ones
    elsewhere: int = 0  # approved changed comments in newer conversations, off-page
    num_pages: int = 1
    too_many: bool = False


def changes_since(
    post, place: Place, version: int, reader: Reader, layout: ThreadLayout
) -> Changes:
    """The comments changed since `version` on this Place, and their ancestors.

    Only what this reader may see: approved comments, their own pending ones,
    and placeholders (removed, or with a shown reply), which carry no author
    and no text.
    """
    stamped = _stamped(post, place, version, reader)
    if len(stamped) > MAX_CHANGES:
        return Changes(too_many=True)
    if not stamped:
        return Changes()
    trees, num_pages, newest = _page_trees(post, place, layout, reader)
    here = [row for row in stamped if _on_page(row, trees)]
    newest_here = max(trees) if trees else 0
    elsewhere = sum(
        1
        for pk, tree, *_rest, status in stamped
        if trees is not None
        and tree not in trees
        and tree > newest_here
        and status == APPROVED
    )
    changes = Changes(
        changed=[row[0] for row in here], elsewhere=elsewhere, num_pages=num_pages
    )
    if here:
        changes.rows = _with_ancestors(post, place, here, layout)
    return changes


def _on_page(row: tuple, trees: set | None) -> bool:
    """Whether the page shows the row, or showed it: a conversation removed
    since has left the page's count, but the reader may still have it."""
    _pk, tree, lft, _rght, status = row
    return trees is None or tree in trees or (lft == 1 and status != APPROVED)


def _stamped(post, place, version, reader) -> list[tuple]:
    """(pk, tree_id, lft, rght, status) of the rows stamped after `version`."""
    rows = Comment.objects.for_post(post).filter(changed_version__gt=version)
    if place.top is not None:
        top = place.top
        rows = rows.filter(tree_id=top.tree_id, lft__gte=top.lft, rght__lte=top.rght)
    # Others' pending comments are nobody else's business (those with a shown
    # reply come along as that reply's ancestors, as placeholders).
    rows = rows.exclude(Q(status=PENDING) & ~Q(pk__in=reader.pending))
    fields = ("pk", "tree_id", "lft", "rght", "status")
    return list(rows.order_by("tree_id", "lft").values_list(*fields)[: MAX_CHANGES + 1])


def _page_trees(post, place, layout, reader) -> tuple[set | None, int, bool]:
    """The conversations (tree ids) the Place shows now; None: all of them."""
    if place.top is not None or not layout.per_page:
        return None, 1, layout.newest_first
    shown = Comment.objects.for_post(post).shown(reader.pending)
    offset = (max(place.page, 1) - 1) * layout.per_page
    roots = list(
        page_roots_query(shown, layout.newest_first)[offset : offset + layout.per_page]
    )
    count = roots[0][1] if roots else 0
    pages = max(1, -(-count // layout.per_page))
    return {tree for tree, _ in roots}, pages, layout.newest_first


def _with_ancestors(post, place, here, layout: ThreadLayout) -> list[ThreadRow]:
    """The changed rows and every ancestor of theirs on the Place, in order."""
    wanted = Q(pk__in=[pk for pk, *_ in here])
    for _pk, tree, lft, rght, _status in here:
        wanted |= Q(tree_id=tree, lft__lt=lft, rght__gt=rght)
    rows = Comment.objects.for_post(post).filter(wanted)
    if place.top is not None:  # a subthread's page starts at its top
        rows = rows.filter(lft__gte=place.top.lft)
    return rows.thread_rows(newest_first=layout.newest_first)


def render_changes(
    changes: Changes, *, links: Links, layout: ThreadLayout, reader: Reader, **extra
) -> str:
    """The changed comments in the page's own markup (forum.thread_html)."""
    if not changes.rows:
        return ""
    return render_thread(
        changes.rows, links=links, layout=layout, reader=reader, **extra
    )
