"""The anonymous page cache (forum.page_cache): hits, bypasses, invalidation,
and no reader ever seeing another reader's personal content."""

import re
import time
from urllib.parse import quote

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from forum import page_cache, services
from forum.forms import read_token
from forum.models import Comment
from forum.reading_order import refresh_bucket
from tests.factories import (
    comment_data,
    make_category,
    make_comment,
    make_post,
    make_user,
)
from tests.html import soup, tokens_blanked

pytestmark = pytest.mark.django_db

CACHE = "X-Page-Cache"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.COMMENTS_PER_PAGE = 2


@pytest.fixture
def post():
    category = make_category(name="Gardening", slug="gardening")
    post = make_post(title="Roses", status="published", categories=[category])
    for n in range(3):
        make_comment(post=post, body=f"Top comment {n}")
    return post


@pytest.fixture
def other():
    return make_post(title="Tulips", status="published")


def without_tokens(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def value(response, name) -> str | None:
    field = soup(response).select_one(f"input[name={name}]")
    return field.get("value") if field else None


def urls(post) -> dict[str, str]:
    top = Comment.objects.filter(post=post).first()
    return {
        "home": "/",
        "category": "/category/gardening/",
        "thread": post.get_absolute_url(),
        "page-2": reverse("forum:post-comments-page", args=[post.slug, 2]),
        "subthread": reverse("forum:comment-thread", args=[top.pk]),
        "feed": "/feed/",
        "post-feed": reverse("forum:post-comments-feed", args=[post.slug]),
        "comments-feed": "/comments/feed/atom/",
        "sitemap": "/sitemap.xml",
    }


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "category",
        "thread",
        "page-2",
        "subthread",
        "feed",
        "post-feed",
        "comments-feed",
        "sitemap",
    ],
)
def test_second_reader_gets_the_stored_page_without_a_query(
    post, page, django_assert_num_queries
):
    url = urls(post)[page]
    first = Client().get(url)
    assert first.status_code == 200
    assert first[CACHE] == "miss"
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second[CACHE] == "hit"
    assert second["Content-Type"] == first["Content-Type"]
    if page not in {"thread", "page-2", "subthread"}:
        # The same but for per-reader tokens (the footer's language form's CSRF).
        assert without_tokens(second.content) == without_tokens(first.content)


def test_a_hit_shows_the_same_thread_and_answers_head(post):
    url = post.get_absolute_url()
    first = Client().get(url)
    second = Client().get(url)
    assert str(tokens_blanked(soup(second).select_one("ol.comment-list"))) == str(
        tokens_blanked(soup(first).select_one("ol.comment-list"))
    )
    head = Client().head(url)
    assert head[CACHE] == "hit"


def test_revalidating_a_hit_answers_304(post):
    url = post.get_absolute_url()
    reader = Client()
    reader.get(url)  # the first visit sets the CSRF cookie the validator covers
    first = reader.get(url)
    again = reader.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again[CACHE] == "hit"


def test_a_feed_from_the_cache_answers_if_modified_since(post):
    first = Client().get("/feed/")
    again = Client().get(
        "/feed/", headers={"if-modified-since": first["Last-Modified"]}
    )
    assert again.status_code == 304
    assert again[CACHE] == "hit"


def test_off_when_page_cache_seconds_is_zero(post, settings):
    settings.PAGE_CACHE_SECONDS = 0
    Client().get("/")
    assert Client().get("/")[CACHE] == "bypass"


def test_made_up_query_parameters_and_errors_are_not_stored(post):
    assert Client().get("/?utm_source=x")[CACHE] == "bypass"
    missing = Client().get("/posts/no-such-post/")
    assert missing.status_code == 404
    assert missing.get(CACHE, "bypass") == "bypass"  # Http404 passes through
    assert Client().get("/?page=99").get(CACHE, "bypass") == "bypass"


# --- Invalidation -------------------------------------------------------------


def _warm(*url_list):
    for url in url_list:
        Client().get(url)


def _outcomes(*url_list) -> list[str]:
    return [Client().get(url)[CACHE] for url in url_list]


def test_a_reply_drops_its_posts_pages_and_the_lists_only(post, other):
    pages = urls(post)
    mine = [pages["thread"], pages["page-2"], pages["subthread"], pages["post-feed"]]
    lists = [pages["home"], pages["comments-feed"], pages["sitemap"]]
    theirs = [other.get_absolute_url()]
    _warm(*mine, *lists, *theirs)
    make_comment(post=post, body="A new reply")
    assert _outcomes(*mine, *lists) == ["miss"] * 7
    assert _outcomes(*theirs) == ["hit"]
    assert "A new reply" in Client().get(pages["post-feed"]).content.decode()


