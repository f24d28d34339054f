"""The admin's comment list in a real browser: it fits the screen, and the text
reads as readers see it (Markdown drawn, scripts never run).

Playwright drives Debian's Chromium against pytest-django's live server
(tests/browsing.py); the moderator's session is made by the test client.
"""

import pytest
from django.urls import reverse

from forum.models import Comment
from tests import browsing
from tests.admin_client import log_in_browser
from tests.factories import make_comment, make_moderator, make_post

browsing.require_chromium()

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = reverse("admin:forum_comment_changelist")
LONG_TITLE = "Winter Offensive Stalls at Bakhmut, Officials Say, as Both Sides Dig In"


@pytest.fixture
def admin_page(new_page, live_server):
    """Open the admin as a moderator, at a viewport's size."""
    moderator = make_moderator(username="moderator")

    def open_page(path=CHANGELIST, viewport=browsing.DESKTOP):
        page = new_page(viewport=viewport)
        log_in_browser(page.context, live_server, moderator)
        page.goto(live_server.url + path)
        return page

    return open_page


@pytest.fixture
def crowded_post():
    """Long names, addresses and title, and a conversation nine levels deep."""
    post = make_post(title=LONG_TITLE)
    parent = None
    for depth in range(9):
        parent = make_comment(
            post=post,
            parent=parent,
            author_name=f"A rather long display name {depth}",
            author_email=f"first.middle.lastname.{depth}@subdomain.example.org",
            ip_address="2001:db8:85a3:8d3:1319:8a2e:370:7348",
            body="A reply long enough to fill several lines of the list. " * 8,
        )
    return post


def cell_width(page, comment, name) -> float:
    row = page.locator("#result_list tr").filter(
        has=page.locator(f"input[value='{comment.pk}']")
    )
    return row.locator(f".field-{name}").bounding_box()["width"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("as_threads", [False, True])
def test_comment_list_fits_1280_px_with_room_for_the_text(
    admin_page, crowded_post, as_threads
):
    query = f"?post__id__exact={crowded_post.pk}" if as_threads else ""
    page = admin_page(CHANGELIST + query)
    table = page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= browsing.DESKTOP["width"]
    assert page_width(page) <= browsing.DESKTOP["width"]
    for comment in Comment.objects.filter(post=crowded_post):
        assert cell_width(page, comment, "excerpt") >= 300


def test_comment_list_does_not_scroll_sideways_on_a_phone(admin_page, crowded_post):
    page = admin_page(viewport=browsing.PHONE)
    assert page_width(page) <= browsing.PHONE["width"]
    deepest = Comment.objects.filter(post=crowded_post).latest("level")
    assert cell_width(page, deepest, "excerpt") >= 300


def test_comment_list_draws_markdown_as_readers_see_it(admin_page):
    comment = make_comment(post=make_post(), body="Some **raw** words.")
    page = admin_page()
    excerpt = page.locator(f"#result_list tr:has(input[value='{comment.pk}'])")
    bold = excerpt.locator(".field-excerpt strong")
    assert bold.inner_text() == "raw"
    assert int(bold.evaluate("node => getComputedStyle(node).fontWeight")) >= 600
    assert excerpt.locator(".field-excerpt").inner_text() == "Some raw words."


def test_comment_list_never_runs_a_script_from_a_body(admin_page):
    post = make_post()
    typed = make_comment(post=post, body="<script>window.pwned = 1</script> typed")
    stored = make_comment(post=post)
    # A row written by other means than the services, script and all.
    Comment.objects.filter(pk=stored.pk).update(
        body_html="<p>stored</p><script>window.pwned = 2</script>"
        '<img src="x" onerror="window.pwned = 3">'
    )
    dialogs = []
    page = admin_page()
    page.on("dialog", lambda dialog: dialogs.append(dialog))
    page.reload()
    cells = page.locator("#result_list .field-excerpt")
    assert cells.locator("script, img").count() == 0
    row = page.locator(f"#result_list tr:has(input[value='{typed.pk}'])")
    assert row.locator(".field-excerpt").inner_text() == (
        "<script>window.pwned = 1</script> typed"
    )
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
