from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, Post
from tests.factories import make_category, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


def test_index_lists_published_posts_newest_first(client):
    old = make_post(title="Old news", published_at=timezone.now() - timedelta(days=2))
    new = make_post(title="Fresh news")
    make_post(title="Secret draft", status=Post.Status.DRAFT)
    make_post(title="Scheduled", published_at=timezone.now() + timedelta(hours=1))
    page = soup(client.get("/"))
    titles = [h.get_text(strip=True) for h in page.select(".entry-title")]
    assert titles == [new.title, old.title]


def test_index_shows_categories_excerpt_and_response_link(client):
    category = make_category(name="Russia")
    post = make_post(body="First words of the post. " * 40, categories=[category])
    make_comment(post=post)
    make_comment(post=post)
    make_comment(post=post, status=Comment.Status.PENDING)
    summary = soup(client.get("/")).select_one(".post-summary")
    assert summary.select_one(".cat-links a")["href"] == category.get_absolute_url()
    assert summary.select_one(".entry-summary").get_text().startswith("First words")
    link = summary.select_one(".comments-link")
    assert link.get_text(strip=True) == "2 Responses"
    assert link["href"] == post.get_absolute_url() + "#comments"


def test_index_paginates(client, settings):
    for _ in range(12):
        make_post()
    first = soup(client.get("/"))
    second = soup(client.get("/?page=2"))
    assert len(first.select(".post-summary")) == 10
    assert len(second.select(".post-summary")) == 2
    assert first.select_one("a.next")["href"] == "?page=2"


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_unpublished_posts_are_404(client, overrides):
    post = make_post(**overrides)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 404
    assert b"Nothing here" in response.content


def test_post_page_shows_meta_line_with_real_links(client, editor):
    categories = [make_category(name="Russia"), make_category(name="Ukraine Crisis")]
    post = make_post(title="A title", author=editor, categories=categories)
    page = soup(client.get(post.get_absolute_url()))
    footer = page.select_one(".entry-footer")
    assert footer.get_text(" ", strip=True).replace(" ,", ",").replace(" .", ".") == (
        "This entry was posted in Russia, Ukraine Crisis. Bookmark the permalink."
    )
    links = [a["href"] for a in footer.select("a")]
    assert links == [c.get_absolute_url() for c in categories] + [
        post.get_absolute_url()
    ]
    assert page.select_one(".entry-meta .author").get_text() == "Eda Tor"


def test_post_page_shows_only_approved_comments(client):
    post = make_post()
    shown = make_comment(post=post, body="visible words")
    make_comment(post=post, status=Comment.Status.PENDING, body="pending words")
    make_comment(post=post, status=Comment.Status.SPAM, body="spam words")
    make_comment(post=post, status=Comment.Status.REMOVED, body="removed words")
    page = soup(client.get(post.get_absolute_url()))
    assert [li["id"] for li in page.select("li.comment")] == [f"comment-{shown.pk}"]
    assert (
        page.select_one(".comments-title").get_text()
        == f"One Response to “{post.title}”"
    )


def test_removed_comment_with_approved_replies_stays_as_placeholder(client):
    post = make_post()
    removed = make_comment(post=post, body="gone words", author_name="Gone Author")
    reply = make_comment(post=post, parent=removed)
    Comment.objects.filter(pk=removed.pk).update(status=Comment.Status.REMOVED)
    response = client.get(post.get_absolute_url())
    page = soup(response)
    placeholder = page.select_one(f"#comment-{removed.pk}")
    assert placeholder.get_text(strip=True).startswith("This comment was removed.")
    assert b"gone words" not in response.content
    assert b"Gone Author" not in response.content
    assert placeholder.select_one(f"ol.children > #comment-{reply.pk}")


def test_closed_post_says_so_and_has_no_form(client):
    post = make_post(comments_open=False)
    make_comment(post=post)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(".no-comments").get_text() == "Comments are closed."
    assert page.select_one("#commentform") is None
    assert page.select_one(".comment-reply-link") is None


