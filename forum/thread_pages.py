"""Which comments one page of a thread shows, and which page shows a comment.

A post's thread is read in Places: a numbered page of its top-level comments
(COMMENTS_PER_PAGE of them with their replies), or a subthread's own page
("Continue this thread"). The layout (forum.thread_html.ThreadLayout) decides
the page size, the order and the depth. Asked for a page that does not exist,
this module raises NoSuchPage; the views answer it with 404.
"""

from dataclasses import dataclass
from math import ceil

from django.db.models import Count, Q, Window
from django.urls import reverse

from forum.models import Comment, CommentOrder, ThreadRow
from forum.orders import pinned_first, reorder
from forum.reading_order import BY_VOTES, ranked_roots, ranked_trees
from forum.thread_html import ThreadLayout

APPROVED = Comment.Status.APPROVED


class NoSuchPage(Exception):
    """The page asked for is not one of the thread's."""


@dataclass(frozen=True)
class Place:
    """Where comments are read: a page of the post's thread, or a subthread's page."""

    page: int = 1
    top: Comment | None = None  # the subthread's first comment ("Continue this thread")

    def url(self, post) -> str:
        if self.top is not None:
            return reverse("forum:comment-thread", kwargs={"pk": self.top.pk})
        if self.page == 1:
            return post.get_absolute_url()
        return reverse(
            "forum:post-comments-page", kwargs={"slug": post.slug, "page": self.page}
        )


@dataclass(frozen=True)
class Slice:
    """The rows of one Place, and how it sits among the post's pages."""

    rows: list[ThreadRow]
    num_pages: int = 1
    first: int = 1  # the number of its first top-level comment
    newest_first: bool = False


def replyable_row(rows: list[ThreadRow], pk: int | None) -> ThreadRow | None:
    """Return comment `pk`'s row if it takes replies (approved, branch not locked)."""
    if pk is None:
        return None
    locked: set[int] = set()
    for row in rows:
        if row.is_locked or row.parent_id in locked:
            locked.add(row.pk)
        if row.pk == pk:
            return row if row.status == APPROVED and pk not in locked else None
    return None


def load_slice(
    post,
    place: Place,
    own_pending: frozenset[int],
    layout: ThreadLayout,
    order: str = CommentOrder.OLD,
) -> Slice:
    """Fetch a Place's rows in reading order (two queries when paginated).

    `order` sorts conversations and, at every level, replies among their
    siblings (forum.orders); pinned conversations come first.
    """
    shown = Comment.objects.for_post(post).shown(own_pending)
    if place.top is not None:
        top = place.top
        branch = shown.filter(tree_id=top.tree_id, lft__gte=top.lft, rght__lte=top.rght)
        return Slice(_in_order(branch.thread_rows(), order))
    newest = newest_first(order, layout)
    if not layout.per_page:
        return _whole_thread(shown, place, newest, order)
    if place.page < 1:
        raise NoSuchPage("No such page of comments.")
    offset = (place.page - 1) * layout.per_page
    if order in BY_VOTES:
        count, trees = _ranked_page(shown, order, offset, layout.per_page)
    else:
        count, trees = _page_trees(post, shown, own_pending, newest, offset, layout)
    if not trees and place.page != 1:
        raise NoSuchPage("No such page of comments.")
    rows = shown.filter(tree_id__in=trees).thread_rows(newest_first=newest)
    first = count - offset if newest else offset + 1
    rows = _in_order(rows, order)
    return Slice(rows, max(1, ceil(count / layout.per_page)), first, newest)


def newest_first(order: str, layout: ThreadLayout) -> bool:
    """Whether conversations count down: "new", or "old" with COMMENTS_ORDER=newest."""
    return order == CommentOrder.NEW or (
        order == CommentOrder.OLD and layout.newest_first
    )


def _in_order(rows: list[ThreadRow], order: str) -> list[ThreadRow]:
    """Rows as fetched (tree order), sorted in `order` at every level.

    "old" keeps them as written; only pinned conversations move up.
    """
    if order == CommentOrder.OLD:
        return pinned_first(rows)
    return reorder(rows, order)


def _ranked_page(shown, order: str, offset: int, per_page: int) -> tuple[int, list]:
    """(how many conversations in all, the page's tree ids) under a vote order."""
    trees = ranked_trees(shown, order)
    return len(trees), trees[offset : offset + per_page]


def _page_trees(post, shown, own_pending, newest, offset, layout) -> tuple[int, list]:
    """(how many conversations in all, the page's tree ids): one query.

    Every reader sees post.root_count conversations (a stored counter); a
    reader with a pending comment of their own may see more, counted.
    """
    if own_pending:
        roots = list(page_roots_query(shown, newest)[offset : offset + layout.per_page])
        return (roots[0][1] if roots else 0), [tree for tree, _ in roots]
    page = page_trees_query(shown, newest)[offset : offset + layout.per_page]
    return post.root_count, [tree for tree, *_ in page]


