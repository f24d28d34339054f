"""Render a comment thread to HTML in one flat pass.

Rows arrive from one query in tree order (CommentQuerySet.thread_rows); this
module walks them once, opening and closing nested lists with a stack. No
template is rendered per comment: at 10,000 comments Django's template engine
costs ~90 µs a comment, this ~5 µs (docs/performance.md). The markup follows
WordPress's convention (docs/architecture.md, "Thread markup"), so themes and
scripts written for WordPress threads work unchanged.
"""

import calendar
from dataclasses import dataclass
from html import escape
from math import ceil

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment

APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING

_COMMENT = (
    '<li id="comment-{pk}" class="comment depth-{depth}{classes}">'
    '<article id="div-comment-{pk}" class="comment-body">'
    '<footer class="comment-meta">'
    '<span class="comment-author vcard">{author} '
    '<span class="says">says:</span></span> '
    '<a class="comment-permalink" href="#comment-{pk}">'
    '<time datetime="{iso}">{when}</time></a>'
    "</footer>{note}"
    '<div class="comment-content">{body}</div>'
    '<div class="reply">{reply}{report}</div>'
    "</article>"
)
_PLACEHOLDER = (
    '<li id="comment-{pk}" class="comment depth-{depth} comment-placeholder{classes}">'
    '<article id="div-comment-{pk}" class="comment-body">'
    '<p class="comment-placeholder-text">{text}</p>'
    "</article>"
)
_REPLY = (
    '<a rel="nofollow" class="comment-reply-link" '
    'href="{base}?replytocom={pk}#respond" data-commentid="{pk}" '
    'data-replyto="Reply to {name}" aria-label="Reply to {name}">Reply</a>'
)
_REPORT = (
    ' <a rel="nofollow" class="comment-report-link" href="{href}" '
    'aria-label="Report the comment by {name}">Report</a>'
)
_CONTINUE = '<p class="continue-thread"><a href="{href}">Continue this thread →</a></p>'
_LOCKED = '<p class="comment-locked">Replies to this conversation are closed.</p>'
_AWAITING = (
    '<p class="comment-awaiting-moderation">Your comment is awaiting moderation.</p>'
)
PLACEHOLDER_TEXT = {
    PENDING: "This comment is awaiting moderation.",
}
REMOVED_TEXT = "This comment was removed."
# Looked up once: strftime("%B") costs three times the rest of the date.
MONTHS = tuple(calendar.month_name)


@dataclass(frozen=True)
class Links:
    """URL patterns the renderer fills in; "{pk}" stands for a comment's id."""

    reply: str | None  # the page's own URL, for ?replytocom=; None: replies closed
    report: str = "/comments/{pk}/report/"
    continuation: str = "/comment/{pk}/thread/"


def render_thread(
    rows: list[tuple],
    *,
    links: Links,
    own_pending: frozenset[int] = frozenset(),
    after: dict[int, str] | None = None,
    max_depth: int = 0,
    top_parent: int | None = None,
) -> str:
    """Return the thread's `<li>`s for an `<ol class="comment-list">`.

    own_pending: pending comments shown in full to this reader. after: HTML
    placed right after a comment's article (the reply form). max_depth: levels
    shown (0 = all); deeper replies get a "Continue this thread" link.
    top_parent: the parent of the first row, for a subthread's own page.
    """
    writer = _Writer(links, own_pending, after or {}, max_depth)
    next_parents = [row[1] for row in rows[1:]] + [None]
    for row, next_parent in zip(rows, next_parents[: len(rows)], strict=True):
        parent_id = None if row[1] == top_parent else row[1]
        writer.add(row, parent_id, has_children=next_parent == row[0])
    return writer.finish()


