"""Search over published posts and approved comments, on both databases."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from forum import search
from forum.models import Comment, Post
from tests.factories import make_comment, make_many_comments, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


def results(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    page = soup(response)
    return page, page.select(".search-result")


def result_links(client, q, **params) -> list[str]:
    _, found = results(client, q, **params)
    return [r.select_one(".entry-title a")["href"] for r in found]


def test_search_finds_posts_by_title_and_by_text(client):
    by_title = make_post(title="Zeppelin over the river", body="Nothing here.")
    by_text = make_post(title="Untitled", body="A zeppelin was seen at dawn.")
    make_post(title="Other", body="Balloons.")
    links = result_links(client, "zeppelin")
    assert sorted(links) == sorted(
        [by_title.get_absolute_url(), by_text.get_absolute_url()]
    )


def test_search_finds_approved_comments_and_links_to_their_permalink(client):
    post = make_post(title="Weather")
    comment = make_comment(post=post, author_name="Kim", body="Hail like marbles.")
    page, found = results(client, "marbles")
    assert [r.select_one("a")["href"] for r in found] == [f"/comment/{comment.pk}/"]
    assert found[0].select_one(".entry-title").get_text() == "Kim on “Weather”"


def test_search_leaves_out_what_readers_cannot_see(client):
    public = make_post(title="Public")
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        make_comment(post=public, body=f"secretword {status}", status=status)
    draft = make_post(title="Draft secretword", status="draft")
    make_comment(post=draft, body="secretword on a draft")
    later = make_post(
        title="Later secretword", published_at=timezone.now() + timedelta(days=1)
    )
    make_comment(post=later, body="secretword on a scheduled post")
    page, found = results(client, "secretword")
    assert found == []
    assert "Nothing matches “secretword”" in page.select_one(".search-message").text


def test_search_marks_the_matches_in_the_snippet(client):
    make_post(title="Notes", body="The quick brown fox jumps over the lazy dog.")
    _, found = results(client, "fox")
    snippet = found[0].select_one(".search-snippet")
    assert [m.get_text() for m in snippet.select("mark")] == ["fox"]
    assert "quick brown" in snippet.get_text()


def test_snippet_puts_a_quoted_passage_in_quotation_marks(client):
    make_comment(
        post=make_post(),
        body="> one commander can prove something to his patron\n\n"
        "Exactly, and that makes the losses nobody's problem in Moscow.",
    )
    _, found = results(client, "patron")
    snippet = found[0].select_one(".search-snippet").get_text()
    assert "can prove something to his patron” Exactly, and" in snippet


def test_snippet_keeps_a_quotation_s_own_marks_only(client):
    make_post(body='Before.\n\n> "Whoever holds the ruins wins."\n\nAfter it.')
    _, found = results(client, "ruins")
    snippet = found[0].select_one(".search-snippet").get_text()
    assert "Before. “Whoever holds the ruins wins.” After" in snippet


def test_snippet_paragraphs_do_not_run_together(client):
    make_post(body="The end of one thought\n\nStarts another with zebras.")
    _, found = results(client, "zebras")
    snippet = found[0].select_one(".search-snippet").get_text()
    assert "thought Starts" in snippet


def test_snippet_of_a_long_text_starts_and_ends_on_whole_words(client):
    words = " ".join(f"word{n:03d}" for n in range(200))
    make_post(body=f"{words} needle {words}")
    _, found = results(client, "needle")
    snippet = found[0].select_one(".search-snippet").get_text()
    assert snippet.startswith("… ") and snippet.endswith(" …")
    inner = snippet.removeprefix("… ").removesuffix(" …").split()
    assert all(w == "needle" or re.fullmatch(r"word\d{3}", w) for w in inner)


def test_result_titles_are_smaller_than_the_page_heading(client):
    """The heading's level says so; parley.css sizes .search-result titles
    below .page-title (checked in the browser: test_browser_look.py)."""
    make_post(title="Needle in a haystack")
    page, found = results(client, "needle")
    assert page.select_one("h1.page-title")
    assert found[0].select_one(".entry-title").name == "h2"


def test_search_never_lets_user_text_become_html(client):
    post = make_post(title="<b>Bold</b> needle", body="Needle &lt;img src=x&gt;.")
    make_comment(post=post, body="needle <script>alert(1)</script> <img src=x>")
    page, found = results(client, "needle")
    assert len(found) == 2
    for result in found:
        assert result.select("script, img, b") == []
    text = " ".join(r.get_text() for r in found)
    assert "needle <script>alert(1)" in text  # shown as text
    assert "<b>Bold</b> needle" in text


def test_highlight_sentinels_in_a_comment_never_become_marks(client):
    # Private-use U+E000/U+E001 are the snippet's own match markers.
    make_comment(post=make_post(), body="\ue000forged\ue001 words about marbles")
    _, found = results(client, "marbles")
    snippet = found[0].select_one(".search-snippet")
    assert snippet.get_text().strip() == "forged words about marbles"
    # As sent: a parser would drop a stray </mark> that a browser shows as one.
    sent = client.get("/search/", {"q": "marbles"}).content.decode()
    assert (sent.count("<mark>"), sent.count("</mark>")) == (1, 1)


def test_highlight_sentinels_in_the_query_are_ignored(client):
    comment = make_comment(post=make_post(), body="Hail like marbles.")
    page, found = results(client, "\ue000marbles\ue001")
    assert [r.select_one("a")["href"] for r in found] == [comment.get_absolute_url()]
    assert [m.get_text() for m in found[0].select("mark")] == ["marbles"]


def test_search_with_an_empty_query_asks_for_words(client):
    page, found = results(client, "   ")
    assert found == []
    assert page.select_one(".search-message").get_text() == (
        "Type a word or two to search the posts and comments."
    )


def test_search_with_an_overlong_query_says_so(client):
    make_post(title="x" * 50)
    page, found = results(client, "x" * (search.MAX_QUERY_LENGTH + 1))
    assert found == []
    assert "That search is too long (201 characters): use at most 200." in (
        page.select_one(".search-message").get_text()
    )


def test_search_with_a_nul_character_is_harmless(client):
    post = make_post(title="Nullable things")
    assert result_links(client, "\x00Null\x00able\x00") == [post.get_absolute_url()]


def test_search_paginates_and_keeps_the_query(client, settings):
    settings.POSTS_PER_PAGE = 3
    for n in range(4):
        make_post(title=f"Paging result {n}")
    first, found = results(client, "paging")
    assert len(found) == 3
    next_link = first.select_one("a.next")["href"]
    assert next_link == "?q=paging&page=2"
    _, rest = results(client, "paging", page=2)
    assert len(rest) == 1


def test_search_with_a_page_past_the_end_shows_the_last(client):
    make_post(title="Lonely result")
    assert len(result_links(client, "lonely", page=99)) == 1


def test_search_form_is_in_every_pages_header(client):
    page = soup(client.get("/"))
    form = page.select_one("header form.search-form")
    assert form["action"] == "/search/"
    assert form.select_one("input[name=q]")["type"] == "search"


def test_search_page_keeps_search_engines_out(client):
    page, _ = results(client, "anything")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"


def test_search_finds_greek_text(client):
    post = make_post(title="Tests", body="Σίγουρα θα σχολιάσουμε τα τεστς!")
    assert result_links(client, "Σίγουρα") == [post.get_absolute_url()]


@postgresql_only
def test_search_matches_other_forms_of_a_word(client):
    post = make_post(title="Running", body="She runs every morning.")
    assert result_links(client, "run") == [post.get_absolute_url()]


@postgresql_only
def test_search_understands_phrases_exclusions_and_or(client):
    both = make_post(title="Red apples", body="Green pears too.")
    red = make_post(title="Red cars", body="Fast.")
    assert result_links(client, '"red apples"') == [both.get_absolute_url()]
    assert result_links(client, "red -pears") == [red.get_absolute_url()]
    assert len(result_links(client, "pears or fast")) == 2


@postgresql_only
def test_search_ranks_title_matches_above_text_matches(client):
    in_text = make_post(title="Something", body="About owls, among other things.")
    in_title = make_post(title="Owls", body="Birds of the night.")
    assert result_links(client, "owls") == [
        in_title.get_absolute_url(),
        in_text.get_absolute_url(),
    ]


@postgresql_only
@pytest.mark.parametrize("language", ["en", "de", "uk"])
def test_search_uses_the_gin_indexes(language):
    post = make_post(title="Indexed", language=language)
    Post.objects.bulk_create(
        Post(
            title=f"Filler {n}",
            slug=f"filler-{n}",
            body="Filler.",
            body_html="<p>Nothing to find in this one.</p>",
            author=post.author,
            status=Post.Status.PUBLISHED,
        )
        for n in range(2000)
    )
    make_many_comments(post=post, count=2000)
    with connection.cursor() as cursor:
        # Rows of earlier tests, rolled back, stay in the GIN indexes' pending
        # lists (fastupdate), which the planner prices in: after the whole
        # suite it preferred scanning another index to these. Autovacuum
        # empties the lists in production; here nothing would until later.
        for index in ("post_search_idx", "comment_search_idx"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE forum_post, forum_comment")
    plan = search.matches("indexed").explain()
    assert "Bitmap Index Scan on post_search_idx" in plan
    assert "Bitmap Index Scan on comment_search_idx" in plan


@postgresql_only
def test_search_stems_a_german_post_in_german(client):
    post = make_post(title="Am Fluss", body="Die Häuser stehen am Ufer.", language="de")
    comment = make_comment(post=post, body="Schöne Häuser!", status="approved")
    assert result_links(client, "Haus") == [
        post.get_absolute_url(),
        comment.get_absolute_url(),
    ]


@postgresql_only
def test_search_still_stems_an_english_post_in_english(client):
    english = make_post(title="Ponies", body="Ponies by the river.", language="en")
    make_post(title="Ponys", body="Ponies, auf Englisch.", language="de")
    # English stems "pony" and "ponies" alike; German leaves "pony" whole.
    assert result_links(client, "pony") == [english.get_absolute_url()]


@postgresql_only
def test_search_finds_a_ukrainian_post_word_for_word(client):
    """PostgreSQL has no Ukrainian configuration: `simple` lowercases only."""
    post = make_post(title="Будинки", body="Старі будинки біля річки.", language="uk")
    assert result_links(client, "будинки") == [post.get_absolute_url()]
    assert result_links(client, "будинок") == []


def test_new_comments_take_their_posts_language():
    post = make_post(language="fr")
    assert make_comment(post=post).language == "fr"
    make_many_comments(post=post, count=3)
    assert set(Comment.objects.values_list("language", flat=True)) == {"fr"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks SQLite's schema")
def test_search_index_migration_does_nothing_on_sqlite():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%search_idx'")
        assert cursor.fetchall() == []
