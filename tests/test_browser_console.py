"""A whole session in a real browser logs no error to the console: no script
error, no failed request (the missing favicon was the last one)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import browsing
from tests.admin_client import log_in_browser
from tests.factories import make_moderator

browsing.require_chromium()

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def watched(page):
    """A page, and the console errors and failed requests it has seen."""
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return page, problems


def visit(page, url) -> None:
    """Open the page and wait until the browser has fetched its icon."""
    with page.expect_response(lambda response: "favicon" in response.url):
        page.goto(url)
    page.wait_for_load_state("networkidle")


def test_home_thread_and_admin_log_no_console_errors(watched, live_server):
    call_command("load_demo", stdout=StringIO())
    page, problems = watched
    base = live_server.url
    visit(page, base + reverse("forum:post-list"))
    visit(page, base + reverse("forum:post-detail", args=[browsing.SEED_SLUG]))
    log_in_browser(page.context, live_server, make_moderator(username="moderator"))
    page.goto(base + reverse("admin:forum_comment_changelist"))
    page.wait_for_load_state("networkidle")
    assert problems == []
