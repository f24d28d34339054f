"""The orders a thread can be read in, as pure functions of a comment's votes.

`best` ranks by the lower bound of the Wilson score interval (95%) of the
share of up-votes, as Reddit's "best" does: a comment with 10 up and 1 down
outranks one with 1 up and none, because the evidence is stronger. `top`
is up less down; `controversial` favours many votes, evenly split (Reddit's
formula); `new` and `old` go by time. Ties keep the thread's own order
(oldest first among siblings), so a page reads the same from one request
to the next.
"""

import math
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from forum.models import CommentOrder

# 95% confidence: the normal distribution's two-sided quantile.
Z_95 = 1.96


def wilson_lower_bound(up: int, down: int, z: float = Z_95) -> float:
    """The lower bound of the Wilson score interval of up / (up + down).

    0 for a comment without votes: it has shown nothing yet.
    """
    n = up + down
    if n == 0:
        return 0.0
    p = up / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
    return (centre - spread) / (1 + z2 / n)


def controversy(up: int, down: int) -> float:
    """Many votes, evenly split: (up + down) ** (smaller / larger); 0 if one-sided."""
    if up <= 0 or down <= 0:
        return 0.0
    return (up + down) ** (min(up, down) / max(up, down))


class Ranked(NamedTuple):
    """What an order reads of a comment."""

    pk: int
    created_at: datetime
    votes_up: int
    votes_down: int
    is_pinned: bool = False


# Each order's key, smaller first. One value, no tuple: sorting is stable and
# rows come in tree order, so ties keep the thread's own order (oldest first
# among siblings). The scores are cached by their (up, down) pair: most
# comments share a few pairs, (0, 0) above all.
_best = lru_cache(maxsize=4096)(wilson_lower_bound)
_controversy = lru_cache(maxsize=4096)(controversy)
KEYS: dict[str, Callable] = {
    CommentOrder.BEST: lambda c: -_best(c.votes_up, c.votes_down),
    CommentOrder.TOP: lambda c: c.votes_down - c.votes_up,
    CommentOrder.NEW: None,  # created_at, reversed
    CommentOrder.OLD: attrgetter("created_at"),
    CommentOrder.CONTROVERSIAL: lambda c: -_controversy(c.votes_up, c.votes_down),
}


def _sorted(comments, order: str) -> list:
    if order == CommentOrder.NEW:
        # reverse=True keeps ties in their given order, as the others do.
        return sorted(comments, key=attrgetter("created_at"), reverse=True)
    return sorted(comments, key=KEYS[order])


def _pinned_first(comments: list) -> list:
    return sorted(comments, key=lambda c: not c.is_pinned)


def ranked(comments: list, order: str) -> list:
    """Return the comments (anything with Ranked's fields) sorted in `order`.

    Pinned ones come first; ties keep the order they were given in.
    """
    return _pinned_first(_sorted(comments, order))


def reorder(rows: list, order: str) -> list:
    """Return rows read depth-first, with siblings sorted in `order` at every level.

    `rows` come in tree order and carry `pk` and `parent_id` besides Ranked's
    fields. A row whose parent is not among them (a page of top-level
    comments, a subthread's top) counts as a root; pinned roots come first.
    One sort of every row, then one pass that deals them out to their
    parents, already in order: no per-parent sort.
    """
    children: dict[int, list] = {row.pk: [] for row in rows}
    roots = []
    for row in _sorted(rows, order):
        siblings = children.get(row.parent_id) if row.parent_id else None
        (roots if siblings is None else siblings).append(row)
    out = []
    append = out.append
    stack = _pinned_first(roots)[::-1]
    pop, extend = stack.pop, stack.extend
    while stack:
        row = pop()
        append(row)
        below = children[row.pk]
        if below:
            extend(reversed(below))
    return out


def pinned_first(rows: list) -> list:
    """Rows in tree order with pinned conversations (and their replies) moved first.

    The rows themselves when nothing is pinned, as on most threads.
    """
    if not any(row.is_pinned for row in rows):
        return rows
    pinned, plain, into = [], [], None
    for row in rows:
        if row.parent_id is None or into is None:
            into = pinned if row.is_pinned else plain
        into.append(row)
    return pinned + plain


def parse(value: str | None) -> str | None:
    """The order a query or cookie names, or None if it names none."""
    return value if value in CommentOrder.values else None
