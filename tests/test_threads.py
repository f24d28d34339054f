"""The thread renderer's reading aids: collapse controls with reply counts,
parent links, and what screen readers hear about each comment's place."""

import hashlib
import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from forum.avatars import HUES, hue, initials
from forum.dates import clock, when
from forum.models import Comment, ThreadRow
from forum.thread_html import Links, Reader, ThreadLayout, render_thread
from tests.factories import comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

WHEN = datetime(2022, 12, 28, 9, 52, tzinfo=UTC)


def row(pk, parent=None, name="Anna", status="approved"):
    """A comment as the renderer reads it."""
    return ThreadRow(
        pk, parent, name, "", WHEN, f"<p>Text {pk}</p>", status, False, None, None
    )


def render(rows, **options) -> BeautifulSoup:
    html = render_thread(rows, links=Links(reply="/posts/p/"), **options)
    return soup(f'<ol class="comment-list">{html}</ol>')


def toggle(page, pk):
    """The collapse control of comment `pk`: in its meta line, or under it."""
    return page.select_one(
        f"#comment-{pk} > article .comment-meta > details.thread-toggle, "
        f"#comment-{pk} > details.thread-toggle"
    )


def count(page, pk) -> str:
    return toggle(page, pk).select_one(".thread-count").get_text()


def test_collapse_control_counts_every_reply_below_a_comment():
    page = render([row(1), row(2, 1), row(3, 2), row(4, 2), row(5, 1), row(6)])
    assert count(page, 1) == "4 replies"
    assert count(page, 2) == "2 replies"


def test_collapse_control_says_one_reply_in_the_singular():
    page = render([row(1), row(2, 1)])
    assert count(page, 1) == "1 reply"


def test_collapse_control_is_an_open_details_in_the_meta_line():
    page = render([row(1, name="Sam"), row(2, 1)])
    details = toggle(page, 1)
    assert details.parent.name == "footer"
    assert details.has_attr("open")
    assert details.summary.get_text() == "Comment by Sam, 1 reply"


def test_comments_without_replies_have_no_collapse_control():
    page = render([row(1), row(2, 1), row(3)])
    assert toggle(page, 2) is None
    assert toggle(page, 3) is None
    assert len(page.select("details.thread-toggle")) == 1


def test_comment_cut_at_the_display_depth_has_no_collapse_control():
    page = render([row(1), row(2, 1), row(3, 2)], layout=ThreadLayout(display_depth=2))
    assert toggle(page, 2) is None
    assert page.select_one("#comment-2 .continue-thread")
    assert count(page, 1) == "1 reply"  # only what this page shows


def test_placeholder_keeps_its_control_outside_its_article():
    page = render([row(1, status="removed"), row(2, 1), row(3, 2)])
    article = page.select_one("#comment-1 > article")
    assert article.get_text(strip=True) == "This comment was removed."
    assert count(page, 1) == "2 replies"
    assert toggle(page, 1).summary.get_text() == ("This comment was removed, 2 replies")


def test_reply_links_to_its_parent_by_name():
    page = render([row(1, name="Anna"), row(2, 1, name="Ben")])
    link = page.select_one("#div-comment-2 .comment-parent-link")
    assert link["href"] == "#comment-1"
    assert link.get_text() == "in reply to Anna"


def test_top_level_comments_have_no_parent_link_and_no_reply_context():
    page = render([row(1), row(2, 1)])
    article = page.select_one("#div-comment-1")
    assert article.select_one(".comment-parent-link") is None
    assert "level" not in article.select_one(".comment-meta").get_text()


def test_reply_tells_screen_readers_whom_it_answers_and_its_level():
    page = render([row(1, name="Anna"), row(2, 1, name="Ben"), row(3, 2, name="Cy")])
    context = page.select_one("#div-comment-3 .comment-meta > .screen-reader-text")
    assert context.get_text() == "Reply to Ben, level 3: "
    meta = page.select_one("#div-comment-3 .comment-meta")
    assert meta.contents[0] is context  # heard before the author's name


