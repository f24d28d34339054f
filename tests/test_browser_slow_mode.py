"""Slow mode in a real browser: the refusal says when, and keeps the text."""

import pytest

from forum import services
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting", "guests_trusted"),
]


def test_slow_mode_refuses_and_keeps_the_text(page, live_server):
    post = make_post(title="Slow thread")
    services.post_update(post=post, fields={"slow_mode_minutes": 10})
    make_comment(post=post, author_name="Nina", author_email="nina@example.com")
    page.goto(live_server.url + post.get_absolute_url())
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill("A second thought worth keeping.")
    form.locator("input[name=author]").fill("Nina")
    form.locator("input[name=email]").fill("nina@example.com")
    page.locator("#commentform #submit").click()
    expect(page.locator(".error-message")).to_contain_text(
        "You may send your comment in 10 minutes."
    )
    expect(page.locator("#kept-comment")).to_have_value(
        "A second thought worth keeping."
    )
