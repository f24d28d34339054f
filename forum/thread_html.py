"""Render a comment thread to HTML in one flat pass.

Rows arrive from one query in tree order (CommentQuerySet.thread_rows); this
module walks them once, opening and closing nested lists with a stack. No
template is rendered per comment: at 10,000 comments Django's template engine
costs ~90 µs a comment, this ~7 µs (docs/decisions/0006, docs/performance.md).

The markup follows WordPress's convention, so themes and scripts written for
WordPress threads work unchanged, plus Parley's reading aids inside the same
elements:

    <ol class="comment-list comment-list-numbered" start="51">
      <li id="comment-12" class="comment depth-1 parent">
        <article id="div-comment-12" class="comment-body">
          <footer class="comment-meta"> avatar, name "says:", permalinked
            <time>, "(edited)", parent link, <details class="thread-toggle">
          [<details class="comment-fold"><summary>folded: −7 points</summary>]
          <div class="comment-content" dir="auto"> the stored, sanitized HTML
          <div class="reply"> the score and vote form (with votes on), Reply
            and Report; Edit and Delete for its author  [</details>]
        </article>
        <ol class="children"> ... replies, the same way ... </ol>
      </li>
    </ol>

- Top-level comments are numbered by the <ol> itself (`start`, `reversed`);
  CSS draws `counter(list-item)`, which honours both.
- `span.avatar` holds initials on one of 12 hues (a CRC-32 of the name), made
  once per author per page.
- `details.thread-toggle` folds a comment and its replies without
  JavaScript; its summary counts the comments shown below on this page.
- Every reply opens with a visually hidden "Reply to <name>, level <d>: "
  and links its parent ("in reply to <name>"): past a few levels indentation
  stops, and these carry the structure.
- A comment not shown but with a shown reply is a placeholder ("This comment
  was removed.") without author or text.
- `after` maps a comment id to HTML placed right after its article: the reply
  form under the comment answered, and messages about that comment.
- Votes (layout.votes not "off"), on approved comments only:
  `<span class="comment-score" title="Score" id="score-12">3</span>` then
  `<form class="comment-vote" method="post" action="/comments/12/vote/"
  data-vote="0">` holding a CSRF input whose value is CSRF_SLOT (filled per
  request) and buttons name="value" 1, -1 (with VOTES_DOWN) and 0. The
  score's id and the form's data-vote are where a reader's own votes are
  spliced in (forum.reading_order.splice_votes): keep them as they are.
  Comments scoring COMMENT_COLLAPSE_SCORE or less wrap their text and reply
  row in a closed `details.comment-fold`; a pinned conversation's name is
  followed by `span.badge-pinned` ("Pinned"). The rows come already in the
  reader's order (forum.orders.reorder); this module does not sort.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from string import Formatter

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from forum import dates
from forum.avatars import avatar_html
from forum.models import Comment, ThreadRow

APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING
# Bump when the thread markup changes, so cached threads are rendered anew.
MARKUP_VERSION = 6


@dataclass(frozen=True)
class ThreadLayout:
    """Every setting that changes a thread's HTML, read once per page.

    The renderer, the pages (forum.thread_pages) and the thread cache's key
    and ETag (forum.views.thread_page) all take it, so a setting that changes
    the HTML also changes the key.
    """

    per_page: int = 0  # top-level comments a page (0: one page)
    newest_first: bool = False  # threads newest first (replies stay in order)
    display_depth: int = 0  # levels shown before "Continue this thread" (0: all)
    avatars: str = "initials"  # or "gravatar"
    edit_minutes: int = 10  # how long an author's Edit and Delete links last
    votes: str = "off"  # VOTES: "off" shows no score and no vote buttons
    votes_down: bool = True  # VOTES_DOWN: the down button
    collapse_score: int = -5  # COMMENT_COLLAPSE_SCORE: folded at or below
    markup_version: int = MARKUP_VERSION
    language: str = "en"  # the page's: its words, dates and plurals

    @classmethod
    def from_settings(cls) -> "ThreadLayout":
        return cls(
            language=get_language() or settings.LANGUAGE_CODE,
            per_page=settings.COMMENTS_PER_PAGE,
            newest_first=settings.COMMENTS_ORDER == "newest",
            display_depth=settings.COMMENT_DISPLAY_DEPTH,
            avatars=settings.AVATARS,
            edit_minutes=settings.COMMENT_EDIT_MINUTES,
            votes=settings.VOTES,
            votes_down=settings.VOTES_DOWN,
            collapse_score=settings.COMMENT_COLLAPSE_SCORE,
        )


# A comment's markup, put together per page by _templates(). A comment with
# replies is written in two parts around the end of its meta line, where its
# collapse control goes once its replies have been counted. {w[...]} are the
# words (_words: translated once per language), the other fields per comment.
_OPEN = (
    '<li id="comment-{pk}" class="comment depth-{depth}{classes}">'
    '<article id="div-comment-{pk}" class="comment-body">'
    '<footer class="comment-meta">'
)
# What screen readers hear first on a reply: whom it answers and how deep it is.
_CONTEXT = '<span class="screen-reader-text">{w[context]}</span>'
# The avatar and the name (one string per author, made once per page), then
# the secondary line: the date, the edited mark, and whom a reply answers.
_META = (
    "{author}{badge}{pinned} "
    '<span class="says">{w[says]}</span></span> <span class="comment-metadata">'
    '<a class="comment-permalink" href="#comment-{pk}">'
    '<time datetime="{iso}">{when}</time></a>{edited}'
)
_BADGE = ' <span class="comment-badge badge-{kind}">{label}</span>'
_EDITED = ' <span class="comment-edited" title="{title}">{edited}</span>'
# Its author's own links, within COMMENT_EDIT_MINUTES (never cached: personal).
_MINE = (
    ' <a class="comment-edit-link" href="/comment/{{pk}}/edit/">{edit}</a>'
    ' <a class="comment-delete-link" href="/comment/{{pk}}/delete/">{delete}</a>'
)
_PARENT = ' <a class="comment-parent-link" href="#comment-{ppk}">{w[parent]}</a>'
_META_END = "</span>"
# dir="auto": a comment reads in its own direction, whatever the page's.
_BODY = (
    '</footer>{note}{fold}<div class="comment-content" dir="auto">{body}</div>'
    '<div class="reply">{votes}'
)
_REPLY = (
    '<a rel="nofollow" class="comment-reply-link" '
    'href="{{reply}}?replytocom={pk}#respond" data-commentid="{pk}" '
    'data-replyto="{w[reply_to]}" aria-label="{w[reply_to]}">{w[reply]}</a>'
)
# Never on the reader's own comments; CSS sets it apart from Reply.
_REPORT = (
    ' <a rel="nofollow" class="comment-report-link" href="{{report}}" '
    'aria-label="{w[report_label]}">{w[report]}</a>'
)
_CLOSE = "{mine}</div>{unfold}</article>"
# Votes (issue 16): the score, then a form per comment that works without
# JavaScript (static/js/votes.js sends it in place). The score's id and the
# form's action and data-vote are where a reader's own votes are spliced in
# (forum.reading_order.splice_votes); CSRF_SLOT is replaced by the reader's
# token when the page is served. Words are filled in per render (language).
CSRF_SLOT = "csrf-token-slot"
_VOTES = (
    '<span class="comment-score" title="{score_label}" id="score-{{pk}}">{{score}}'
    '</span><form class="comment-vote" method="post" action="/comments/{{pk}}/vote/"'
    ' data-vote="0"><input type="hidden" name="csrfmiddlewaretoken"'
    ' value="csrf-token-slot">'
    '<button name="value" value="1" aria-label="{up}">▲</button>'
    "{down_button}"
    '<button name="value" value="0">{back}</button></form>'
)
_DOWN = '<button name="value" value="-1" aria-label="{down}">▼</button>'
_PINNED = ' <span class="comment-badge badge-pinned">{label}</span>'
_FOLD = '<details class="comment-fold"><summary>{said}</summary>'
_UNFOLD = "</details>"
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
_CONTINUE = '<p class="continue-thread"><a href="{{href}}">{text}</a></p>'
_LOCKED = '<p class="comment-locked">{text}</p>'
_AWAITING = '<p class="comment-awaiting-moderation">{text}</p>'


def _word(text: str, **fields: str) -> str:
    """Return `text` (translated: gettext("...")) escaped, for a format string.

    The translation's own braces stand for themselves; its %(name)s
    placeholders become the format fields given (e.g. name="{pname}").
    """
    translated = _literal(escape(text))
    return translated % fields if fields else translated


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    """The renderer's words in `language` (the active one), made once per language.

    Kept by language so a page costs no gettext call per comment.
    """
    return {**_phrases(), **_fragments()}


def _phrases() -> dict[str, str]:
    """Words put into the comment's own markup, in the active language."""
    return {
        "context": _word(
            gettext("Reply to %(name)s, level %(depth)s: "),
            name="{pname}",
            depth="{depth}",
        ),
        "says": _word(gettext("says:")),
        "parent": _word(gettext("in reply to %(name)s"), name="{pname}"),
        "reply_to": _word(gettext("Reply to %(name)s"), name="{name}"),
        "reply": _word(gettext("Reply")),
        "report_label": _word(gettext("Report the comment by %(name)s"), name="{name}"),
        "report": _word(gettext("Report")),
        # Filled by str.format at run time, not in a comment's template.
        "comment_by": _word(gettext("Comment by %(name)s"), name="{0}"),
        "removed": escape(gettext("This comment was removed.")),
        "pending": escape(gettext("This comment is awaiting moderation.")),
        "removed_name": escape(gettext("a removed comment")),
        "pending_name": escape(gettext("a comment awaiting moderation")),
    }


