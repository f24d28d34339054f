"""Render a comment thread to HTML in one flat pass.

Rows arrive from one query in tree order (CommentQuerySet.thread_rows); this
module walks them once, opening and closing nested lists with a stack. No
template is rendered per comment: at 10,000 comments Django's template engine
costs ~90 µs a comment, this ~7 µs (docs/performance.md). The markup follows
WordPress's convention (docs/architecture.md, "Thread markup"), so themes and
scripts written for WordPress threads work unchanged.
"""

import calendar
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from math import ceil

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment

APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING

# A comment's markup, put together per page by _templates(). A comment with
# replies is written in two parts around the end of its meta line, where its
# collapse control goes once its replies have been counted.
_OPEN = (
    '<li id="comment-{pk}" class="comment depth-{depth}{classes}">'
    '<article id="div-comment-{pk}" class="comment-body">'
    '<footer class="comment-meta">'
)
# What screen readers hear first on a reply: whom it answers and how deep it is.
_CONTEXT = '<span class="screen-reader-text">Reply to {pname}, level {depth}: </span>'
_META = (
    '<span class="comment-author vcard">{author}{badge} '
    '<span class="says">says:</span></span> '
    '<a class="comment-permalink" href="#comment-{pk}">'
    '<time datetime="{iso}">{when}</time></a>{edited}'
)
_BADGE = ' <span class="comment-badge badge-{kind}">{label}</span>'
BADGES = {
    "author": _BADGE.format(kind="author", label="Author"),
    "moderator": _BADGE.format(kind="moderator", label="Moderator"),
}
_EDITED = ' <span class="comment-edited" title="Edited {when}">(edited)</span>'
# Its author's own links, within COMMENT_EDIT_MINUTES (never cached: personal).
_MINE = (
    ' <a class="comment-edit-link" href="/comment/{pk}/edit/">Edit</a>'
    ' <a class="comment-delete-link" href="/comment/{pk}/delete/">Delete</a>'
)
_PARENT = (
    ' <a class="comment-parent-link" href="#comment-{ppk}">in reply to {pname}</a>'
)
_BODY = '</footer>{note}<div class="comment-content">{body}</div><div class="reply">'
_REPLY = (
    '<a rel="nofollow" class="comment-reply-link" '
    'href="{{reply}}?replytocom={pk}#respond" data-commentid="{pk}" '
    'data-replyto="Reply to {name}" aria-label="Reply to {name}">Reply</a>'
)
_REPORT = (
    ' <a rel="nofollow" class="comment-report-link" href="{{report}}" '
    'aria-label="Report the comment by {name}">Report</a>'
)
_CLOSE = "{mine}</div></article>"
_PLACEHOLDER = (
    '<li id="comment-{pk}" class="comment depth-{depth} comment-placeholder{classes}">'
    '<article id="div-comment-{pk}" class="comment-body">'
    '<p class="comment-placeholder-text">{text}</p>'
    "</article>"
)
# <details> collapses a comment and its replies without JavaScript (CSS hides
# the rest of the <li> with :has()); its summary's ::after is the guide line.
_TOGGLE = (
    ' <details class="thread-toggle" open><summary>'
    '<span class="screen-reader-text">{who}, </span>'
    '<span class="thread-count">{count}</span></summary></details>'
)
_CONTINUE = '<p class="continue-thread"><a href="{href}">Continue this thread →</a></p>'
_LOCKED = '<p class="comment-locked">Replies to this conversation are closed.</p>'
_AWAITING = (
    '<p class="comment-awaiting-moderation">Your comment is awaiting moderation.</p>'
)
# Which links a comment gets: Reply and Report, Report only, or none (pending).
BOTH, REPORT_ONLY, NO_LINKS = range(3)
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


@dataclass(frozen=True)
class Reader:
    """What is personal on a page: this reader's pending and editable comments."""

    pending: frozenset[int] = frozenset()  # shown in full, "awaiting moderation"
    editable: frozenset[int] = frozenset()  # get Edit and Delete links

    def __bool__(self) -> bool:
        return bool(self.pending or self.editable)


