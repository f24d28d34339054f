"""Which order a reader reads a thread in, and what of it is theirs: their votes.

The order comes from the link they followed (`?sort=best`), else the cookie
that remembers their last choice, else the post's suggested order, else the
site's (COMMENT_ORDER). Orders built on votes are recomputed at most every
VOTES_REFRESH_SECONDS: the thread's cached HTML is keyed by that period
(`refresh_bucket`), so a vote never throws a cached thread away and a
steady trickle of votes costs nothing per page (docs/decisions/0022).

The reader's own votes on a page are spliced into the shared HTML
(`splice_votes`): their choice on each form and the comment's score as it
is now, from one query (`votes_on`).
"""

import time

from django.conf import settings

from forum.models import CommentOrder, Vote
from forum.orders import Ranked, parse, ranked

ORDER_COOKIE = "parley_order"
# A guest's voter id (VOTES=everyone), signed: one vote per comment per browser.
VOTER_COOKIE = "parley_voter"
VOTER_SALT = "forum.voter"
VOTER_MAX_AGE = 365 * 24 * 3600
ORDER_MAX_AGE = 365 * 24 * 3600
# Orders whose result depends on votes; "old" and "new" need no refreshing.
BY_VOTES = frozenset({CommentOrder.BEST, CommentOrder.TOP, CommentOrder.CONTROVERSIAL})


def chosen_order(request, post) -> tuple[str, bool]:
    """(the order to read `post` in, whether the request chose it just now)."""
    asked = parse(request.GET.get("sort"))
    if asked:
        return asked, True
    remembered = parse(request.COOKIES.get(ORDER_COOKIE))
    return remembered or post.suggested_order or settings.COMMENT_ORDER, False


def remember_order(request, response, order: str) -> None:
    """Keep the reader's choice for their next threads (a plain, harmless cookie)."""
    response.set_cookie(
        ORDER_COOKIE,
        order,
        max_age=ORDER_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def order_links(current: str, layout) -> list[dict]:
    """The orders a reader can pick, as links (?sort=…) for the page's template.

    Without votes, only the orders by time.
    """
    orders = CommentOrder.choices
    if layout.votes == "off":
        orders = [(v, label) for v, label in orders if v not in BY_VOTES]
    return [
        {"value": value, "label": label, "current": value == current}
        for value, label in orders
    ]


def refresh_bucket(order: str, now: float | None = None) -> int:
    """The period a vote-based order and the shown scores belong to; 0 for none.

    With votes on, scores are on every page, so every order has a period;
    the orders by time only change with the thread's version.
    """
    if settings.VOTES == "off":
        return 0
    now = time.time() if now is None else now
    return int(now // settings.VOTES_REFRESH_SECONDS)


def ranked_roots(shown, order: str) -> list[tuple[int, int, int]]:
    """(tree_id, tree_version, pk) of the post's conversations in `order`.

    One query, on the top-level comments only (the partial index
    comment_roots_idx), never the replies. `shown` is the reader's
    CommentQuerySet for the post. Pages of conversations are slices of
    this list; which page holds a comment is its conversation's index in it.
    """
    roots = shown.filter(parent=None).values_list(
        "tree_id",
        "tree_version",
        "pk",
        "created_at",
        "votes_up",
        "votes_down",
        "is_pinned",
    )
    # In tree order (the order they were written), so ties stay oldest first.
    by_pk = {}
    ranks = []
    for tree, version, pk, created, up, down, pinned in roots.order_by("tree_id"):
        by_pk[pk] = (tree, version, pk)
        ranks.append(Ranked(pk, created, up, down, pinned))
    return [by_pk[root.pk] for root in ranked(ranks, order)]


def ranked_trees(shown, order: str) -> list[int]:
    """The tree ids of the post's conversations in `order` (ranked_roots)."""
    return [tree for tree, _, _ in ranked_roots(shown, order)]


def voter_of(request) -> str | None:
    """The reader's voter key if they may have voted (forum.services.votes)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    guest = request.get_signed_cookie(
        VOTER_COOKIE, default="", salt=VOTER_SALT, max_age=VOTER_MAX_AGE
    )
    return f"guest:{guest}" if guest else None


def votes_on(request, post) -> dict[int, tuple[int, int, int]]:
    """The reader's votes on the post: comment id -> (vote, up, down). One query.

    None asked when voting is off or the reader can't have voted.
    """
    voter = voter_of(request) if settings.VOTES != "off" else None
    if voter is None:
        return {}
    rows = Vote.objects.filter(voter=voter, comment__post=post).values_list(
        "comment_id", "value", "comment__votes_up", "comment__votes_down"
    )
    return {pk: (value, up, down) for pk, value, up, down in rows}


def splice_votes(html: bytes, votes: dict[int, tuple[int, int, int]]) -> bytes:
    """Mark the reader's votes, and those comments' current scores, in the HTML.

    Each vote is found by its form's unique action and its score by its id
    (forum.thread_html): a reader has voted on few comments of a thread, each
    search runs in C, and the page is copied once, however many there are.
    """
    edits = []
    for pk, (value, up, down) in votes.items():
        edits.append(
            _span(html, b'action="/comments/%d/vote/" data-vote="' % pk, b'"', value)
        )
        edits.append(_span(html, b'id="score-%d">' % pk, b"<", up - down))
    edits = sorted(edit for edit in edits if edit)
    if not edits:
        return html
    parts, done = [], 0
    for start, stop, value in edits:
        parts += [html[done:start], value]
        done = stop
    parts.append(html[done:])
    return b"".join(parts)


def _span(html: bytes, marker: bytes, end: bytes, number: int):
    """(start, stop, new bytes) of what stands between `marker` and `end`, or None."""
    start = html.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return start, html.find(end, start), b"%d" % number