def _fragments() -> dict[str, str]:
    """Whole pieces of markup some comments carry, in the active language."""
    return {
        "edited": _EDITED.replace(
            "{title}", _word(gettext("Edited %(when)s"), when="{when}")
        ).replace("{edited}", _word(gettext("(edited)"))),
        "mine": _MINE.format(
            edit=_word(gettext("Edit")), delete=_word(gettext("Delete"))
        ),
        "continue": _CONTINUE.format(text=_word(gettext("Continue this thread →"))),
        "locked": _LOCKED.format(
            text=escape(gettext("Replies to this conversation are closed."))
        ),
        "awaiting": _AWAITING.format(
            text=escape(gettext("Your comment is awaiting moderation."))
        ),
        "author": _BADGE.format(kind="author", label=escape(gettext("Author"))),
        "moderator": _BADGE.format(
            kind="moderator", label=escape(gettext("Moderator"))
        ),
    }


@dataclass(frozen=True)
class Links:
    """URL patterns the renderer fills in; "{pk}" stands for a comment's id."""

    reply: str | None  # the page's own URL, for ?replytocom=; None: replies closed
    report: str = "/comments/{pk}/report/"
    continuation: str = "/comment/{pk}/thread/"


@dataclass(frozen=True)
class Reader:
    """What is personal on a page: this reader's own comments."""

    pending: frozenset[int] = frozenset()  # shown in full, "awaiting moderation"
    editable: frozenset[int] = frozenset()  # get Edit and Delete links
    own: frozenset[int] = frozenset()  # all of theirs here: no Report link

    def __bool__(self) -> bool:
        return bool(self.pending or self.editable or self.own)