class _Writer:
    """Writes the nested lists of a thread, one row at a time, in tree order."""

    def __init__(self, links, own_pending, after, max_depth):
        self.tz = timezone.get_current_timezone()
        self.reply = None if links.reply is None else escape(links.reply)
        self.report = escape(links.report)
        self.continuation = escape(links.continuation)
        self.own_pending, self.after, self.max_depth = own_pending, after, max_depth
        self.authors: dict[tuple[str, str], tuple[str, str]] = {}
        self.out: list[str] = []
        self.stack: list[int] = []  # pks of the open <li>s, outermost first
        self.nested: list[bool] = []  # whether each has its <ol class="children">
        self.locked: list[bool] = []  # whether each is in a locked branch
        self.open_pks: set[int] = set()  # open <li>s whose replies are shown

    def add(self, row: tuple, parent_id: int | None, *, has_children: bool) -> None:
        pk, is_locked = row[0], row[7]
        if parent_id is not None and parent_id not in self.open_pks:
            return  # its parent is not shown here, so neither is it
        self._climb_to(parent_id)
        depth = len(self.stack) + 1
        in_locked = is_locked or (bool(self.locked) and self.locked[-1])
        cut = has_children and depth == self.max_depth
        classes = (" parent" if has_children else "") + (" locked" if is_locked else "")
        self.out.append(self._comment(row, depth, classes, in_locked))
        if cut:
            self.out.append(_CONTINUE.format(href=self.continuation.format(pk=pk)))
        if pk in self.after:
            self.out.append(self.after[pk])
        self.stack.append(pk)
        self.locked.append(in_locked)
        self.nested.append(False)
        if not cut:
            self.open_pks.add(pk)

    def finish(self) -> str:
        self._climb_to(None)
        return "".join(self.out)

    def _climb_to(self, parent_id: int | None) -> None:
        """Close lists up to `parent_id`'s <li>, and open its list of replies."""
        while self.stack and self.stack[-1] != parent_id:
            self.open_pks.discard(self.stack.pop())
            self.locked.pop()
            self.out.append("</ol></li>" if self.nested.pop() else "</li>")
        if self.stack and not self.nested[-1]:
            self.nested[-1] = True
            self.out.append('<ol class="children">')

    def _comment(self, row: tuple, depth: int, classes: str, in_locked: bool) -> str:
        # The order of models.THREAD_FIELDS:
        pk, _, name, url, created, body_html, status, is_locked = row
        if status != APPROVED and (status != PENDING or pk not in self.own_pending):
            text = PLACEHOLDER_TEXT.get(status, REMOVED_TEXT)
            return _PLACEHOLDER.format(pk=pk, depth=depth, classes=classes, text=text)
        author = self.authors.get((name, url))
        if author is None:
            author = self.authors[name, url] = (_author(name, url), escape(name))
        approved = status == APPROVED
        return _COMMENT.format(
            pk=pk,
            depth=depth,
            classes=classes,
            author=author[0],
            iso=created.isoformat(),
            when=_when(created.astimezone(self.tz)),
            note=(_LOCKED if is_locked else "") + ("" if approved else _AWAITING),
            body=body_html,
            reply=_REPLY.format(base=self.reply, pk=pk, name=author[1])
            if approved and self.reply is not None and not in_locked
            else "",
            report=_REPORT.format(href=self.report.format(pk=pk), name=author[1])
            if approved
            else "",
        )


def _author(name: str, url: str) -> str:
    name = escape(name)
    if url:
        return (
            f'<a href="{escape(url)}" class="url fn" rel="external nofollow ugc">'
            f"{name}</a>"
        )
    return f'<b class="fn">{name}</b>'


def _when(moment) -> str:
    """December 28, 2022 at 10:14 am (WordPress's default format)."""
    hour = moment.hour
    return (
        f"{MONTHS[moment.month]} {moment.day}, {moment.year} at "
        f"{hour % 12 or 12}:{moment.minute:02d} {'am' if hour < 12 else 'pm'}"
    )


def replyable_row(rows: list[tuple], pk: int | None) -> tuple | None:
    """Return comment `pk`'s row if it takes replies (approved, branch not locked)."""
    if pk is None:
        return None
    locked: set[int] = set()
    for row in rows:
        if row[7] or row[1] in locked:
            locked.add(row[0])
        if row[0] == pk:
            return row if row[6] == APPROVED and pk not in locked else None
    return None


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

    rows: list[tuple]
    num_pages: int = 1
    first: int = 1  # the number of its first top-level comment
    newest_first: bool = False


def load_slice(post, place: Place, own_pending: frozenset[int]) -> Slice:
    """Fetch a Place's rows in reading order (two queries when paginated)."""
    shown = Comment.objects.for_post(post).shown(own_pending)
    if place.top is not None:
        top = place.top
        branch = shown.filter(tree_id=top.tree_id, lft__gte=top.lft, rght__lte=top.rght)
        return Slice(branch.thread_rows())
    newest = settings.COMMENTS_ORDER == "newest"
    per_page = settings.COMMENTS_PER_PAGE
    if not per_page:
        if place.page != 1:
            raise Http404("This thread has one page.")
        rows = shown.thread_rows(newest_first=newest)
        roots = sum(1 for row in rows if row[1] is None)
        return Slice(rows, first=roots if newest else 1, newest_first=newest)
    roots = _root_tree_ids(shown, newest)
    num_pages = max(1, ceil(len(roots) / per_page))
    if not 1 <= place.page <= num_pages:
        raise Http404("No such page of comments.")
    offset = (place.page - 1) * per_page
    rows = shown.filter(tree_id__in=roots[offset : offset + per_page]).thread_rows(
        newest_first=newest
    )
    first = len(roots) - offset if newest else offset + 1
    return Slice(rows, num_pages, first, newest)


def _root_tree_ids(shown, newest: bool) -> list[int]:
    order = "-tree_id" if newest else "tree_id"
    return list(
        shown.filter(parent=None).order_by(order).values_list("tree_id", flat=True)
    )


def place_of(comment: Comment, own_pending: frozenset[int]) -> Place:
    """Return the Place where a comment is read, with its context."""
    depth = settings.COMMENT_DISPLAY_DEPTH
    if depth and comment.level >= depth:
        # A subthread page shows `depth` levels from a comment whose level is
        # a multiple of depth - 1: its deepest level opens the next page.
        level = (comment.level - 1) // (depth - 1) * (depth - 1)
        return Place(top=comment.get_ancestors().get(level=level))
    per_page = settings.COMMENTS_PER_PAGE
    if not per_page:
        return Place()
    shown = Comment.objects.for_post(comment.post_id).shown(own_pending)
    roots = _root_tree_ids(shown, settings.COMMENTS_ORDER == "newest")
    try:
        return Place(page=roots.index(comment.tree_id) // per_page + 1)
    except ValueError:
        return Place()
