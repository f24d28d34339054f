"""Replying in a real browser: Playwright driving Debian's Chromium.

Runs against pytest-django's live server, with and without JavaScript. Never
`playwright install` (it cannot download here); CI installs Chromium with apt.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from forum.models import Comment
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

# The seed thread in reading order: (author, depth-N, parent's author).
SEED_SHAPE = [
    ("Mark Logan", 1, None),
    ("Fourth and Long", 1, None),
    ("borko", 2, "Fourth and Long"),
    ("Fourth and Long", 3, "borko"),
    ("borko", 1, None),
    ("Sam", 1, None),
    ("TTG", 2, "Sam"),
    ("Leith", 2, "Sam"),
    ("borko", 3, "Leith"),
    ("blue peacock", 4, "borko"),
    ("Fourth and Long", 1, None),
    ("different clue", 2, "Fourth and Long"),
]
ARTIFACTS = Path(django_settings.BASE_DIR) / "artifacts"

# guests_held: new readers' replies show the pending note.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting", "guests_held"),
]


@pytest.fixture
def thread():
    """An open post: Ada, Grace replying to Ada, then Bob."""
    post = make_post(title="Open thread")
    ada = make_comment(post=post, author_name="Ada", body="Is this thing on?")
    grace = make_comment(post=post, parent=ada, author_name="Grace", body="Loud.")
    bob = make_comment(post=post, author_name="Bob", body="Hello from Bob.")
    return {"post": post, "ada": ada, "grace": grace, "bob": bob}


def _open(page, live_server, post):
    page.goto(live_server.url + post.get_absolute_url())


def _open_marked(page, live_server, post):
    """Open the post and tag its window, to tell later whether it reloaded."""
    _open(page, live_server, post)
    page.evaluate("window.parleySameDocument = true")


def _same_document(page) -> bool:
    return page.evaluate("window.parleySameDocument === true")


def _fill_guest(page, *, comment, name="Nina Newcomer", email="nina@example.com"):
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill(comment)
    form.locator("input[name=author]").fill(name)
    form.locator("input[name=email]").fill(email)


def _expect_form_under(page, comment):
    """The one form sits right after `comment`'s article, set to answer it."""
    expect(page.locator(f"#div-comment-{comment.pk} + #respond")).to_have_count(1)
    expect(page.locator("#respond")).to_have_count(1)
    expect(page.locator("#commentform")).to_have_count(1)
    expect(page.locator("#commentform [name=comment_parent]")).to_have_value(
        str(comment.pk)
    )
    expect(page.locator("#reply-title")).to_have_text(
        re.compile(rf"^\s*Reply to {comment.author_name}\b")
    )
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()


def _expect_form_at_bottom(page):
    expect(page.locator("#comments > #respond")).to_have_count(1)
    expect(page.locator(".comment-list #respond")).to_have_count(0)
    expect(page.locator("#commentform [name=comment_parent]")).to_have_value("0")
    expect(page.locator("#reply-title")).to_have_text(
        re.compile(r"^\s*Leave a Reply\b")
    )
    expect(page.locator("#cancel-comment-reply-link")).to_be_hidden()


def _expect_landed_on_reply(page, live_server, post, parent, body):
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(post=post, body=body)
    assert page.url == f"{live_server.url}{post.get_absolute_url()}#comment-{reply.pk}"
    nested = page.locator(f"#comment-{parent.pk} > ol.children > #comment-{reply.pk}")
    expect(nested).to_contain_text(body)
    expect(nested.locator(".comment-awaiting-moderation")).to_have_text(
        browsing.PENDING_NOTE
    )
    expect(page.locator(":target")).to_have_id(f"comment-{reply.pk}")


def test_demo_thread_renders_seed_nesting(page, live_server):
    call_command("load_demo", stdout=StringIO())
    page.goto(live_server.url + reverse("forum:post-detail", args=[browsing.SEED_SLUG]))

    shape = page.eval_on_selector_all(
        "ol.comment-list li.comment",
        """items => items.map(li => {
            const name = el => el.querySelector(':scope > article .fn').textContent;
            const parent = li.parentElement.closest('li.comment');
            return [
                name(li),
                Number(li.className.match(/\\bdepth-(\\d+)\\b/)[1]),
                parent ? name(parent) : null,
                li.parentElement.matches(parent ? 'ol.children' : 'ol.comment-list'),
            ];
        })""",
    )

    assert shape == [[*row, True] for row in SEED_SHAPE]
    expect(page.locator(".comments-title")).to_contain_text("12 Responses")
    expect(page.locator(".no-comments")).to_have_text("Comments are closed.")
    expect(page.locator(".comment-reply-link")).to_have_count(0)
    expect(page.locator("#respond")).to_have_count(0)


def test_js_reply_moves_form_under_comment(page, live_server, thread):
    _open_marked(page, live_server, thread["post"])

    page.locator(f"#div-comment-{thread['ada'].pk} .comment-reply-link").click()

    _expect_form_under(page, thread["ada"])
    expect(page.locator("#commentform textarea[name=comment]")).to_be_focused()
    assert _same_document(page)  # moved in place, no round trip


def test_js_escape_returns_form_to_bottom(page, live_server, thread):
    _open_marked(page, live_server, thread["post"])
    page.locator(f"#div-comment-{thread['grace'].pk} .comment-reply-link").click()
    _expect_form_under(page, thread["grace"])

    page.keyboard.press("Escape")

    _expect_form_at_bottom(page)
    assert _same_document(page)


