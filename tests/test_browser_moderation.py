"""Moderating in a real browser: a held comment approved from the admin's queue.

Playwright drives Debian's Chromium against pytest-django's live server, as in
tests/test_browser.py. Never `playwright install` (it cannot download here);
CI installs Chromium with apt.
"""

import re

import pytest
from django.urls import reverse

from forum.models import Comment
from tests import browsing
from tests.factories import make_moderator, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

# new_page: separate cookies, separate people; guests_held: a guest's first
# comment waits for the moderator.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting", "guests_held"),
]


def _guest_comments(page, url, text):
    page.goto(url)
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill(text)
    form.locator("input[name=author]").fill("Nina Newcomer")
    form.locator("input[name=email]").fill("nina@example.com")
    form.locator("#submit").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    return Comment.objects.get(body=text)


def _moderator_logs_in(page, live_server):
    make_moderator(username="moderator", password="a-long-passphrase")
    page.goto(live_server.url + reverse("admin:index"))
    page.locator("#id_username").fill("moderator")
    page.locator("#id_password").fill("a-long-passphrase")
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))


def test_held_comment_approved_from_the_queue_shows_to_everyone(new_page, live_server):
    post = make_post(title="Moderated thread")
    url = live_server.url + post.get_absolute_url()
    guest, reader, moderator = new_page(), new_page(), new_page()

    comment = _guest_comments(guest, url, "My very first words here.")
    mine = guest.locator(f"#comment-{comment.pk}")
    expect(mine.locator(".comment-awaiting-moderation")).to_have_text(
        browsing.PENDING_NOTE
    )
    reader.goto(url)
    expect(reader.locator(f"#comment-{comment.pk}")).to_have_count(0)

    _moderator_logs_in(moderator, live_server)
    pending = moderator.locator("#moderation-queue .queue-pending")
    expect(pending.locator(".queue-count")).to_have_text("1")
    pending.locator("th a").click()
    moderator.wait_for_url(re.compile(r"\?status__exact=pending$"))
    moderator.locator(f"#result_list input[value='{comment.pk}']").check()
    moderator.locator("select[name=action]").select_option("approve_comments")
    moderator.locator("button[name=index]").click()
    expect(moderator.locator(".messagelist li")).to_have_text("1 comment approved.")

    reader.reload()
    shown = reader.locator(f"#comment-{comment.pk}")
    expect(shown.locator(".comment-content")).to_have_text("My very first words here.")
    expect(shown.locator(".comment-awaiting-moderation")).to_have_count(0)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
