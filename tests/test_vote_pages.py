"""Votes and orders on the thread's pages: markup, orders at every level,
pages, permalinks, folding, pinning, and the thread cache under votes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.reading_order import ORDER_COOKIE
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


def _vote(comment, *values):
    for value in values:
        services.vote_cast(comment_id=comment.pk, value=value, user=make_user())


def _ids(response, selector=".comment-list > li.comment"):
    return [int(li["id"].split("-")[1]) for li in soup(response).select(selector)]


@pytest.fixture
def thread():
    """Conversations a (old, no votes), b (−1), c (+2); a's replies r1 (0), r2 (+1)."""
    post = make_post()
    a, b, c = (make_comment(post=post) for _ in range(3))
    r1 = make_comment(post=post, parent=a)
    r2 = make_comment(post=post, parent=a)
    _vote(b, -1)
    _vote(c, 1, 1)
    _vote(r2, 1)
    return post, a, b, c, r1, r2


def test_each_comment_shows_its_score_and_a_vote_form(client, thread):
    post, a, b, c, *_ = thread
    page = soup(client.get(post.get_absolute_url()))
    comment = page.select_one(f"#comment-{c.pk}")
    assert comment.select_one(".comment-score").get_text() == "2"
    form = comment.select_one("form.comment-vote")
    assert form["method"] == "post"
    assert form["action"] == f"/comments/{c.pk}/vote/"
    assert [b["value"] for b in form.select("button[name=value]")] == ["1", "-1", "0"]
    assert form.select_one("input[name=csrfmiddlewaretoken]")["value"] != (
        "csrf-token-slot"
    )
    assert page.select_one(f"#comment-{b.pk} .comment-score").get_text() == "-1"


def test_no_scores_or_forms_when_voting_is_off(settings, client, thread):
    settings.VOTES = "off"
    page = soup(client.get(thread[0].get_absolute_url()))
    assert page.select(".comment-score") == []
    assert page.select("form.comment-vote") == []


def test_no_down_button_when_down_votes_are_off(settings, client, thread):
    settings.VOTES_DOWN = False
    form = soup(client.get(thread[0].get_absolute_url())).select_one(
        "form.comment-vote"
    )
    assert [b["value"] for b in form.select("button[name=value]")] == ["1", "0"]


def test_the_default_order_is_the_thread_as_written(client, thread):
    post, a, b, c, r1, r2 = thread
    response = client.get(post.get_absolute_url())
    assert _ids(response) == [a.pk, b.pk, c.pk]
    assert _ids(response, f"#comment-{a.pk} > .children > li") == [r1.pk, r2.pk]


def test_top_sorts_conversations_and_replies(client, thread):
    post, a, b, c, r1, r2 = thread
    response = client.get(post.get_absolute_url() + "?sort=top")
    assert _ids(response) == [c.pk, a.pk, b.pk]
    assert _ids(response, f"#comment-{a.pk} > .children > li") == [r2.pk, r1.pk]


def test_new_puts_the_newest_first_at_every_level(client, thread):
    post, a, b, c, r1, r2 = thread
    response = client.get(post.get_absolute_url() + "?sort=new")
    assert _ids(response) == [c.pk, b.pk, a.pk]
    assert _ids(response, f"#comment-{a.pk} > .children > li") == [r2.pk, r1.pk]


def test_the_choice_is_remembered_in_a_cookie(client, thread):
    post, a, b, c, *_ = thread
    chosen = client.get(post.get_absolute_url() + "?sort=best")
    assert chosen.cookies[ORDER_COOKIE].value == "best"
    again = client.get(post.get_absolute_url())
    assert _ids(again) == [c.pk, a.pk, b.pk]
    current = soup(again).select_one(".comment-orders a[aria-current=true]")
    assert current["href"] == "?sort=best"


def test_an_unknown_order_falls_back_quietly(client, thread):
    post, a, b, c, *_ = thread
    response = client.get(post.get_absolute_url() + "?sort=worst")
    assert response.status_code == 200
    assert _ids(response) == [a.pk, b.pk, c.pk]


def test_the_posts_suggested_order_applies_until_the_reader_picks(client, thread):
    post, a, b, c, *_ = thread
    services.post_update(post=post, fields={"suggested_order": "top"})
    assert _ids(client.get(post.get_absolute_url())) == [c.pk, a.pk, b.pk]
    picked = client.get(post.get_absolute_url() + "?sort=old")
    assert _ids(picked) == [a.pk, b.pk, c.pk]


def test_pages_hold_conversations_in_the_readers_order(settings, client, thread):
    settings.COMMENTS_PER_PAGE = 1
    post, a, b, c, *_ = thread
    client.cookies[ORDER_COOKIE] = "top"
    assert _ids(client.get(post.get_absolute_url())) == [c.pk]
    assert _ids(client.get(f"/posts/{post.slug}/comment-page-3/")) == [b.pk]