def test_js_cancel_reply_returns_form_to_bottom(page, live_server, thread):
    _open_marked(page, live_server, thread["post"])
    page.locator(f"#div-comment-{thread['bob'].pk} .comment-reply-link").click()
    _expect_form_under(page, thread["bob"])

    page.locator("#cancel-comment-reply-link").click()

    _expect_form_at_bottom(page)
    assert _same_document(page)


def test_js_reply_lands_on_new_comment_nested_under_parent(page, live_server, thread):
    post, grace = thread["post"], thread["grace"]
    _open_marked(page, live_server, post)
    page.locator(f"#div-comment-{grace.pk} .comment-reply-link").click()
    _expect_form_under(page, grace)
    assert _same_document(page)  # the form moved in place
    _fill_guest(page, comment="Agreed, loud and clear.")

    page.locator("#commentform #submit").click()

    _expect_landed_on_reply(page, live_server, post, grace, "Agreed, loud and clear.")


def test_no_js_reply_link_renders_form_under_comment(page_no_js, live_server, thread):
    page = page_no_js
    _open(page, live_server, thread["post"])

    page.locator(f"#div-comment-{thread['grace'].pk} .comment-reply-link").click()

    page.wait_for_url(re.compile(rf"\?replytocom={thread['grace'].pk}#respond$"))
    _expect_form_under(page, thread["grace"])


def test_no_js_reply_lands_on_new_comment_nested_under_parent(
    page_no_js, live_server, thread
):
    page, post, ada = page_no_js, thread["post"], thread["ada"]
    _open(page, live_server, post)
    page.locator(f"#div-comment-{ada.pk} .comment-reply-link").click()
    page.wait_for_url(re.compile(r"\?replytocom=\d+#respond$"))
    _fill_guest(page, comment="Replying without scripts.")

    page.locator("#commentform #submit").click()

    _expect_landed_on_reply(page, live_server, post, ada, "Replying without scripts.")


def test_no_js_empty_comment_shows_error_and_keeps_fields(
    page_no_js, live_server, thread
):
    page = page_no_js
    _open(page, live_server, thread["post"])
    _fill_guest(page, comment="", name="Anna Reader", email="anna@example.com")
    page.locator("#commentform input[name=url]").fill("https://anna.example/")

    page.locator("#commentform #submit").click()

    page.wait_for_url(re.compile(re.escape(reverse("forum:comment-create")) + "$"))
    field = page.locator("#commentform .comment-form-comment")
    expect(field.locator(".field-error")).to_have_text("Please type your comment.")
    expect(field.locator("textarea[name=comment]")).to_be_visible()
    form = page.locator("#commentform")
    expect(form.locator("input[name=author]")).to_have_value("Anna Reader")
    expect(form.locator("input[name=email]")).to_have_value("anna@example.com")
    expect(form.locator("input[name=url]")).to_have_value("https://anna.example/")
    assert Comment.objects.filter(post=thread["post"]).count() == 3


def test_no_js_reply_error_keeps_form_under_parent_with_text(
    page_no_js, live_server, thread
):
    page, grace = page_no_js, thread["grace"]
    _open(page, live_server, thread["post"])
    page.locator(f"#div-comment-{grace.pk} .comment-reply-link").click()
    page.wait_for_url(re.compile(r"\?replytocom=\d+#respond$"))
    _fill_guest(page, comment="My carefully typed reply.", email="not-an-email")

    page.locator("#commentform #submit").click()

    page.wait_for_url(re.compile(re.escape(reverse("forum:comment-create")) + "$"))
    _expect_form_under(page, grace)
    expect(page.locator(".comment-form-email .field-error")).to_contain_text(
        "valid email address"
    )
    expect(page.locator("#commentform textarea[name=comment]")).to_have_value(
        "My carefully typed reply."
    )


def test_screenshots_of_demo_thread_are_written(browser, live_server):
    call_command("load_demo", stdout=StringIO())
    url = live_server.url + reverse("forum:post-detail", args=[browsing.SEED_SLUG])
    ARTIFACTS.mkdir(exist_ok=True)
    sizes = {"phone": (390, 844), "desktop": (1280, 900)}
    written = {}
    for size, (width, height) in sizes.items():
        for scheme in ("light", "dark"):
            path = ARTIFACTS / f"thread-{size}-{scheme}.png"
            path.unlink(missing_ok=True)
            context = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme
            )
            page = context.new_page()
            page.goto(url)
            page.screenshot(path=path, full_page=True)
            context.close()
            written[path] = width

    for path, width in written.items():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        # IHDR width: a full-page shot wider than the viewport means the page
        # scrolls sideways.
        assert int.from_bytes(data[16:20], "big") == width, path


def test_js_escape_returns_focus_to_reply_link(page, live_server, thread):
    _open(page, live_server, thread["post"])
    link = page.locator(f"#div-comment-{thread['ada'].pk} .comment-reply-link")
    link.click()
    expect(page.locator("#commentform textarea[name=comment]")).to_be_focused()

    page.keyboard.press("Escape")

    expect(link).to_be_focused()


def test_js_ctrl_click_reply_opens_new_tab_and_leaves_form(page, live_server, thread):
    ada = thread["ada"]
    _open_marked(page, live_server, thread["post"])
    link = page.locator(f"#div-comment-{ada.pk} .comment-reply-link")

    with page.context.expect_page() as tab:
        link.click(modifiers=["ControlOrMeta"])

    tab.value.wait_for_url(re.compile(rf"\?replytocom={ada.pk}#respond$"))
    _expect_form_under(tab.value, ada)
    _expect_form_at_bottom(page)
    assert _same_document(page)