def test_reply_to_a_removed_comment_says_so_and_links_to_it():
    page = render([row(1, status="removed"), row(2, 1, name="Ben")])
    link = page.select_one("#div-comment-2 .comment-parent-link")
    assert link.get_text() == "in reply to a removed comment"
    assert link["href"] == "#comment-1"
    context = page.select_one("#div-comment-2 .comment-meta > .screen-reader-text")
    assert context.get_text() == "Reply to a removed comment, level 2: "


def test_reply_to_a_held_comment_says_it_awaits_moderation():
    page = render([row(1, status="pending"), row(2, 1, name="Ben")])
    link = page.select_one("#div-comment-2 .comment-parent-link")
    assert link.get_text() == "in reply to a comment awaiting moderation"


def test_names_in_parent_links_and_controls_are_escaped():
    page = render([row(1, name="<b>Eve</b>"), row(2, 1)])
    assert page.select_one("b b") is None
    assert toggle(page, 1).summary.get_text().startswith("Comment by <b>Eve</b>")
    assert page.select_one("#div-comment-2 .comment-parent-link").get_text() == (
        "in reply to <b>Eve</b>"
    )


def test_urls_with_braces_are_written_as_they_are():
    html = render_thread([row(1)], links=Links(reply="/p/{x}/", report="/r/{pk}/{y}"))
    page = soup(html)
    assert (
        page.select_one(".comment-reply-link")["href"] == "/p/{x}/?replytocom=1#respond"
    )
    assert page.select_one(".comment-report-link")["href"] == "/r/1/{y}"


