"""The Content-Security-Policy in a real browser: nothing of ours or the admin's
is blocked, and the admin's JavaScript still runs.

Playwright drives Debian's Chromium against pytest-django's live server, as in
tests/test_browser.py. Never `playwright install`; CI installs Chromium with apt.
"""

import pytest
from django.urls import reverse

from tests import browsing
from tests.factories import make_comment, make_post, make_user

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

# Injected by the browser itself, so the page's policy does not apply to it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(new_page):
    """A page that records the policy's violations in window.cspViolations."""
    return new_page(init_scripts=[RECORD_VIOLATIONS])


def violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def sign_in(page, live_server) -> None:
    make_user(username="boss", password="pw", is_staff=True, is_superuser=True)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("boss")
    assert violations(page) == []


def test_admin_post_form_scripts_run_under_the_policy(page, live_server):
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("admin:forum_post_add"))
    page.fill("#id_title", "Policy Holds Firm")
    page.locator("#id_title").blur()
    expect(page.locator("#id_slug")).to_have_value("policy-holds-firm")  # prepopulate
    expect(page.locator(".selector")).to_be_visible()  # filter_horizontal's widget
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()  # calendar
    assert violations(page) == []


def test_admin_comment_tree_is_indented_under_the_policy(page, live_server):
    post = make_post()
    make_comment(post=post, parent=make_comment(post=post))
    sign_in(page, live_server)
    changelist = reverse("admin:forum_comment_changelist")
    page.goto(f"{live_server.url}{changelist}?post__id__exact={post.pk}")
    texts = page.locator("#result_list .comment-excerpt")
    indents = texts.evaluate_all(
        "texts => texts.map(t => parseFloat(getComputedStyle(t).marginLeft))"
    )
    assert indents == [0, 16]  # static/css/admin.css took effect
    page.locator("#action-toggle").check()  # actions.js
    expect(page.locator(".action-counter")).to_contain_text("2 of 2 selected")
    assert violations(page) == []


def test_public_pages_break_no_rule_of_the_policy(page, live_server):
    post = make_post()
    make_comment(post=post)
    for url in ("/", post.get_absolute_url(), "/no-such-page/"):
        page.goto(live_server.url + url)
        assert violations(page) == [], url
