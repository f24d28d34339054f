"""The orders a thread can be read in, as pure functions of a comment's votes.

`best` ranks by the lower bound of the Wilson score interval (95%) of the
share of up-votes, as Reddit's "best" does: a comment with 10 up and 1 down
outranks one with 1 up and none, because the evidence is stronger. `top`
is up less down; `controversial` favours many votes, evenly split (Reddit's
formula); `new` and `old` go by time. Ties keep the thread's own order
(oldest first), so a page reads the same from one request to the next.
"""

import math
from collections.abc import Callable
from datetime import datetime
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


# Each order's key: smaller sorts first. pk breaks ties (it grows with time).
KEYS: dict[str, Callable[[Ranked], tuple]] = {
    CommentOrder.BEST: lambda c: (-wilson_lower_bound(c.votes_up, c.votes_down), c.pk),
    CommentOrder.TOP: lambda c: (c.votes_down - c.votes_up, c.pk),
    CommentOrder.NEW: lambda c: (-c.created_at.timestamp(), -c.pk),
    CommentOrder.OLD: lambda c: (c.created_at.timestamp(), c.pk),
    CommentOrder.CONTROVERSIAL: lambda c: (
        -controversy(c.votes_up, c.votes_down),
        c.pk,
    ),
}


def sort_key(order: str) -> Callable[[Ranked], tuple]:
    """The key that sorts siblings in `order`: pinned ones first, always."""
    key = KEYS[order]
    return lambda c: (not c.is_pinned, *key(c))


def ranked(comments: list, order: str) -> list:
    """Return the comments (anything with Ranked's fields) sorted in `order`."""
    return sorted(comments, key=sort_key(order))


def parse(value: str | None) -> str | None:
    """The order a query or cookie names, or None if it names none."""
    return value if value in CommentOrder.values else None