def render_thread(
    rows: list[tuple],
    *,
    links: Links,
    reader: Reader = Reader(),
    badges: dict[int, str] | None = None,
    after: dict[int, str] | None = None,
    max_depth: int = 0,
    top_parent: int | None = None,
) -> str:
    """Return the thread's `<li>`s for an `<ol class="comment-list">`.

    reader: what is this reader's own. badges: "author" or "moderator" by user
    id. after: HTML placed right after a comment's article (the reply form).
    max_depth: levels shown (0 = all); deeper replies get a "Continue this
    thread" link. top_parent: the parent of the first row, for a subthread's
    own page.
    """
    writer = _Writer(links, reader, badges or {}, after or {}, max_depth)
    next_parents = [row[1] for row in rows[1:]] + [None]
    for row, next_parent in zip(rows, next_parents[: len(rows)], strict=True):
        parent_id = None if row[1] == top_parent else row[1]
        writer.add(row, parent_id, has_children=next_parent == row[0])
    return writer.finish()


class _Open:
    """A comment whose <li> is open while the walk is inside its subtree."""

    __slots__ = ("pk", "locked", "name", "toggle", "nested")

    def __init__(self, pk, locked, name, toggle):
        self.pk = pk
        self.locked = locked  # in a locked branch: no Reply links below
        self.name = name  # its author, escaped (None: a placeholder)
        # Its collapse control: (index in the output, comments written when
        # it was opened, whose it is); None: no replies shown under it here.
        self.toggle = toggle
        self.nested = False  # whether its <ol class="children"> is open


