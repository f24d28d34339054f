"""The orders as pure functions, checked against values worked out by hand."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest

from forum import orders
from forum.orders import Ranked, controversy, wilson_lower_bound

# z = 1.96, so z² = 3.8416. With every vote up (p = 1) the Wilson lower
# bound simplifies to n / (n + z²): 1 / 4.8416 and 10 / 13.8416.
# With 50 up and 50 down (p = 0.5, n = 100):
#   (0.5 + 3.8416/200 - 1.96 * sqrt((0.25 + 3.8416/400) / 100)) / (1 + 3.8416/100)
#   = (0.519208 - 1.96 * sqrt(0.00259604)) / 1.038416
#   = (0.519208 - 0.0998645) / 1.038416 = 0.4193435 / 1.038416 = 0.403830
WILSON_BY_HAND = [
    ((0, 0), 0.0),
    ((0, 4), 0.0),
    ((1, 0), 0.206543),
    ((10, 0), 0.722460),
    ((50, 50), 0.403830),
]


@pytest.mark.parametrize(("votes", "expected"), WILSON_BY_HAND)
def test_wilson_lower_bound_matches_hand_computed_values(votes, expected):
    assert wilson_lower_bound(*votes) == pytest.approx(expected, abs=1e-6)


def test_wilson_ranks_ten_up_one_down_above_one_up():
    assert wilson_lower_bound(10, 1) > wilson_lower_bound(1, 0)


# (up + down) ** (smaller / larger), 0 unless both sides voted:
# 5/5: 10 ** 1 = 10; 1/1: 2 ** 1 = 2; 10/1: 11 ** 0.1 = 1.270982; 2/6: 8 ** (1/3) = 2.
CONTROVERSY_BY_HAND = [
    ((5, 5), 10.0),
    ((1, 1), 2.0),
    ((10, 1), 1.270982),
    ((2, 6), 2.0),
    ((3, 0), 0.0),
    ((0, 3), 0.0),
    ((0, 0), 0.0),
]


@pytest.mark.parametrize(("votes", "expected"), CONTROVERSY_BY_HAND)
def test_controversy_matches_hand_computed_values(votes, expected):
    assert controversy(*votes) == pytest.approx(expected, abs=1e-6)


START = datetime(2026, 1, 1, tzinfo=UTC)


def _comment(pk, up=0, down=0, pinned=False):
    return Ranked(pk, START + timedelta(minutes=pk), up, down, pinned)


SAMPLE = [
    _comment(1, up=1),
    _comment(2, up=10, down=1),
    _comment(3, up=5, down=5),
    _comment(4),
    _comment(5, up=3, down=8),
]


def _pks(order, comments=SAMPLE):
    return [c.pk for c in orders.ranked(comments, order)]


def test_best_orders_by_the_wilson_lower_bound():
    assert _pks("best") == [2, 3, 1, 5, 4]


def test_top_orders_by_up_less_down_oldest_first_on_ties():
    assert _pks("top") == [2, 1, 3, 4, 5]


def test_controversial_puts_the_evenly_split_first():
    assert _pks("controversial") == [3, 5, 2, 1, 4]


def test_new_and_old_go_by_time():
    assert _pks("new") == [5, 4, 3, 2, 1]
    assert _pks("old") == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("order", ["best", "top", "new", "old", "controversial"])
def test_a_pinned_comment_comes_first_under_every_order(order):
    comments = [*SAMPLE, _comment(6, down=9, pinned=True)]
    assert _pks(order, comments)[0] == 6


def test_parse_knows_the_orders_and_nothing_else():
    assert orders.parse("best") == "best"
    assert orders.parse("BEST") is None
    assert orders.parse("") is None
    assert orders.parse(None) is None


class Row(NamedTuple):
    pk: int
    parent_id: int | None
    created_at: datetime
    votes_up: int = 0
    votes_down: int = 0
    is_pinned: bool = False


def _row(pk, parent=None, up=0, down=0, pinned=False):
    return Row(pk, parent, START + timedelta(minutes=pk), up, down, pinned)


# Tree order (as stored): 1 [2 [3, 4], 5], 6 [7], 8
TREE = [
    _row(1, up=1),
    _row(2, parent=1, up=0, down=2),
    _row(3, parent=2, up=1),
    _row(4, parent=2, up=5),
    _row(5, parent=1, up=3),
    _row(6, up=9),
    _row(7, parent=6),
    _row(8, up=2, pinned=True),
]


def _order(rows, order):
    return [row.pk for row in orders.reorder(rows, order)]


def test_reorder_sorts_siblings_at_every_level_under_top():
    assert _order(TREE, "top") == [8, 6, 7, 1, 5, 2, 4, 3]


def test_reorder_by_new_reverses_every_level():
    assert _order(TREE, "new") == [8, 6, 7, 1, 5, 2, 4, 3]
    assert _order([r._replace(is_pinned=False) for r in TREE], "new") == [
        8,
        6,
        7,
        1,
        5,
        2,
        4,
        3,
    ]


def test_reorder_by_old_keeps_the_tree_order_but_the_pin():
    assert _order(TREE, "old") == [8, 1, 2, 3, 4, 5, 6, 7]


def test_reorder_takes_a_row_whose_parent_is_absent_as_a_root():
    subthread = [r for r in TREE if r.pk in (2, 3, 4)]
    assert _order(subthread, "top") == [2, 4, 3]


def test_reorder_keeps_every_row_once():
    for order in ("best", "top", "new", "old", "controversial"):
        assert sorted(_order(TREE, order)) == list(range(1, 9))