def render_thread(
    rows: list[ThreadRow],
    *,
    links: Links,
    layout: ThreadLayout = ThreadLayout(),
    reader: Reader = Reader(),
    badges: dict[int, str] | None = None,
    after: dict[int, str] | None = None,
    top_parent: int | None = None,
    gravatars: dict[int, str] | None = None,
) -> str:
    """Return the thread's `<li>`s for an `<ol class="comment-list">`.

    reader: what is this reader's own. badges: "author" or "moderator" by user
    id. after: HTML placed right after a comment's article (the reply form, a
    message). layout.display_depth: levels shown (0 = all); deeper replies get
    a "Continue this thread" link. top_parent: the parent of the first row, for
    a subthread's own page. gravatars: Gravatar hashes by comment id
    (AVATARS=gravatar); without them avatars are initials.
    """
    writer = _Writer(
        links, reader, badges or {}, after or {}, layout.display_depth, layout
    )
    writer.gravatars = gravatars or {}
    next_parents = [row.parent_id for row in rows[1:]] + [None]
    for row, next_parent in zip(rows, next_parents[: len(rows)], strict=True):
        parent_id = None if row.parent_id == top_parent else row.parent_id
        writer.add(row, parent_id, has_children=next_parent == row.pk)
    return writer.finish()


