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

from forum.models import Comment, ThreadRow
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
    post, place: Place, own_pending: frozenset[int], layout: ThreadLayout
) -> Slice:
    """Fetch a Place's rows in reading order (two queries when paginated)."""
    shown = Comment.objects.for_post(post).shown(own_pending)
    if place.top is not None:
        top = place.top
        branch = shown.filter(tree_id=top.tree_id, lft__gte=top.lft, rght__lte=top.rght)
        return Slice(branch.thread_rows())
    newest = layout.newest_first
    if not layout.per_page:
        return _whole_thread(shown, place, newest)
    if place.page < 1:
        raise NoSuchPage("No such page of comments.")
    offset = (place.page - 1) * layout.per_page
    count, trees = _page_trees(post, shown, own_pending, newest, offset, layout)
    if not trees and place.page != 1:
        raise NoSuchPage("No such page of comments.")
    rows = shown.filter(tree_id__in=trees).thread_rows(newest_first=newest)
    first = count - offset if newest else offset + 1
    return Slice(rows, max(1, ceil(count / layout.per_page)), first, newest)


def _page_trees(post, shown, own_pending, newest, offset, layout) -> tuple[int, list]:
    """(how many conversations in all, the page's tree ids): one query.

    Every reader sees post.root_count conversations (a stored counter); a
    reader with a pending comment of their own may see more, counted.
    """
    if own_pending:
        roots = list(page_roots_query(shown, newest)[offset : offset + layout.per_page])
        return (roots[0][1] if roots else 0), [tree for tree, _ in roots]
    page = page_trees_query(shown, newest)[offset : offset + layout.per_page]
    return post.root_count, list(page)


def page_trees_query(shown, newest: bool):
    """The tree ids of the post's conversations in page order, once sliced.

    Reads the top-level comments only, through the partial index
    comment_roots_idx, never the replies.
    """
    order = "-tree_id" if newest else "tree_id"
    return shown.filter(parent=None).order_by(order).values_list("tree_id", flat=True)


def _whole_thread(shown, place: Place, newest: bool) -> Slice:
    """The one page of an unpaginated thread (COMMENTS_PER_PAGE = 0)."""
    if place.page != 1:
        raise NoSuchPage("This thread has one page.")
    rows = shown.thread_rows(newest_first=newest)
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
        .order_by(order)
        .values_list("tree_id", "roots")
    )


def place_of(
    comment: Comment, own_pending: frozenset[int], layout: ThreadLayout
) -> Place:
    """Return the Place where a comment is read, with its context."""
    depth = layout.display_depth
    if depth and comment.level >= depth:
        # A subthread page shows `depth` levels from a comment whose level is
        # a multiple of depth - 1: its deepest level opens the next page.
        level = (comment.level - 1) // (depth - 1) * (depth - 1)
        return Place(top=comment.get_ancestors().get(level=level))
    if not layout.per_page:
        return Place()
    shown = Comment.objects.for_post(comment.post_id).shown(own_pending)
    tree = comment.tree_id
    earlier = Q(tree_id__gt=tree) if layout.newest_first else Q(tree_id__lt=tree)
    counts = shown.filter(parent=None).aggregate(  # one query, the roots' index
        before=Count("pk", filter=earlier),
        here=Count("pk", filter=Q(tree_id=tree)),
    )
    if not counts["here"]:  # its conversation is not shown
        return Place()
    return Place(page=counts["before"] // layout.per_page + 1)