def test_a_permalink_finds_the_page_in_the_readers_order(settings, client, thread):
    settings.COMMENTS_PER_PAGE = 1
    post, a, b, c, r1, r2 = thread
    client.cookies[ORDER_COOKIE] = "top"
    assert client.get(f"/comment/{c.pk}/")["Location"] == (
        f"{post.get_absolute_url()}#comment-{c.pk}"
    )
    assert client.get(f"/comment/{r1.pk}/")["Location"] == (
        f"/posts/{post.slug}/comment-page-2/#comment-{r1.pk}"
    )
    client.cookies[ORDER_COOKIE] = "old"
    assert client.get(f"/comment/{c.pk}/")["Location"] == (
        f"/posts/{post.slug}/comment-page-3/#comment-{c.pk}"
    )


def test_continue_this_thread_pages_follow_the_order(settings, client):
    settings.COMMENT_DISPLAY_DEPTH = 2
    post = make_post()
    top = make_comment(post=post)
    child = make_comment(post=post, parent=top)
    low, high = (make_comment(post=post, parent=child) for _ in range(2))
    _vote(high, 1)
    client.cookies[ORDER_COOKIE] = "top"
    page = client.get(f"/comment/{child.pk}/thread/")
    assert _ids(page, f"#comment-{child.pk} > .children > li") == [high.pk, low.pk]


def test_a_low_comment_starts_folded_and_opens_without_javascript(settings, client):
    settings.COMMENT_COLLAPSE_SCORE = -2
    post = make_post()
    low, fine = make_comment(post=post), make_comment(post=post)
    _vote(low, -1, -1)
    _vote(fine, -1)
    page = soup(client.get(post.get_absolute_url()))
    fold = page.select_one(f"#comment-{low.pk} details.comment-fold")
    assert fold is not None and not fold.has_attr("open")
    assert fold.summary.get_text() == "folded: −2 points"
    assert fold.select_one(".comment-content") is not None
    assert page.select_one(f"#comment-{fine.pk} details.comment-fold") is None


def test_a_pinned_conversation_comes_first_under_every_order(client, thread):
    post, a, b, c, *_ = thread
    services.comment_pin(comments=[b], pinned=True)
    for order in ("best", "top", "new", "old", "controversial"):
        response = client.get(post.get_absolute_url() + f"?sort={order}")
        assert _ids(response)[0] == b.pk, order
    badge = soup(response).select_one(f"#comment-{b.pk} .badge-pinned")
    assert badge.get_text() == "Pinned"


def test_a_pinned_conversation_leads_page_one(settings, client, thread):
    settings.COMMENTS_PER_PAGE = 1
    post, a, b, c, *_ = thread
    services.comment_pin(comments=[c], pinned=True)
    assert _ids(client.get(post.get_absolute_url())) == [c.pk]
    assert client.get(f"/comment/{a.pk}/")["Location"] == (
        f"/posts/{post.slug}/comment-page-2/#comment-{a.pk}"
    )


def test_a_vote_leaves_the_cached_thread_in_place(client, thread):
    post, a, *_ = thread
    url = post.get_absolute_url()
    Client().get(url)  # fills the thread cache
    voter = make_user()
    services.vote_cast(comment_id=a.pk, value=1, user=voter)
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    rows = [q for q in queries.captured_queries if "forum_comment" in q["sql"]]
    assert not any('"forum_comment"."body_html"' in q["sql"] for q in rows)


def test_the_voter_sees_their_vote_and_the_score_now(client, thread):
    post, a, *_ = thread
    url = post.get_absolute_url()
    Client().get(url)  # the shared thread, cached with a's score 0
    voter = make_user()
    client.force_login(voter)
    client.post(f"/comments/{a.pk}/vote/", {"value": "1"})
    page = soup(client.get(url))
    assert page.select_one(f"#comment-{a.pk} .comment-score").get_text() == "1"
    form = page.select_one(f"#comment-{a.pk} form.comment-vote")
    assert form["data-vote"] == "1"


def test_the_etag_changes_when_the_reader_votes(client, thread):
    post, a, *_ = thread
    client.force_login(make_user())
    url = post.get_absolute_url()
    client.get(url)
    first = client.get(url)
    client.post(f"/comments/{a.pk}/vote/", {"value": "-1"})
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200


def test_votes_add_no_query_per_comment(client, django_assert_max_num_queries):
    post = make_post()
    for _ in range(3):
        _vote(make_comment(post=post), 1)
    client.force_login(make_user())
    url = post.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url + "?sort=best")
    for _ in range(20):
        _vote(make_comment(post=post), -1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url + "?sort=best")