class _Writer:
    """Writes the nested lists of a thread, one row at a time, in tree order."""

    def __init__(self, links, reader, badges, after, max_depth):
        self.tz = timezone.get_current_timezone()
        self.own_pending, self.editable = reader.pending, reader.editable
        self.badges = {user: BADGES[kind] for user, kind in badges.items()}
        self.templates = _templates(links)
        self.replies_open = links.reply is not None
        self.continuation = escape(links.continuation)
        self.after, self.max_depth = after, max_depth
        self.authors: dict[tuple[str, str], tuple[str, str]] = {}
        self.out: list[str] = []
        self.written = 0  # comments written so far
        self.stack: list[_Open] = []  # the open <li>s, outermost first
        self.open_pks: set[int] = set()  # open <li>s whose replies are shown

    def add(self, row: tuple, parent_id: int | None, *, has_children: bool) -> None:
        pk, is_locked = row[0], row[7]
        if parent_id is not None and parent_id not in self.open_pks:
            return  # its parent is not shown here, so neither is it
        self._climb_to(parent_id)
        stack = self.stack
        depth = len(stack) + 1
        in_locked = is_locked or (bool(stack) and stack[-1].locked)
        cut = has_children and depth == self.max_depth
        classes = (" parent" if has_children else "") + (" locked" if is_locked else "")
        name, toggle = self._comment(
            row, depth, classes, in_locked, has_children and not cut
        )
        if cut:
            self.out.append(_CONTINUE.format(href=self.continuation.format(pk=pk)))
        if pk in self.after:
            self.out.append(self.after[pk])
        stack.append(_Open(pk, in_locked, name, toggle))
        if not cut:
            self.open_pks.add(pk)

    def finish(self) -> str:
        self._climb_to(None)
        return "".join(self.out)

    def _climb_to(self, parent_id: int | None) -> None:
        """Close lists up to `parent_id`'s <li>, and open its list of replies."""
        stack, out = self.stack, self.out
        while stack and stack[-1].pk != parent_id:
            item = stack.pop()
            self.open_pks.discard(item.pk)
            if item.toggle is not None:
                slot, opened, who = item.toggle
                count = self.written - opened
                noun = "reply" if count == 1 else "replies"
                out[slot] = _TOGGLE.format(who=who, count=f"{count} {noun}")
            out.append("</ol></li>" if item.nested else "</li>")
        if stack and not stack[-1].nested:
            stack[-1].nested = True
            out.append('<ol class="children">')

    def _comment(
        self, row: tuple, depth: int, classes: str, in_locked: bool, nests: bool
    ) -> tuple[str | None, tuple | None]:
        """Write the comment's <li> up to where its replies go.

        nests: its replies are shown here, so it gets a collapse control, whose
        reply count is filled in when its <li> is closed. Return its author
        (escaped) and where its collapse control goes.
        """
        # The order of models.THREAD_FIELDS:
        (
            pk,
            parent_pk,
            name,
            url,
            created,
            body_html,
            status,
            is_locked,
            user,
            edited,
        ) = row
        out = self.out
        self.written += 1
        if status != APPROVED and (status != PENDING or pk not in self.own_pending):
            return self._placeholder(pk, depth, classes, status, nests)
        author = self.authors.get((name, url))
        if author is None:
            author = self.authors[name, url] = (_author(name, url), escape(name))
        if status != APPROVED:
            links = NO_LINKS
        else:
            links = BOTH if self.replies_open and not in_locked else REPORT_ONLY
        leaf, head, tail = self.templates[depth > 1, links]
        fields = {
            "pk": pk,
            "depth": depth,
            "classes": classes,
            "pname": (self.stack[-1].name or "a hidden comment") if depth > 1 else "",
            "ppk": parent_pk,
            "author": author[0],
            "name": author[1],
            "iso": created.isoformat(),
            "when": _when(created.astimezone(self.tz)),
            "note": (_LOCKED if is_locked else "")
            + (_AWAITING if status != APPROVED else ""),
            "body": body_html,
            "badge": self.badges.get(user, "") if user else "",
            "edited": _EDITED.format(when=_when(edited.astimezone(self.tz)))
            if edited
            else "",
            "mine": _MINE.format(pk=pk) if pk in self.editable else "",
        }
        if not nests:
            out.append(leaf.format_map(fields))
            return author[1], None
        out.append(head.format_map(fields))
        toggle = self._reserve_toggle(f"Comment by {author[1]}")
        out.append(tail.format_map(fields))
        return author[1], toggle

    def _placeholder(
        self, pk, depth, classes, status, nests
    ) -> tuple[None, tuple | None]:
        """Write a hidden comment's stand-in, whose article holds only its text."""
        text = PLACEHOLDER_TEXT.get(status, REMOVED_TEXT)
        self.out.append(
            _PLACEHOLDER.format(pk=pk, depth=depth, classes=classes, text=text)
        )
        return None, self._reserve_toggle(text[:-1]) if nests else None

    def _reserve_toggle(self, who: str) -> tuple[int, int, str]:
        """Keep a place in the output for a collapse control, filled in on closing."""
        self.out.append("")
        return len(self.out) - 1, self.written, who


@lru_cache(maxsize=64)
def _templates(links: Links) -> dict[tuple[bool, int], tuple[str, str, str]]:
    """Return a comment's (whole, head, tail) templates by (is a reply, links).

    The page's URLs go into the templates once, not into every comment.
    """
    reply = "" if links.reply is None else _literal(escape(links.reply))
    report = _literal(escape(links.report)).replace("{{pk}}", "{pk}")
    actions = {
        BOTH: _REPLY.replace("{{reply}}", reply)
        + _REPORT.replace("{{report}}", report),
        REPORT_ONLY: _REPORT.replace("{{report}}", report),
        NO_LINKS: "",
    }
    templates = {}
    for is_reply in (False, True):
        head = _OPEN + (_CONTEXT + _META + _PARENT if is_reply else _META)
        for kind, links_html in actions.items():
            tail = _BODY + links_html + _CLOSE
            templates[is_reply, kind] = (head + tail, head, tail)
    return templates


def _literal(text: str) -> str:
    """Return text for use in a format string, standing for itself."""
    return text.replace("{", "{{").replace("}", "}}")


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
