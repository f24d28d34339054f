"""Render a comment thread to HTML in one flat pass.

Rows arrive from one query in tree order (CommentQuerySet.thread_rows); this
module walks them once, opening and closing nested lists with a stack. No
template is rendered per comment: at 10,000 comments Django's template engine
costs ~90 µs a comment, this ~5 µs (docs/performance.md). The markup follows
WordPress's convention (docs/architecture.md, "Thread markup"), so themes and
scripts written for WordPress threads work unchanged.
"""

import calendar
from html import escape

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


def render_thread(
    rows: list[tuple],
    *,
    reply_base: str | None,
    report_href: str,
    own_pending: frozenset[int] = frozenset(),
    after: dict[int, str] | None = None,
) -> str:
    """Return the thread's `<li>`s for an `<ol class="comment-list">`.

    reply_base: the post's URL for "Reply" links, or None when replies are
    closed. report_href: the report page's URL with "{pk}" for the comment.
    own_pending: pending comments shown in full to this reader.
    after: HTML to place right after a comment's article (the reply form).
    """
    if not rows:
        return ""
    tz = timezone.get_current_timezone()
    after = after or {}
    base = None if reply_base is None else escape(reply_base)
    report_href = escape(report_href)
    authors: dict[tuple[str, str], tuple[str, str]] = {}  # people comment often
    out: list[str] = []
    stack: list[int] = []  # pks of the open <li>s, outermost first
    nested: list[bool] = []  # whether each open <li> has its <ol class="children">
    locked: list[bool] = []  # whether each open <li> is in a locked branch
    open_pks: set[int] = set()
    next_parents = [row[1] for row in rows[1:]] + [None]
    for row, next_parent in zip(rows, next_parents, strict=True):
        # The order of models.THREAD_FIELDS:
        pk, parent_id, name, url, created, body_html, status, is_locked = row
        if parent_id is not None and parent_id not in open_pks:
            continue  # its parent is not shown, so neither is it
        while stack and stack[-1] != parent_id:
            open_pks.discard(stack.pop())
            locked.pop()
            out.append("</ol></li>" if nested.pop() else "</li>")
        if stack and not nested[-1]:
            nested[-1] = True
            out.append('<ol class="children">')
        classes = " parent" if next_parent == pk else ""
        in_locked = is_locked or (bool(locked) and locked[-1])
        if is_locked:
            classes += " locked"
        if status == APPROVED or pk in own_pending:
            author = authors.get((name, url))
            if author is None:
                author = authors[name, url] = (_author(name, url), escape(name))
            out.append(
                _COMMENT.format(
                    pk=pk,
                    depth=len(stack) + 1,
                    classes=classes,
                    author=author[0],
                    iso=created.isoformat(),
                    when=_when(created.astimezone(tz)),
                    note=(_LOCKED if is_locked else "")
                    + ("" if status == APPROVED else _AWAITING),
                    body=body_html,
                    reply=""
                    if base is None or status != APPROVED or in_locked
                    else _REPLY.format(base=base, pk=pk, name=author[1]),
                    report=""
                    if status != APPROVED
                    else _REPORT.format(href=report_href.format(pk=pk), name=author[1]),
                )
            )
        else:
            out.append(
                _PLACEHOLDER.format(
                    pk=pk,
                    depth=len(stack) + 1,
                    classes=classes,
                    text=PLACEHOLDER_TEXT.get(status, REMOVED_TEXT),
                )
            )
        if pk in after:
            out.append(after[pk])
        stack.append(pk)
        locked.append(in_locked)
        nested.append(False)
        open_pks.add(pk)
    out.extend("</ol></li>" if n else "</li>" for n in reversed(nested))
    return "".join(out)


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
