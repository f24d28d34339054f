"""The reader's order, the refresh period, and their votes spliced into a page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from forum import services
from forum.models import Comment
from forum.reading_order import (
    ORDER_COOKIE,
    chosen_order,
    ranked_trees,
    refresh_bucket,
    splice_votes,
    votes_on,
)
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db


def _request(query="", cookies=None, user=None):
    request = RequestFactory().get("/" + query)
    request.COOKIES.update(cookies or {})
    request.user = user if user is not None else AnonymousUser()
    return request


def test_the_site_default_applies_until_a_reader_chooses(settings):
    settings.COMMENT_ORDER = "top"
    assert chosen_order(_request(), make_post()) == ("top", False)


def test_a_posts_suggested_order_comes_before_the_sites():
    post = make_post(suggested_order="best")
    assert chosen_order(_request(), post) == ("best", False)


def test_the_remembered_choice_comes_before_the_posts():
    post = make_post(suggested_order="best")
    request = _request(cookies={ORDER_COOKIE: "new"})
    assert chosen_order(request, post) == ("new", False)


def test_the_link_followed_comes_first():
    request = _request("?sort=controversial", cookies={ORDER_COOKIE: "new"})
    assert chosen_order(request, make_post()) == ("controversial", True)


@pytest.mark.parametrize("bad", ["?sort=worst", "?sort=", "?sort=BEST"])
def test_an_unknown_order_is_ignored(settings, bad):
    settings.COMMENT_ORDER = "old"
    assert chosen_order(_request(bad), make_post()) == ("old", False)


def test_the_refresh_bucket_turns_every_few_seconds(settings):
    settings.VOTES_REFRESH_SECONDS = 10
    assert refresh_bucket("best", now=100.0) == refresh_bucket("best", now=109.9)
    assert refresh_bucket("best", now=110.0) == refresh_bucket("best", now=100.0) + 1


def test_no_refresh_bucket_without_votes(settings):
    settings.VOTES = "off"
    assert refresh_bucket("best", now=100.0) == refresh_bucket("best", now=999.0)


def test_votes_on_reads_the_readers_votes_on_the_post_in_one_query(
    django_assert_num_queries,
):
    reader = make_user()
    post = make_post()
    liked, disliked = make_comment(post=post), make_comment(post=post)
    elsewhere = make_comment(post=make_post())
    for comment, value in ((liked, 1), (disliked, -1), (elsewhere, 1)):
        services.vote_cast(comment_id=comment.pk, value=value, user=reader)
    services.vote_cast(comment_id=liked.pk, value=1, user=make_user())
    with django_assert_num_queries(1):
        votes = votes_on(_request(user=reader), post)
    assert votes == {liked.pk: (1, 2, 0), disliked.pk: (-1, 0, 1)}


def test_votes_on_asks_nothing_of_a_guest_without_a_voter_cookie(
    django_assert_num_queries,
):
    post = make_post()
    with django_assert_num_queries(0):
        assert votes_on(_request(), post) == {}


PAGE = (
    b'<span class="comment-score" id="score-7">3</span>'
    b'<form class="comment-vote" method="post" action="/comments/7/vote/"'
    b' data-vote="0"></form>'
    b'<span class="comment-score" id="score-70">0</span>'
    b'<form class="comment-vote" method="post" action="/comments/70/vote/"'
    b' data-vote="0"></form>'
)


def test_splice_votes_marks_the_vote_and_the_current_score():
    spliced = splice_votes(PAGE, {70: (-1, 2, 5)})
    assert spliced == PAGE.replace(b'id="score-70">0<', b'id="score-70">-3<').replace(
        b'/70/vote/" data-vote="0"', b'/70/vote/" data-vote="-1"'
    )


def test_splice_votes_leaves_comments_not_on_the_page():
    assert splice_votes(PAGE, {99: (1, 1, 0)}) == PAGE
    assert splice_votes(PAGE, {}) is PAGE


def test_ranked_trees_orders_the_conversations_not_the_replies():
    post = make_post()
    low, high, pinned = (make_comment(post=post) for _ in range(3))
    reply = make_comment(post=post, parent=low)
    for comment, value in ((high, 1), (reply, 1), (reply, 1), (low, -1)):
        services.vote_cast(comment_id=comment.pk, value=value, user=make_user())
    services.comment_pin(comments=[pinned], pinned=True)
    shown = Comment.objects.for_post(post).shown()
    expected = [pinned.tree_id, high.tree_id, low.tree_id]
    assert ranked_trees(shown, "top") == expected
    assert ranked_trees(shown, "old")[0] == pinned.tree_id
