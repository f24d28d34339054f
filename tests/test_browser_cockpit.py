"""The moderation queue in a real browser: triage by keyboard, undo, reply.

Playwright drives Debian's Chromium against pytest-django's live server, as in
tests/test_browser_moderation.py. Never `playwright install`; CI installs
Chromium with apt.
"""

import re

import pytest
from django.urls import reverse

from forum.models import Comment
from forum.services import decision_links as links
from tests import browsing
from tests.admin_client import log_in_browser
from tests.factories import make_comment, make_moderator, make_post
from tests.test_browser_a11y import AXE, blocking_violations

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)
Status = Comment.Status


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=browsing.DESKTOP)
    log_in_browser(context, live_server, make_moderator(username="queue-mod"))
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    yield page
    context.close()
    assert errors == []


def _held(post, text):
    return make_comment(
        post=post,
        body=text,
        status=Status.PENDING,
        status_reason="first comment by this author",
    )


def _status(comment):
    return Comment.objects.get(pk=comment.pk).status


def test_triage_three_by_keyboard_undo_one_and_read_the_thread(
    page, live_server, browser
):
    post = make_post(title="Triaged thread", status="published")
    first = _held(post, "First words, worth keeping.")
    second = _held(post, "Buy cheap watches now.")
    third = _held(post, "Third words, off topic.")
    page.goto(live_server.url + reverse("cockpit:queue"))

    page.keyboard.press("?")
    expect(page.locator("#cockpit-keys")).to_be_visible()
    page.keyboard.press("?")
    page.keyboard.press("j")
    expect(page.locator(f"#entry-{first.pk}")).to_have_class(re.compile("is-focused"))
    expect(page.locator("#cockpit-announce")).to_contain_text(f"#{first.pk}")
    page.keyboard.press("a")
    expect(page.locator("#cockpit-done")).to_contain_text(f"#{first.pk}")
    expect(page.locator(f"#entry-{second.pk}")).to_have_class(re.compile("is-focused"))
    page.keyboard.press("s")
    expect(page.locator("#cockpit-done")).to_contain_text(f"#{second.pk}")
    page.keyboard.press("d")
    expect(page.locator("#cockpit-done")).to_contain_text(f"#{third.pk}")
    expect(page.locator(f"#entry-{third.pk} .entry-state")).to_have_text("Removed")
    page.keyboard.press("u")
    expect(page.locator("#cockpit-done")).to_contain_text("Undone")
    expect(page.locator(f"#entry-{third.pk} .entry-state")).to_have_text("Pending")

    assert [_status(c) for c in (first, second, third)] == [
        Status.APPROVED,
        Status.SPAM,
        Status.PENDING,
    ]
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + post.get_absolute_url())
    expect(reader.locator(f"#comment-{first.pk}")).to_contain_text("worth keeping")
    expect(reader.locator(f"#comment-{second.pk}")).to_have_count(0)
    expect(reader.locator(f"#comment-{third.pk}")).to_have_count(0)
    reader.context.close()


def test_reply_and_edit_by_keyboard_without_reload(page, live_server):
    post = make_post(title="Answered thread", status="published")
    comment = _held(post, "Teh question.")
    page.goto(live_server.url + reverse("cockpit:queue"))
    page.keyboard.press("j")
    page.keyboard.press("e")
    box = page.locator(f"#edit-{comment.pk}")
    expect(box).to_be_focused()
    box.fill("The question.")
    page.locator(f"#entry-{comment.pk} .entry-edit button").click()
    expect(page.locator(f"#entry-{comment.pk} .entry-body")).to_have_text(
        "The question."
    )
    page.keyboard.press("r")
    page.locator(f"#reply-{comment.pk}").fill("Answered below.")
    page.locator(f"#entry-{comment.pk} .entry-reply button").click()
    expect(page.locator("#cockpit-done")).to_contain_text("Replied")
    reply = Comment.objects.get(parent=comment)
    assert (reply.body, reply.status) == ("Answered below.", Status.APPROVED)


@pytest.mark.parametrize("viewport", [browsing.DESKTOP, browsing.PHONE])
def test_the_queue_is_usable_at_1280_px_and_on_a_phone(browser, live_server, viewport):
    if not AXE.exists():
        pytest.skip(f"{AXE} not found: run `npm ci` (or `make test`)")
    post = make_post(
        title="A long-titled post for the narrow screen", status="published"
    )
    parent = make_comment(post=post, body="A parent comment. " * 20)
    make_comment(
        post=post,
        parent=parent,
        body="https://example.com/" + "a" * 120,
        status=Status.PENDING,
        status_reason="too many links",
        author_email="someone.with.a.long.address@example.com",
    )
    context = browser.new_context(viewport=viewport)
    context.add_init_script(path=AXE)
    log_in_browser(context, live_server, make_moderator(username="narrow-mod"))
    page = context.new_page()
    page.goto(live_server.url + reverse("cockpit:queue"))
    expect(page.locator("li.entry")).to_have_count(1)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert blocking_violations(page) == []
    context.close()


def test_approve_from_an_email_link_without_logging_in(browser, live_server):
    """A fresh browser (no admin session), as a moderator's phone would be."""
    moderator = make_moderator(username="mail-mod")
    post = make_post(title="Mailed thread", status="published")
    comment = _held(post, "Worth a look from the inbox.")
    seen = links.last_change(comment)
    url = live_server.url + links.path(comment, "approve", moderator, seen)
    context = browser.new_context(viewport=browsing.PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    expect(page.get_by_text("Worth a look from the inbox.")).to_be_visible()
    assert _status(comment) == Status.PENDING  # opening the link changed nothing
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Approved")).to_be_visible()
    assert _status(comment) == Status.APPROVED
    page.goto(url)
    expect(page.get_by_text(re.compile("Already approved by mail-mod"))).to_be_visible()
    context.close()
    assert errors == []