def render_conversations(
    rows: list[ThreadRow],
    *,
    links: Links,
    layout: ThreadLayout = ThreadLayout(),
    badges: dict[int, str] | None = None,
    gravatars: dict[int, str] | None = None,
) -> list[tuple[int, str]]:
    """Return (first comment's id, its `<li>`) for each top-level conversation.

    The same walk as render_thread over whole conversations, in one pass, cut
    where each top-level comment starts: every conversation's HTML stands on
    its own, to be cached apart (forum.conversations). Nothing personal.
    """
    writer = _Writer(links, Reader(), badges or {}, {}, layout.display_depth, layout)
    writer.gravatars = gravatars or {}
    starts: list[tuple[int, int]] = []
    next_parents = [row.parent_id for row in rows[1:]] + [None]
    for row, next_parent in zip(rows, next_parents[: len(rows)], strict=True):
        if row.parent_id is None:
            writer.close_all()
            starts.append((row.pk, len(writer.out)))
        writer.add(row, row.parent_id, has_children=next_parent == row.pk)
    writer.close_all()
    out = writer.out
    ends = [start for _, start in starts[1:]] + [len(out)]
    return [
        (pk, "".join(out[start:end]))
        for (pk, start), end in zip(starts, ends, strict=True)
    ]


class _Open:
    """A comment whose <li> is open while the walk is inside its subtree."""

    __slots__ = ("pk", "locked", "name", "toggle", "nested")

    def __init__(self, pk, locked, name, toggle):
        self.pk = pk
        self.locked = locked  # in a locked branch: no Reply links below
        self.name = name  # its author, escaped, or what a placeholder is called
        # Its collapse control: (index in the output, comments written when
        # it was opened, whose it is); None: no replies shown under it here.
        self.toggle = toggle
        self.nested = False  # whether its <ol class="children"> is open