def test_thread_markup_follows_the_wordpress_contract(client):
    post = make_post()
    root = make_comment(post=post, author_name="Anna")
    reply = make_comment(post=post, parent=root, author_name="Ben")
    deeper = make_comment(post=post, parent=reply, author_name="Cy")
    second = make_comment(post=post, author_name="Dee")
    page = soup(client.get(post.get_absolute_url()))
    top = page.select("ol.comment-list > li")
    assert [li["id"] for li in top] == [f"comment-{root.pk}", f"comment-{second.pk}"]
    for comment, depth in ((root, 1), (reply, 2), (deeper, 3), (second, 1)):
        li = page.select_one(f"li#comment-{comment.pk}")
        assert {"comment", f"depth-{depth}"} <= set(li["class"])
        article = li.find("article", recursive=False)
        assert article.select_one(".fn").get_text() == comment.author_name
        time = article.select_one(f'a[href="#comment-{comment.pk}"] > time')
        assert time["datetime"] == comment.created_at.isoformat()
        assert comment.body in article.select_one(".comment-content").get_text()
    assert page.select_one(f"#comment-{root.pk} > ol.children > #comment-{reply.pk}")
    assert page.select_one(f"#comment-{reply.pk} > ol.children > #comment-{deeper.pk}")
    assert "parent" in page.select_one(f"#comment-{root.pk}")["class"]


def test_author_website_is_a_nofollow_link_and_email_never_shown(client):
    post = make_post()
    make_comment(
        post=post, author_url="https://anna.example/", author_email="anna@mail.test"
    )
    response = client.get(post.get_absolute_url())
    link = soup(response).select_one(".comment-author a.url")
    assert link["href"] == "https://anna.example/"
    assert set(link["rel"]) >= {"nofollow", "ugc"}
    assert b"anna@mail.test" not in response.content


def _thread_queries(client, count: int) -> tuple[int, BeautifulSoup]:
    """Build a thread of `count` comments; return (queries, the page)."""
    post = make_post()
    recent = []
    for i in range(count):
        # Small threads, three levels deep: cheap to build, still nested.
        parent = recent[-(i % 3)] if i % 4 else None
        recent = [*recent[-2:], make_comment(post=post, parent=parent)]
    url = post.get_absolute_url()
    client.get(url)  # warm up anything cached per process (sessions, content types)
    cache.clear()  # measure a render, not a cache hit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), soup(response)


def test_whole_thread_page_query_count_does_not_grow_with_the_thread(client, settings):
    settings.COMMENTS_PER_PAGE = 0
    small, small_page = _thread_queries(client, 12)
    big, big_page = _thread_queries(client, 1000)
    assert len(small_page.select("li.comment")) == 12
    assert len(big_page.select("li.comment")) == 1000
    assert small == big
    # The post; its conversations' keys (forum.conversations); their rows;
    # the badges; the session's.
    assert 0 < small <= 5


def test_gravatars_cost_one_query_whatever_the_size_of_the_thread(client, settings):
    settings.COMMENTS_PER_PAGE = 0
    initials, _ = _thread_queries(client, 12)
    settings.AVATARS = "gravatar"
    small, _ = _thread_queries(client, 12)
    big, page = _thread_queries(client, 300)
    assert small == big == initials + 1
    assert len(page.select(".avatar img")) == 300


def test_paginated_thread_page_query_count_does_not_grow_with_the_thread(
    client, settings
):
    settings.COMMENTS_PER_PAGE = 50
    small, _ = _thread_queries(client, 12)
    big, page = _thread_queries(client, 1000)
    assert len(page.select("ol.comment-list > li")) == 50
    assert small == big
    assert 0 < small <= 5


def test_category_archive_lists_its_posts(client):
    category = make_category(name="Ukraine Crisis", slug="ukraine-crisis")
    inside = make_post(categories=[category])
    make_post()
    response = client.get(
        reverse("forum:category-detail", kwargs={"slug": "ukraine-crisis"})
    )
    page = soup(response)
    assert page.select_one("h1").get_text() == "Category: Ukraine Crisis"
    assert [a.get_text() for a in page.select(".entry-title a")] == [inside.title]


def test_unknown_category_is_404(client):
    assert client.get("/category/nope/").status_code == 404


def test_head_on_a_post_page_answers_like_get(client):
    post = make_post()
    response = client.head(post.get_absolute_url())
    assert response.status_code == 200
    assert response["ETag"]


def test_excerpts_show_ampersands_and_brackets_once(client):
    make_post(body="Tom & Jerry say 5 < 6.")
    summary = soup(client.get("/")).select_one(".entry-summary")
    assert summary.get_text(strip=True) == "Tom & Jerry say 5 < 6."