def test_thread_page_keeps_the_markup_contract_with_the_reading_aids(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    ben = make_comment(post=post, parent=anna, author_name="Ben")
    page = soup(client.get(post.get_absolute_url()))
    li = page.select_one(f"ol.comment-list > li#comment-{anna.pk}")
    assert li.find("article", recursive=False)
    assert li.select_one(f":scope > ol.children > li#comment-{ben.pk}")
    assert toggle(page, anna.pk).summary.get_text() == "Comment by Anna, 1 reply"
    assert page.select_one(f"#comment-{ben.pk} .comment-parent-link")["href"] == (
        f"#comment-{anna.pk}"
    )


def test_thread_page_explains_its_keys_for_script_to_show(client):
    post = make_post()
    make_comment(post=post)
    page = soup(client.get(post.get_absolute_url()))
    tools = page.select_one("#comments .thread-tools")
    assert tools.has_attr("hidden")  # the keys only work with JavaScript
    assert [k.get_text() for k in tools.select("kbd")] == ["j", "k", "Esc"]
    assert page.select_one("#comments")["data-post"] == str(post.pk)


def test_own_pending_reply_is_counted_for_its_writer_only(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    mine = make_comment(post=post, parent=anna, status=Comment.Status.PENDING)
    rows = Comment.objects.for_post(post).shown(frozenset({mine.pk})).thread_rows()
    page = render(rows, reader=Reader(pending=frozenset({mine.pk})))
    assert count(page, anna.pk) == "1 reply"
    assert toggle(soup(client.get(post.get_absolute_url())), anna.pk) is None


# --- Avatars, the meta line, Report -------------------------------------------


def test_each_comment_has_an_avatar_of_initials_beside_the_name():
    page = render([row(1, name="Fourth and Long"), row(2, 1, name="borko")])
    avatar = page.select_one("#div-comment-1 .comment-meta > .avatar")
    assert avatar.get_text() == "FL"
    assert avatar["aria-hidden"] == "true"
    assert avatar.find_next_sibling(class_="comment-author").select_one(".fn")
    assert page.select_one("#div-comment-2 .avatar").get_text() == "B"


def test_an_authors_avatar_colour_is_the_same_everywhere():
    page = render([row(1, name="Sam"), row(2, 1, name="Leith"), row(3, name="Sam")])

    def hue_of(pk):
        avatar = page.select_one(f"#div-comment-{pk} .avatar")
        [hue] = [c for c in avatar["class"] if c.startswith("hue-")]
        return hue

    assert hue_of(1) == hue_of(3) == f"hue-{hue('Sam')}"
    assert 0 <= hue("Sam") < HUES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fourth and Long", "FL"),
        ("blue peacock", "BP"),
        ("TTG", "T"),
        ("  Ada  ", "A"),
        ("@bob", "B"),
        ("<b>Eve</b>", "B"),  # letters only: "bEveb"
        ("Łukasz Nowak", "ŁN"),
        ("", "?"),
        ("…", "…"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_avatars_are_drawn_with_no_image_unless_gravatar_is_chosen():
    page = render([row(1)])
    assert page.select("img") == []
    page = render([row(1)], gravatars={1: "ab" * 32})
    image = page.select_one("#div-comment-1 .avatar img")
    assert image["src"] == f"https://gravatar.com/avatar/{'ab' * 32}?s=80&d=blank"
    assert image["alt"] == ""
    assert page.select_one("#div-comment-1 .avatar").get_text() == "A"  # beneath


def test_date_and_parent_link_are_on_the_secondary_line():
    page = render([row(1, name="Anna"), row(2, 1, name="Ben")])
    line = page.select_one("#div-comment-2 .comment-meta > .comment-metadata")
    assert line.select_one(".comment-permalink time").get_text() == when(WHEN)
    assert line.select_one(".comment-parent-link").get_text() == "in reply to Anna"


def test_report_is_on_others_comments_only():
    page = render([row(1), row(2, 1), row(3)], reader=Reader(own=frozenset({2})))
    assert page.select_one("#div-comment-1 .comment-report-link")
    assert page.select_one("#div-comment-2 .comment-report-link") is None
    assert page.select_one("#div-comment-2 .comment-reply-link")  # still answerable
    assert page.select_one("#div-comment-3 .comment-report-link")


def test_thread_page_offers_no_report_on_the_readers_own_comment(client):
    post = make_post()
    other = make_comment(post=post, author_name="Other")
    client.post("/comments/post/", comment_data(post, comment="Mine, long ago."))
    mine = Comment.objects.get(body="Mine, long ago.")
    Comment.objects.filter(pk=mine.pk).update(
        status=Comment.Status.APPROVED, created_at=WHEN
    )  # approved, and past its edit window: still the reader's own
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#div-comment-{mine.pk} .comment-report-link") is None
    assert page.select_one(f"#div-comment-{other.pk} .comment-report-link")
    theirs = soup(Client().get(post.get_absolute_url()))
    assert theirs.select_one(f"#div-comment-{mine.pk} .comment-report-link")


def test_thread_page_with_gravatars_hashes_addresses_and_never_prints_them(
    client, settings
):
    settings.AVATARS = "gravatar"
    post = make_post()
    make_comment(post=post, author_email="Anna@Example.com")
    html = client.get(post.get_absolute_url()).content.decode()
    digest = hashlib.sha256(b"anna@example.com").hexdigest()
    assert f"https://gravatar.com/avatar/{digest}?" in html
    assert "anna@example.com" not in html.lower()


def test_times_in_the_thread_and_on_pages_share_one_format(client):
    post = make_post()
    comment = post_and_own(client, post)
    thread = soup(client.get(post.get_absolute_url()))
    written = thread.select_one(f"#div-comment-{comment.pk} time").get_text()
    assert written == when(timezone.localtime(comment.created_at))
    edit = soup(client.get(f"/comment/{comment.pk}/edit/")).select_one("main p")
    until = comment.editable_until
    assert f"until {clock(timezone.localtime(until))};" in edit.get_text()
    assert not re.search(r"\b[ap]\.m\.", str(thread) + str(edit))


def test_keys_help_leaves_out_esc_where_there_is_no_form_to_cancel(client):
    post = make_post(comments_open=False)
    make_comment(post=post)
    tools = soup(client.get(post.get_absolute_url())).select_one(".thread-tools")
    assert [k.get_text() for k in tools.select("kbd")] == ["j", "k"]
    assert "cancels a reply" not in tools.get_text()


def post_and_own(client, post) -> Comment:
    """Post a comment from this client's browser: it is the reader's own."""
    client.post("/comments/post/", comment_data(post, comment="Own words."))
    return Comment.objects.get(body="Own words.")