def test_while_one_worker_renders_a_changed_page_others_serve_the_last_one(post):
    url = post.get_absolute_url()
    _warm(url)
    first = Comment.objects.filter(post=post).first()  # on the first page
    make_comment(post=post, parent=first, body="A new reply")
    key, _ = page_cache.page_place(
        RequestFactory().get(url), "post", {"slug": post.slug}
    )
    assert cache.add(page_cache.claim_key(key), 1)  # another worker is rendering
    stale = Client().get(url)
    assert stale[CACHE] == "stale"
    assert "A new reply" not in stale.content.decode()
    assert value(stale, "csrfmiddlewaretoken")  # still this reader's own splices
    cache.delete(page_cache.claim_key(key))  # its render is done (or expired)
    assert _outcomes(url, url) == ["miss", "hit"]
    assert "A new reply" in Client().get(url).content.decode()
    assert cache.get(page_cache.claim_key(key)) is None  # the renderer let go


def test_a_page_that_is_gone_is_never_served_from_before(post):
    url = post.get_absolute_url()
    _warm(url)
    post.status = "draft"
    post.save()
    gone = Client().get(url)
    assert gone.status_code == 404, gone[CACHE]
    key, _ = page_cache.page_place(
        RequestFactory().get(url), "post", {"slug": post.slug}
    )
    assert cache.add(page_cache.claim_key(key), 1)  # another worker is rendering
    assert Client().get(url).status_code == 404  # not its last page, stale
    cache.delete(page_cache.claim_key(key))


def test_stored_scores_are_new_again_after_the_refresh_period(post, settings):
    """Votes move no version (forum.reading_order): a stored page shows the
    scores of its period, and the first reader of the next renders it again."""
    settings.VOTES, settings.VOTES_REFRESH_SECONDS = "everyone", 1
    url = post.get_absolute_url()
    first = Comment.objects.filter(post=post).first()
    period = refresh_bucket("")
    _warm(url)
    services.vote_cast(comment_id=first.pk, value=1, user=make_user())
    if refresh_bucket("") == period:
        assert _outcomes(url) == ["hit"]
    while refresh_bucket("") == period:
        time.sleep(0.05)
    assert _outcomes(url, url) == ["miss", "hit"]
    score = soup(Client().get(url)).select_one(f"#comment-{first.pk} .comment-score")
    assert score.get_text(strip=True) == "1"


def test_moderation_drops_the_posts_pages(post, other):
    comment = Comment.objects.filter(post=post).last()
    _warm(post.get_absolute_url(), other.get_absolute_url())
    services.comment_set_status(comments=[comment], status="removed")
    assert _outcomes(post.get_absolute_url(), other.get_absolute_url()) == [
        "miss",
        "hit",
    ]


def test_editing_a_post_drops_its_pages_and_the_lists(post, other):
    _warm("/", post.get_absolute_url(), other.get_absolute_url())
    services.post_update(post=post, fields={"title": "Climbing roses"})
    assert _outcomes("/", post.get_absolute_url(), other.get_absolute_url()) == [
        "miss",
        "miss",
        "hit",
    ]
    assert "Climbing roses" in Client().get("/").content.decode()


def test_a_category_rename_drops_every_page(post, other):
    _warm("/", other.get_absolute_url())
    category = post.categories.get()
    category.name = "Flowers"
    category.save()
    assert _outcomes("/", other.get_absolute_url()) == ["miss", "miss"]
    assert "Flowers" in Client().get(post.get_absolute_url()).content.decode()


def test_a_new_slug_drops_the_subthread_pages(post):
    subthread = urls(post)["subthread"]
    _warm(subthread)
    services.post_update(post=post, fields={"slug": "roses-renamed"})
    page = Client().get(subthread)
    assert page[CACHE] == "miss"
    assert "/posts/roses-renamed/" in page.content.decode()


# --- Personal content: never another reader's ---------------------------------


def test_a_signed_in_reader_is_never_stored_nor_served(post, django_user_model):
    url = post.get_absolute_url()
    member = Client()
    member.force_login(django_user_model.objects.create_user("mina", password="pw"))
    Client().get(url)  # stored for anonymous readers
    theirs = member.get(url)
    assert theirs[CACHE] == "bypass"
    assert "mina" in soup(theirs).select_one(".account-nav").text
    stranger = Client().get(url)
    assert stranger[CACHE] == "hit"
    assert "mina" not in stranger.content.decode()


def test_a_session_alone_bypasses(post, settings):
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    assert reader.get("/")[CACHE] == "bypass"


