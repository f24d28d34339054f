"""Right to left (issue 18): in Arabic the layout mirrors, through CSS logical
properties. Replies indent from the right, the thread line and the avatar
sit at the comment's right, and nothing overlaps. Measured in Chromium.
"""

import pytest

from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread(live_server):
    post = make_post(status="published")
    top = make_comment(post=post, author_name="Layla")
    reply = make_comment(post=post, parent=top, author_name="Omar")
    return live_server.url + post.get_absolute_url(), top, reply


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not drawn"
    return {**found, "right": found["x"] + found["width"]}


def test_an_arabic_page_is_right_to_left(new_page, thread):
    url, _, _ = thread
    page = new_page(locale="ar")
    page.goto(url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


@pytest.mark.parametrize("viewport", [browsing.DESKTOP, browsing.PHONE])
def test_a_reply_indents_from_the_right_in_arabic(new_page, thread, viewport):
    url, top, reply = thread
    page = new_page(locale="ar", viewport=viewport)
    page.goto(url)
    parent = box(page, f"#div-comment-{top.pk}")
    child = box(page, f"#div-comment-{reply.pk}")
    assert child["right"] < parent["right"] - 10  # its start is right of…
    assert child["x"] == pytest.approx(parent["x"], abs=2)  # …its end aligned


def test_the_avatar_and_thread_line_are_at_the_right_in_arabic(new_page, thread):
    url, top, _ = thread
    page = new_page(locale="ar")
    page.goto(url)
    comment = box(page, f"#comment-{top.pk}")
    avatar = box(page, f"#div-comment-{top.pk} .avatar")
    assert avatar["x"] > comment["x"] + comment["width"] / 2
    line = page.evaluate(
        """pk => {
          const summary = document.querySelector(
            `#div-comment-${pk} .thread-toggle > summary`);
          const after = getComputedStyle(summary, '::after');
          return {left: after.left, right: after.right};
        }""",
        top.pk,
    )
    assert line["right"] == "0px", line  # the gutter at the start: the right


def test_the_english_page_keeps_its_left_to_right_layout(new_page, thread):
    url, top, reply = thread
    page = new_page(locale="en-US")
    page.goto(url)
    parent = box(page, f"#div-comment-{top.pk}")
    child = box(page, f"#div-comment-{reply.pk}")
    assert child["x"] > parent["x"] + 10
    assert child["right"] == pytest.approx(parent["right"], abs=2)


def test_nothing_overlaps_in_the_arabic_meta_line(new_page, thread):
    url, top, _ = thread
    page = new_page(locale="ar")
    page.goto(url)
    parts = [
        box(page, f"#div-comment-{top.pk} .avatar"),
        box(page, f"#div-comment-{top.pk} .fn"),
        box(page, f"#div-comment-{top.pk} .thread-toggle > summary"),
    ]
    for one, other in zip(parts, parts[1:], strict=False):
        apart = one["right"] <= other["x"] + 1 or other["right"] <= one["x"] + 1
        below = one["y"] + one["height"] <= other["y"] + 1
        assert apart or below, (one, other)
