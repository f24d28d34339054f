"""Votes and orders in a real browser, with JavaScript and without."""

import pytest

from forum import services
from forum.models import Vote
from tests import browsing
from tests.admin_client import log_in_browser
from tests.factories import make_comment, make_post, make_user

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread():
    """A post with three conversations; the newest has the most up-votes."""
    post = make_post(title="Votes thread")
    first = make_comment(post=post, author_name="Ada", body="First, no votes.")
    second = make_comment(post=post, author_name="Bo", body="Second, one down.")
    third = make_comment(post=post, author_name="Cy", body="Third, two up.")
    for comment, values in ((second, [-1]), (third, [1, 1])):
        for value in values:
            services.vote_cast(comment_id=comment.pk, value=value, user=make_user())
    return post, [first, second, third]


def _reader_page(new_page, live_server, **options):
    page = new_page(**options)
    log_in_browser(page.context, live_server, make_user())
    return page


def _names(page):
    return page.locator(".comment-list > li.comment .fn").all_inner_texts()


def test_with_javascript_a_vote_changes_the_score_in_place(
    new_page, live_server, thread
):
    post, (first, _, _) = thread
    page = _reader_page(new_page, live_server)
    page.goto(live_server.url + post.get_absolute_url())
    comment = page.locator(f"#comment-{first.pk}")
    score = comment.locator(".comment-score").first
    expect(score).to_have_text("0")
    url = page.url
    comment.locator("form.comment-vote button[value='1']").first.click()
    expect(score).to_have_text("1")
    expect(
        comment.locator("form.comment-vote button[value='1']").first
    ).to_have_attribute("aria-pressed", "true")
    assert page.url == url  # no page load
    assert Vote.objects.get(comment=first).value == 1


def test_without_javascript_a_vote_comes_back_to_the_comment(
    new_page, live_server, thread
):
    post, (_, second, _) = thread
    page = _reader_page(new_page, live_server, js=False)
    page.goto(live_server.url + post.get_absolute_url())
    comment = page.locator(f"#comment-{second.pk}")
    expect(comment.locator(".comment-score").first).to_have_text("-1")
    comment.locator("form.comment-vote button[value='-1']").first.click()
    page.wait_for_url(f"**#comment-{second.pk}")
    comment = page.locator(f"#comment-{second.pk}")
    expect(comment.locator(".comment-score").first).to_have_text("-2")
    expect(comment.locator("form.comment-vote").first).to_have_attribute(
        "data-vote", "-1"
    )


def test_a_refused_vote_says_why_beside_the_comment(new_page, live_server, thread):
    post, (first, _, _) = thread
    page = new_page(js=False)  # a guest, where only accounts vote
    page.goto(live_server.url + post.get_absolute_url())
    page.locator(
        f"#comment-{first.pk} form.comment-vote button[value='1']"
    ).first.click()
    page.wait_for_url(f"**#comment-{first.pk}")
    expect(page.locator(".comment-list")).to_contain_text("Log in to vote.")


def test_the_reader_picks_an_order_and_it_is_remembered(page, live_server, thread):
    post, _ = thread
    page.goto(live_server.url + post.get_absolute_url())
    assert _names(page) == ["Ada", "Bo", "Cy"]
    page.locator(".comment-orders").get_by_role("link", name="Top").click()
    page.wait_for_url("**?sort=top*")
    assert _names(page) == ["Cy", "Ada", "Bo"]
    page.goto(live_server.url + post.get_absolute_url())
    assert _names(page) == ["Cy", "Ada", "Bo"]
    expect(
        page.locator(".comment-orders").get_by_role("link", name="Top")
    ).to_have_attribute("aria-current", "true")


def test_the_orders_work_without_javascript(page_no_js, live_server, thread):
    post, _ = thread
    page_no_js.goto(live_server.url + post.get_absolute_url())
    page_no_js.locator(".comment-orders").get_by_role("link", name="New").click()
    page_no_js.wait_for_url("**?sort=new*")
    assert _names(page_no_js) == ["Cy", "Bo", "Ada"]