def test_a_readers_own_pending_comment_stays_theirs(post, other, settings):
    url = post.get_absolute_url()
    settings.COMMENTS_PER_PAGE = 50
    writer = Client()
    sent = writer.post("/comments/post/", comment_data(post, comment="My secret"))
    assert sent.status_code == 302
    assert Comment.objects.get(body="My secret").status == "pending"
    writer.cookies.pop("messages", None)
    theirs = writer.get(url)
    assert theirs[CACHE] == "bypass"
    assert "My secret" in theirs.content.decode()
    for _ in range(2):
        stranger = Client().get(url)
        assert stranger[CACHE] in {"miss", "hit"}
        assert "My secret" not in stranger.content.decode()
    # Their own comment is on one post only: the others come from the cache.
    assert writer.get(other.get_absolute_url())[CACHE] in {"miss", "hit"}


def test_remembered_details_are_each_readers_own(post):
    url = post.get_absolute_url()
    anna = Client()
    anna.cookies["comment_author"] = quote("Anna <Secret>")
    anna.cookies["comment_author_email"] = quote("anna@example.com")
    first = anna.get(url)
    assert first[CACHE] == "miss"
    assert value(first, "author") == "Anna <Secret>"
    assert value(first, "email") == "anna@example.com"
    assert soup(first).select_one("input[name=cookies_consent]").has_attr("checked")
    stranger = Client().get(url)
    assert stranger[CACHE] == "hit"
    assert "anna" not in stranger.content.decode().lower()
    assert value(stranger, "author") is None
    assert (
        not soup(stranger).select_one("input[name=cookies_consent]").has_attr("checked")
    )
    again = anna.get(url)
    assert again[CACHE] == "hit"
    assert value(again, "author") == "Anna <Secret>"


def test_flash_messages_bypass_and_stay_with_their_reader(post):
    url = post.get_absolute_url()
    reader = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    encoded = storage._encode([Message(constants.INFO, "Only for you")])
    reader.cookies["messages"] = encoded
    theirs = reader.get(url)
    assert theirs[CACHE] == "bypass"
    assert "Only for you" in theirs.content.decode()
    stranger = Client().get(url)
    assert "Only for you" not in stranger.content.decode()


def test_each_reader_gets_a_csrf_token_of_their_own(post, settings):
    url = post.get_absolute_url()
    readers = [Client(), Client()]
    pages = [reader.get(url) for reader in readers]
    assert [page[CACHE] for page in pages] == ["miss", "hit"]
    for reader, page in zip(readers, pages, strict=True):
        secret = reader.cookies[settings.CSRF_COOKIE_NAME].value
        token = value(page, "csrfmiddlewaretoken")
        assert _unmask_cipher_token(token) == secret
    secrets = {r.cookies[settings.CSRF_COOKIE_NAME].value for r in readers}
    assert len(secrets) == 2


def test_a_stored_page_puts_one_token_in_all_its_forms(post, settings):
    """Every comment's vote form holds the CSRF token: one mask per page, not
    one per form (masking each cost more than the rest of the hit)."""
    settings.VOTES = "everyone"
    url = post.get_absolute_url()
    Client().get(url)
    reader = Client()
    page = reader.get(url)
    assert page[CACHE] == "hit"
    fields = soup(page).select("input[name=csrfmiddlewaretoken]")
    assert len(fields) >= 3  # the comments' vote forms, the reply form...
    assert len({field["value"] for field in fields}) == 1
    secret = reader.cookies[settings.CSRF_COOKIE_NAME].value
    assert _unmask_cipher_token(fields[0]["value"]) == secret


def test_each_reader_gets_a_fresh_form_token(post):
    url = post.get_absolute_url()
    first = Client().get(url)
    time.sleep(0.01)
    second = Client().get(url)
    assert second[CACHE] == "hit"
    tokens = [read_token(value(page, "form_token")) for page in (first, second)]
    assert tokens[0].nonce != tokens[1].nonce
    assert tokens[1].issued_at > tokens[0].issued_at
    assert {token.post_id for token in tokens} == {post.pk}


def test_a_comment_sent_from_a_cached_page_is_accepted(post, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    settings.COMMENT_HOLD_FIRST = False
    url = post.get_absolute_url()
    Client().get(url)
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    assert page[CACHE] == "hit"
    data = comment_data(
        post,
        comment="Sent from the cache",
        form_token=value(page, "form_token"),
        csrfmiddlewaretoken=value(page, "csrfmiddlewaretoken"),
    )
    sent = reader.post("/comments/post/", data)
    assert sent.status_code == 302
    assert Comment.objects.filter(body="Sent from the cache").exists()
