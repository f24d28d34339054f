"""RSS and Atom feeds, read with feedparser as feed readers read them."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from django.utils.http import http_date

from tests.factories import make_category, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

SITE_FEEDS = ["/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def hidden_and_shown():
    """A public post with comments of every status, and posts that are not public."""
    post = make_post(title="Public post")
    approved = make_comment(post=post, author_name="Approved Anna", body="Shown.")
    for status in ("pending", "spam", "removed"):
        make_comment(post=post, author_name=f"{status} author", status=status)
    draft = make_post(title="Draft post", status="draft")
    make_comment(post=draft, author_name="On a draft")
    later = make_post(
        title="Later post", published_at=timezone.now() + timedelta(days=1)
    )
    make_comment(post=later, author_name="On a scheduled post")
    return post, approved


@pytest.mark.parametrize(
    ("url", "version"), [("/feed/", "rss20"), ("/feed/atom/", "atom10")]
)
def test_posts_feed_lists_published_posts_only(client, url, version):
    hidden_and_shown()
    feed = read_feed(client, url)
    assert feed.version == version
    assert feed.feed.title == "Parley"
    assert feed.feed.link == "http://testserver/"
    assert [entry.title for entry in feed.entries] == ["Public post"]


def test_posts_feed_entries_have_link_date_author_and_text(client):
    author = make_user(first_name="Eda", last_name="Tor", email="eda@example.com")
    post = make_post(title="Dated", body="Some **bold** text.", author=author)
    entry = read_feed(client, "/feed/").entries[0]
    assert entry.link == f"http://testserver{post.get_absolute_url()}"
    assert entry.published_parsed[:6] == post.published_at.utctimetuple()[:6]
    assert entry.author == "Eda Tor"
    assert "<strong>bold</strong>" in entry.summary


def test_posts_feed_names_the_categories(client):
    make_post(categories=[make_category(name="Politics")])
    entry = read_feed(client, "/feed/").entries[0]
    assert [tag.term for tag in entry.tags] == ["Politics"]


@pytest.mark.parametrize("url", ["/comments/feed/", "/comments/feed/atom/"])
def test_comments_feed_lists_approved_comments_on_public_posts_only(client, url):
    hidden_and_shown()
    feed = read_feed(client, url)
    assert [e.title for e in feed.entries] == [
        "Comment on Public post by Approved Anna"
    ]


def test_comments_feed_links_each_comment_to_its_permalink(client):
    _, approved = hidden_and_shown()
    entry = read_feed(client, "/comments/feed/").entries[0]
    assert entry.link == f"http://testserver/comment/{approved.pk}/"
    assert entry.author == "Approved Anna"
    assert entry.summary == "<p>Shown.</p>"
    assert entry.published_parsed[:6] == approved.created_at.utctimetuple()[:6]


def test_comments_feed_lists_the_newest_first(client):
    post = make_post()
    now = timezone.now()
    for hours, name in ((3, "Oldest"), (1, "Newest"), (2, "Middle")):
        make_comment(
            post=post, author_name=name, created_at=now - timedelta(hours=hours)
        )
    feed = read_feed(client, "/comments/feed/")
    assert [e.author for e in feed.entries] == ["Newest", "Middle", "Oldest"]


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_post_comments_feed_lists_that_posts_approved_comments(client, suffix):
    post, approved = hidden_and_shown()
    make_comment(post=make_post(title="Other"), author_name="Elsewhere")
    feed = read_feed(client, f"{post.get_absolute_url()}{suffix}")
    assert feed.feed.title == "Comments on: Public post"
    assert [e.title for e in feed.entries] == ["By: Approved Anna"]


@pytest.mark.parametrize(
    "overrides",
    [{"status": "draft"}, {"published_at": timezone.now() + timedelta(days=1)}],
)
def test_post_comments_feed_of_a_post_that_is_not_public_is_404(client, overrides):
    post = make_post(**overrides)
    assert client.get(f"{post.get_absolute_url()}feed/").status_code == 404


def test_no_feed_ever_shows_an_email_address(client):
    author = make_user(email="writer@example.com", first_name="", last_name="")
    post = make_post(author=author)
    make_comment(post=post, author_email="reader@example.org", author_url="")
    urls = [
        *SITE_FEEDS,
        f"{post.get_absolute_url()}feed/",
        f"{post.get_absolute_url()}feed/atom/",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert EMAIL.findall(body) == [], url


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feeds_send_last_modified_from_the_newest_item(client, url):
    post = make_post(published_at=timezone.now() - timedelta(days=2))
    comment = make_comment(post=post, created_at=timezone.now() - timedelta(days=1))
    newest = post.updated_at if url.startswith("/feed/") else comment.created_at
    response = client.get(url)
    assert response["Last-Modified"] == http_date(newest.timestamp())


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feeds_answer_304_to_a_reader_whose_copy_is_current(client, url):
    make_comment(post=make_post())
    first = client.get(url)
    again = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    assert by_etag.status_code == 304


def test_a_new_comment_makes_the_comments_feed_new_again(client):
    post = make_post()
    make_comment(post=post, created_at=timezone.now() - timedelta(days=1))
    first = client.get("/comments/feed/")
    make_comment(post=post)
    again = client.get("/comments/feed/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200


def test_every_page_advertises_the_site_feeds(client):
    make_post()
    head = soup(client.get("/")).head
    links = {
        (link["type"], link["href"]) for link in head.select('link[rel="alternate"]')
    }
    assert links == {
        ("application/rss+xml", "/feed/"),
        ("application/atom+xml", "/feed/atom/"),
        ("application/rss+xml", "/comments/feed/"),
        ("application/atom+xml", "/comments/feed/atom/"),
    }


def test_a_post_page_advertises_its_comments_feed(client):
    post = make_post(title="Feeds & more")
    head = soup(client.get(post.get_absolute_url())).head
    link = head.select_one(f'link[href="{post.get_absolute_url()}feed/"]')
    assert link["rel"] == ["alternate"]
    assert link["type"] == "application/rss+xml"
    assert link["title"] == "Parley » Feeds & more » Comments feed"
