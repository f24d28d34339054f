"""Where a reader lands, in a real browser: the comment form sent with mistakes
opens at the form with a focused summary of what to fix (with and without
JavaScript), and messages show where the redirect lands.

The server side (what is rendered where) is in tests/test_landing.py.
"""

import re

import pytest
from django.urls import reverse

from forum.models import Comment
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting"),
]
THANKS = "Thank you. A moderator will look at this comment."


@pytest.fixture
def long_thread(live_server):
    """An open post with enough comments that its form is screens below the top."""
    post = make_post(title="A long read", body="Words. " * 400)
    comments = [
        make_comment(post=post, author_name=f"Reader {n}", body="Thoughts. " * 40)
        for n in range(8)
    ]
    return {
        "post": post,
        "base": live_server.url,
        "url": live_server.url + post.get_absolute_url(),
        "all": comments,
    }


def _send_with_mistakes(page):
    form = page.locator("#commentform")
    form.locator("input[name=author]").fill("Nina")
    form.locator("input[name=email]").fill("nina@example")
    form.locator("#submit").click()
    page.wait_for_url(re.compile(re.escape(reverse("forum:comment-create")) + "$"))


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_form_with_mistakes_opens_at_a_focused_summary(new_page, long_thread, js):
    page = new_page(js=js)
    page.goto(long_thread["url"])

    _send_with_mistakes(page)

    summary = page.locator("#commentform .error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.locator(".error-summary-title")).to_have_text(
        "2 things to fix before your comment can be posted:"
    )
    links = summary.locator("a")
    expect(links).to_have_text(
        [
            "Please type your comment.",
            "Please enter a valid email address, like name@example.com.",
        ]
    )
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [
        "#id_comment",
        "#id_email",
    ]
    expect(page.locator("#commentform input[name=author]")).to_have_value("Nina")


def test_no_js_summary_link_leads_to_its_field(new_page, long_thread):
    page = new_page(js=False)
    page.goto(long_thread["url"])
    _send_with_mistakes(page)

    page.locator(".error-summary a", has_text="valid email").click()

    expect(page).to_have_url(re.compile("#id_email$"))
    expect(page.locator("#id_email")).to_be_in_viewport()


def test_js_summary_link_focuses_its_field(new_page, long_thread):
    page = new_page()
    page.goto(long_thread["url"])
    _send_with_mistakes(page)

    page.locator(".error-summary a", has_text="valid email").click()

    expect(page.locator("#id_email")).to_be_focused()
    expect(page.locator("label[for=id_email]")).to_be_in_viewport()


def test_a_reply_with_mistakes_opens_at_the_form_under_its_comment(
    new_page, long_thread
):
    page = new_page()
    page.goto(long_thread["url"])
    third = long_thread["all"][2]
    page.locator(f"#div-comment-{third.pk} .comment-reply-link").click()

    _send_with_mistakes(page)

    summary = page.locator(f"#div-comment-{third.pk} + #respond .error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()


def test_a_comment_sent_too_fast_comes_back_kindly_with_its_text(
    new_page, long_thread, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 60
    page = new_page()
    page.goto(long_thread["url"])
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill("Typed in a hurry.")
    form.locator("input[name=author]").fill("Nina")
    form.locator("input[name=email]").fill("nina@example.com")

    form.locator("#submit").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_text(
        "We couldn't take your comment just yet. Please check it and send it again."
    )
    expect(form.locator("textarea[name=comment]")).to_have_value("Typed in a hurry.")
    assert not Comment.objects.filter(author_name="Nina").exists()


def test_thanks_for_a_report_is_on_screen_where_the_reader_lands(new_page, long_thread):
    page = new_page()
    last = long_thread["all"][-1]
    page.goto(long_thread["base"] + reverse("forum:comment-report", args=[last.pk]))
    page.locator("textarea[name=reason]").fill("Off-topic.")

    page.locator("button.submit").click()

    page.wait_for_url(re.compile(rf"#comment-{last.pk}$"))
    note = page.locator(f"#comment-{last.pk} > .comment-messages")
    expect(note).to_have_text(THANKS)
    expect(note).to_be_in_viewport()


def test_removal_is_confirmed_on_screen_where_the_reader_lands(new_page, long_thread):
    page = new_page()
    page.goto(long_thread["url"])
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill("I take it back.")
    form.locator("input[name=author]").fill("Nina")
    form.locator("input[name=email]").fill("nina@example.com")
    form.locator("#submit").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    mine = Comment.objects.get(body="I take it back.")
    page.goto(long_thread["base"] + reverse("forum:comment-delete", args=[mine.pk]))

    page.locator("button.submit").click()

    page.wait_for_url(re.compile("#comments$"))
    note = page.locator("#comments > .messages")
    expect(note).to_have_text("Your comment is removed.")
    expect(note).to_be_in_viewport()