class _Writer:
    """Writes the nested lists of a thread, one row at a time, in tree order."""

    def __init__(self, links, reader, badges, after, max_depth, layout=None):
        tz = timezone.get_current_timezone()
        # Rows come in UTC: converting them to UTC again would cost ~3 ms a 10,000.
        self.tz = None if str(tz) == "UTC" else tz
        self.own_pending, self.editable = reader.pending, reader.editable
        self.own = reader.own
        self.gravatars: dict[int, str] = {}
        self.language = get_language()
        self.when = dates.formats(self.language).when
        self.words = words = _words(self.language)
        self.badges = {user: words[kind] for user, kind in badges.items()}
        self.templates = _templates(links, self.language)
        self.votes = _vote_template(layout) if layout and layout.votes != "off" else ""
        self.collapse = layout.collapse_score if self.votes else None
        self.pinned = _PINNED.format(label=escape(gettext("Pinned")))
        self.replies_open = links.reply is not None
        self.continuation = escape(links.continuation)
        self.after, self.max_depth = after, max_depth
        self.authors: dict[tuple, tuple[str, str]] = {}
        self.out: list[str] = []
        self.written = 0  # comments written so far
        self.stack: list[_Open] = []  # the open <li>s, outermost first
        self.open_pks: set[int] = set()  # open <li>s whose replies are shown

    def add(self, row: ThreadRow, parent_id: int | None, *, has_children: bool) -> None:
        pk, is_locked = row.pk, row.is_locked
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
            href = self.continuation.format(pk=pk)
            self.out.append(self.words["continue"].format(href=href))
        if pk in self.after:
            self.out.append(self.after[pk])
        stack.append(_Open(pk, in_locked, name, toggle))
        if not cut:
            self.open_pks.add(pk)

    def finish(self) -> str:
        self._climb_to(None)
        return "".join(self.out)

    def close_all(self) -> None:
        """Close every open <li>: the conversation written so far is whole."""
        self._climb_to(None)

    def _climb_to(self, parent_id: int | None) -> None:
        """Close lists up to `parent_id`'s <li>, and open its list of replies."""
        stack, out = self.stack, self.out
        while stack and stack[-1].pk != parent_id:
            item = stack.pop()
            self.open_pks.discard(item.pk)
            if item.toggle is not None:
                slot, opened, who = item.toggle
                count = self.written - opened
                replies = _replies(count, self.language)
                out[slot] = _TOGGLE.format(who=who, count=replies)
            out.append("</ol></li>" if item.nested else "</li>")
        if stack and not stack[-1].nested:
            stack[-1].nested = True
            out.append('<ol class="children">')

    def _comment(
        self, row: ThreadRow, depth: int, classes: str, in_locked: bool, nests: bool
    ) -> tuple[str, tuple | None]:
        """Write the comment's <li> up to where its replies go.

        nests: its replies are shown here, so it gets a collapse control, whose
        reply count is filled in when its <li> is closed. Return its author
        (escaped) and where its collapse control goes.
        """
        pk, ppk, name, url, created, body, status, is_locked, user, edited = row[:10]
        self.written += 1
        if status != APPROVED and (status != PENDING or pk not in self.own_pending):
            return self._placeholder(pk, depth, classes, status, nests)
        key = (name, url, self.gravatars.get(pk)) if self.gravatars else (name, url)
        author = self.authors.get(key)
        if author is None:
            author = self.authors[key] = _author(*key)
        approved = status == APPROVED
        template = self.templates[
            depth > 1,
            approved and self.replies_open and not in_locked,
            approved and pk not in self.own,
        ]
        words = self.words
        note = (words["locked"] if is_locked else "") + (
            "" if approved else words["awaiting"]
        )
        fields = self._fields(row, depth, classes, author, note)
        if not nests:
            self.out.append(template[0].format(*fields))
            return author[1], None
        self.out.append(template[1].format(*fields))
        toggle = self._reserve_toggle(words["comment_by"].format(author[1]))
        self.out.append(template[2].format(*fields))
        return author[1], toggle

    def _fields(
        self, row: ThreadRow, depth: int, classes: str, author: tuple, note: str
    ) -> tuple:
        """Return a shown comment's values for its templates, in FIELDS order.

        Positional formatting is a third faster than format_map() with a
        dict, and this runs once per comment.
        """
        pk, ppk, _, _, created, body, _, _, user, edited, up, down, pinned = row
        tz, when = self.tz, self.when
        return (
            pk,
            depth,
            classes,
            self.stack[-1].name if depth > 1 else "",
            ppk,
            author[0],
            author[1],
            created.isoformat(),
            when(created.astimezone(tz) if tz else created),
            note,
            body,
            self.badges.get(user, "") if user else "",
            self.words["edited"].format(
                when=when(edited.astimezone(tz) if tz else edited)
            )
            if edited
            else "",
            self.words["mine"].format(pk=pk) if pk in self.editable else "",
            *self._vote_fields(pk, up - down, approved=row.status == APPROVED),
            self.pinned if pinned else "",
        )

    def _vote_fields(self, pk: int, score: int, *, approved: bool) -> tuple:
        """The comment's score and vote form, and the fold around a low one."""
        if not (self.votes and approved):
            return "", "", ""
        votes = self.votes.format(pk=pk, score=score)
        if score > self.collapse:
            return votes, "", ""
        return votes, _FOLD.format(said=_folded(score, self.language)), _UNFOLD

    def _placeholder(
        self, pk, depth, classes, status, nests
    ) -> tuple[str, tuple | None]:
        """Write a hidden comment's stand-in, whose article holds only its text.

        Return what its replies call it, and where its collapse control goes.
        """
        kind = "pending" if status == PENDING else "removed"
        text = self.words[kind]
        self.out.append(
            _PLACEHOLDER.format(pk=pk, depth=depth, classes=classes, text=text)
        )
        name = self.words[f"{kind}_name"]
        return name, self._reserve_toggle(text.rstrip(".")) if nests else None

    def _reserve_toggle(self, who: str) -> tuple[int, int, str]:
        """Keep a place in the output for a collapse control, filled in on closing."""
        self.out.append("")
        return len(self.out) - 1, self.written, who


