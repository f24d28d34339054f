"""Big threads: pages of top-level comments, subthread pages, permalinks."""

import pytest
from django.urls import reverse

from tests.factories import comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


def _top_level_ids(page) -> list[str]:
    return [li["id"] for li in page.select("ol.comment-list > li")]


@pytest.fixture
def five_threads(settings):
    settings.COMMENTS_PER_PAGE = 2
    post = make_post()
    roots = [make_comment(post=post) for _ in range(5)]
    return post, roots


def _page_url(post, number):
    return reverse(
        "forum:post-comments-page", kwargs={"slug": post.slug, "page": number}
    )


def test_thread_pages_hold_top_level_comments_with_their_replies(client, five_threads):
    post, roots = five_threads
    reply = make_comment(post=post, parent=roots[2])
    page = soup(client.get(_page_url(post, 2)))
    assert _top_level_ids(page) == [f"comment-{roots[2].pk}", f"comment-{roots[3].pk}"]
    assert page.select_one(f"#comment-{roots[2].pk} #comment-{reply.pk}")


def test_thread_pages_continue_the_numbering(client, five_threads):
    post, _ = five_threads
    page = soup(client.get(_page_url(post, 3)))
    assert page.select_one("ol.comment-list")["start"] == "5"


def test_thread_pages_link_to_each_other(client, five_threads):
    post, _ = five_threads
    page = soup(client.get(_page_url(post, 2)))
    nav = page.select_one(".comment-navigation")
    assert nav.select_one("a.prev")["href"] == post.get_absolute_url() + "#comments"
    assert nav.select_one("a.next")["href"] == _page_url(post, 3) + "#comments"
    assert "page 2 of 3" in nav.get_text()


def test_responses_heading_counts_the_whole_thread_on_every_page(client, five_threads):
    post, _ = five_threads
    page = soup(client.get(_page_url(post, 3)))
    assert page.select_one(".comments-title").get_text().startswith("5 Responses")


def test_a_page_past_the_last_is_404(client, five_threads):
    post, _ = five_threads
    assert client.get(_page_url(post, 4)).status_code == 404


def test_newest_first_puts_the_latest_thread_on_page_one(
    client, five_threads, settings
):
    settings.COMMENTS_ORDER = "newest"
    post, roots = five_threads
    page = soup(client.get(post.get_absolute_url()))
    assert _top_level_ids(page) == [f"comment-{roots[4].pk}", f"comment-{roots[3].pk}"]
    listing = page.select_one("ol.comment-list")
    assert listing.has_attr("reversed")
    assert listing["start"] == "5"


def test_zero_per_page_shows_the_whole_thread(client, settings):
    settings.COMMENTS_PER_PAGE = 0
    post = make_post()
    for _ in range(60):
        make_comment(post=post)
    page = soup(client.get(post.get_absolute_url()))
    assert len(_top_level_ids(page)) == 60
    assert page.select_one(".comment-navigation") is None


def test_comment_permalink_redirects_to_the_page_holding_it(client, five_threads):
    post, roots = five_threads
    reply = make_comment(post=post, parent=roots[4])
    response = client.get(reverse("forum:comment-permalink", kwargs={"pk": reply.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"{_page_url(post, 3)}#comment-{reply.pk}"


def test_comment_permalink_of_a_hidden_comment_is_404(client):
    post = make_post()
    pending = make_comment(post=post, status="pending")
    response = client.get(reverse("forum:comment-permalink", kwargs={"pk": pending.pk}))
    assert response.status_code == 404


def _chain(post, length):
    chain = [make_comment(post=post)]
    for _ in range(length - 1):
        chain.append(make_comment(post=post, parent=chain[-1]))
    return chain


def test_replies_past_the_display_depth_continue_on_their_own_page(client, settings):
    settings.COMMENT_DISPLAY_DEPTH = 3
    post = make_post()
    chain = _chain(post, 5)  # levels 0..4
    page = soup(client.get(post.get_absolute_url()))
    shown = [li["id"] for li in page.select("li.comment")]
    assert shown == [f"comment-{c.pk}" for c in chain[:3]]
    link = page.select_one(f"#comment-{chain[2].pk} .continue-thread a")
    assert link["href"] == reverse("forum:comment-thread", kwargs={"pk": chain[2].pk})


def test_subthread_page_shows_the_comment_its_replies_and_its_parent_link(
    client, settings
):
    settings.COMMENT_DISPLAY_DEPTH = 3
    post = make_post()
    chain = _chain(post, 5)
    url = reverse("forum:comment-thread", kwargs={"pk": chain[2].pk})
    page = soup(client.get(url))
    assert [li["id"] for li in page.select("li.comment")] == [
        f"comment-{c.pk}" for c in chain[2:]
    ]
    assert "depth-1" in page.select_one(f"#comment-{chain[2].pk}")["class"]
    parent_link = page.select_one("a.parent-link")["href"]
    assert parent_link == reverse("forum:comment-permalink", kwargs={"pk": chain[1].pk})


def test_permalink_of_a_deep_reply_goes_to_its_subthread_page(client, settings):
    settings.COMMENT_DISPLAY_DEPTH = 3
    post = make_post()
    chain = _chain(post, 6)  # levels 0..5: level 3 and 4 live under chain[2]
    response = client.get(
        reverse("forum:comment-permalink", kwargs={"pk": chain[4].pk})
    )
    thread = reverse("forum:comment-thread", kwargs={"pk": chain[2].pk})
    assert response["Location"] == f"{thread}#comment-{chain[4].pk}"


def test_replying_to_a_deep_comment_lands_on_its_subthread_page(
    client, settings, guests_trusted
):
    settings.COMMENT_DISPLAY_DEPTH = 3
    post = make_post()
    chain = _chain(post, 4)
    data = comment_data(post, comment_parent=str(chain[3].pk))
    response = client.post(reverse("forum:comment-create"), data)
    thread = reverse("forum:comment-thread", kwargs={"pk": chain[2].pk})
    assert response["Location"].startswith(f"{thread}#comment-")
    page = soup(client.get(thread))
    new_id = response["Location"].split("#")[1]
    assert page.select_one(f"#comment-{chain[3].pk} > ol.children > #{new_id}")