def page_trees_query(shown, newest: bool):
    """(tree_id, tree_version, pk) of the post's top-level comments in page
    order, once sliced.

    Reads the top-level comments only, through the partial index
    comment_roots_idx, never the replies.
    """
    order = "-tree_id" if newest else "tree_id"
    roots = shown.filter(parent=None).order_by("-is_pinned", order)
    return roots.values_list("tree_id", "tree_version", "pk")


@dataclass(frozen=True)
class PageTrees:
    """A page's conversations as every reader sees them, before their rows."""

    roots: list[tuple[int, int, int]]  # (tree_id, tree_version, first comment)
    num_pages: int = 1
    first: int = 1  # the number of its first top-level comment
    newest_first: bool = False


def page_trees(
    post, page: int, layout: ThreadLayout, order: str = CommentOrder.OLD
) -> PageTrees:
    """Which conversations a numbered page shows to every reader: one query.

    The count comes from the post row (Post.root_count), not the thread.
    Under a vote order the conversations are ranked from their first
    comments (reading_order.ranked_trees), pinned ones first.
    """
    newest, per_page = newest_first(order, layout), layout.per_page
    shown = Comment.objects.for_post(post).shown()
    if order in BY_VOTES:
        query = ranked_roots(shown, order)
    else:
        query = page_trees_query(shown, newest)
    if not per_page:
        if page != 1:
            raise NoSuchPage("This thread has one page.")
        roots = list(query)
        return PageTrees(roots, first=len(roots) if newest else 1, newest_first=newest)
    if page < 1:
        raise NoSuchPage("No such page of comments.")
    offset = (page - 1) * per_page
    roots = list(query[offset : offset + per_page])
    if not roots and page != 1:
        raise NoSuchPage("No such page of comments.")
    count = post.root_count
    first = count - offset if newest else offset + 1
    return PageTrees(roots, max(1, ceil(count / per_page)), first, newest)


def conversation_rows(
    post,
    trees: list[int],
    *,
    newest_first: bool,
    every: bool,
    order: str = CommentOrder.OLD,
):
    """The rows of some conversations every reader sees, in reading order:
    replies sorted among their siblings in `order` (orders.reorder).

    every: they are all the post's, so no list of tree ids is sent.
    """
    shown = Comment.objects.for_post(post).shown()
    if not every:
        shown = shown.filter(tree_id__in=trees)
    return _in_order(shown.thread_rows(newest_first=newest_first), order)


def _whole_thread(shown, place: Place, newest: bool, order: str) -> Slice:
    """The one page of an unpaginated thread (COMMENTS_PER_PAGE = 0)."""
    if place.page != 1:
        raise NoSuchPage("This thread has one page.")
    rows = _in_order(shown.thread_rows(newest_first=newest), order)
    roots = sum(1 for row in rows if row.parent_id is None)
    return Slice(rows, first=roots if newest else 1, newest_first=newest)


def page_roots_query(shown, newest: bool):
    """(tree_id, how many top-level comments in all) for a page, once sliced.

    For a reader with a pending comment of their own, whom the stored
    counter does not count: like page_trees_query, with the count riding
    along (a window) so the page still costs two queries.
    """
    order = "-tree_id" if newest else "tree_id"
    return (
        shown.filter(parent=None)
        .annotate(roots=Window(Count("pk")))
        .order_by("-is_pinned", order)
        .values_list("tree_id", "roots")
    )


def place_of(
    comment: Comment,
    own_pending: frozenset[int],
    layout: ThreadLayout,
    order: str = CommentOrder.OLD,
) -> Place:
    """Return the Place where a comment is read in `order`, with its context."""
    depth = layout.display_depth
    if depth and comment.level >= depth:
        # A subthread page shows `depth` levels from a comment whose level is
        # a multiple of depth - 1: its deepest level opens the next page.
        level = (comment.level - 1) // (depth - 1) * (depth - 1)
        return Place(top=comment.get_ancestors().get(level=level))
    if not layout.per_page:
        return Place()
    shown = Comment.objects.for_post(comment.post_id).shown(own_pending)
    if order in BY_VOTES:
        trees = ranked_trees(shown, order)
        if comment.tree_id not in trees:  # its conversation is not shown
            return Place()
        return Place(page=trees.index(comment.tree_id) // layout.per_page + 1)
    before = _conversations_before(shown, comment.tree_id, newest_first(order, layout))
    if before is None:
        return Place()
    return Place(page=before // layout.per_page + 1)


def _conversations_before(shown, tree: int, newest: bool) -> int | None:
    """How many conversations come before tree `tree` (pinned ones first); None
    if it is not shown. One query, on the roots' index."""
    earlier = Q(tree_id__gt=tree) if newest else Q(tree_id__lt=tree)
    pinned = Q(is_pinned=True)
    counts = shown.filter(parent=None).aggregate(
        pinned=Count("pk", filter=pinned),
        pinned_before=Count("pk", filter=earlier & pinned),
        plain_before=Count("pk", filter=earlier & ~pinned),
        here=Count("pk", filter=Q(tree_id=tree)),
        here_pinned=Count("pk", filter=Q(tree_id=tree) & pinned),
    )
    if not counts["here"]:
        return None
    if counts["here_pinned"]:
        return counts["pinned_before"]
    return counts["pinned"] + counts["plain_before"]