def _vote_template(layout: ThreadLayout) -> str:
    """The score and vote form, in the active language, with {pk} and {score}."""
    down = _DOWN.format(down=escape(gettext("Vote down"))) if layout.votes_down else ""
    return _VOTES.format(
        score_label=escape(gettext("Score")),
        up=escape(gettext("Vote up")),
        down_button=down,
        back=escape(gettext("Unvote")),
    )


@lru_cache(maxsize=256)
def _folded(score: int, language: str) -> str:
    """Return "folded: −7 points" in `language`, the active one (kept)."""
    said = ngettext("folded: %(score)s point", "folded: %(score)s points", abs(score))
    return escape(said % {"score": str(score).replace("-", "−")})


@lru_cache(maxsize=256)
def _replies(count: int, language: str) -> str:
    """Return "1 reply", "2 replies"… in `language`, the active one (kept)."""
    text = ngettext("%(count)d reply", "%(count)d replies", count)
    return escape(text % {"count": count})


@lru_cache(maxsize=64)
def _templates(
    links: Links, language: str
) -> dict[tuple[bool, bool, bool], tuple[str, str, str]]:
    """Return a comment's (whole, head, tail) templates in `language` (the active).

    Keyed by (is a reply, has Reply, has Report). The page's URLs and the
    words go into the templates once, not into every comment.
    """
    words = _words(language)
    reply = "" if links.reply is None else _literal(escape(links.reply))
    report = _literal(escape(links.report)).replace("{{pk}}", "{pk}")
    reply_html = _REPLY.replace("{{reply}}", reply)
    report_html = _REPORT.replace("{{report}}", report)
    templates = {}
    for is_reply in (False, True):
        head = _OPEN + (_CONTEXT + _META + _PARENT if is_reply else _META) + _META_END
        for has_reply in (False, True):
            for has_report in (False, True):
                tail = (
                    _BODY
                    + (reply_html if has_reply else "")
                    + (report_html if has_report else "")
                    + _CLOSE
                )
                templates[is_reply, has_reply, has_report] = tuple(
                    _positional(_WORD.sub(lambda m: words[m[1]], part))
                    for part in (head + tail, head, tail)
                )
    return templates


# The fields of a comment's templates, in the order _comment() passes them.
FIELDS = (
    "pk",
    "depth",
    "classes",
    "pname",
    "ppk",
    "author",
    "name",
    "iso",
    "when",
    "note",
    "body",
    "badge",
    "edited",
    "mine",
    "votes",
    "fold",
    "unfold",
    "pinned",
)


_WORD = re.compile(r"\{w\[(\w+)\]\}")


def _positional(template: str) -> str:
    """Return the template with its named fields as FIELDS indices ({pk} is {0})."""
    parts = []
    for text, field, _, _ in Formatter().parse(template):
        parts.append(_literal(text))
        if field is not None:
            parts.append(f"{{{FIELDS.index(field)}}}")
    return "".join(parts)


def _literal(text: str) -> str:
    """Return text for use in a format string, standing for itself."""
    return text.replace("{", "{{").replace("}", "}}")


def _author(name: str, url: str, gravatar: str | None = None) -> tuple[str, str]:
    """Return the avatar with the opening of the vcard, and the name escaped.

    Made once per author per page: the renderer keeps them.
    """
    escaped = escape(name)
    if url:
        link = (
            f'<a href="{escape(url)}" class="url fn" rel="external nofollow ugc">'
            f"{escaped}</a>"
        )
    else:
        link = f'<b class="fn">{escaped}</b>'
    avatar = avatar_html(name, gravatar)
    return f'{avatar}<span class="comment-author vcard">{link}', escaped
