"""A living thread in a real browser: two readers, one page each (Chromium,
live server); the poll every second (LIVE_POLL_SECONDS through the page)."""

import pytest

from forum import services
from forum.models import Comment, Post
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting", "guests_trusted", "_poll_fast"),
]

WITHIN = 10_000  # ms: ten polls' worth


@pytest.fixture
def _poll_fast(settings):
    settings.LIVE_POLL_SECONDS = 1


def test_a_reply_appears_under_its_parent_while_a_reply_is_typed(new_page, live_server):
    post = make_post(title="Busy thread")
    ana = make_comment(post=post, author_name="Ana", body="What do you think?")
    url = live_server.url + post.get_absolute_url()
    reader = new_page()
    reader.goto(url)
    reader.locator(f"#comment-{ana.pk} .comment-reply-link").first.click()
    reader.locator("#commentform textarea[name=comment]").fill("I was about to")
    writer = new_page()
    writer.goto(url)
    writer.locator(f"#comment-{ana.pk} .comment-reply-link").first.click()
    form = writer.locator("#commentform")
    form.locator("textarea[name=comment]").fill("Here is what I think.")
    form.locator("input[name=author]").fill("Ben")
    form.locator("input[name=email]").fill("ben@example.com")
    form.locator("#submit").click()
    writer.wait_for_url("**#comment-*")

    reply = reader.locator(f"#comment-{ana.pk} > .children > .comment")
    expect(reply).to_contain_text("Here is what I think.", timeout=WITHIN)
    expect(reply.locator(".comment-new")).to_have_text("New")
    expect(reader.locator("#comments-title")).to_have_text(
        "2 Responses to “Busy thread”"
    )
    expect(reader.locator(".live-status")).to_have_text("1 new reply Show them")
    expect(reader.locator(f"#comment-{ana.pk} > #respond textarea")).to_have_value(
        "I was about to"
    )


def test_an_edit_and_a_removal_show_up(page, live_server):
    post = make_post()
    edited = make_comment(post=post, body="Teh first draft.")
    removed = make_comment(post=post, body="Regrettable words.")
    page.goto(live_server.url + post.get_absolute_url())
    services.comment_author_edit(comment=edited, body="The first draft.")
    services.comment_set_status(comments=[removed], status=Comment.Status.REMOVED)
    expect(page.locator(f"#div-comment-{edited.pk}")).to_contain_text(
        "The first draft.", timeout=WITHIN
    )
    expect(page.locator(f"#div-comment-{edited.pk}")).to_contain_text("(edited)")
    expect(page.locator(f"#comment-{removed.pk}")).to_have_text(
        "This comment was removed.", timeout=WITHIN
    )


def test_a_reply_inside_a_folded_branch_says_so_on_the_fold(page, live_server):
    post = make_post()
    top = make_comment(post=post, author_name="Ana")
    make_comment(post=post, parent=top, body="An early answer.")
    page.goto(live_server.url + post.get_absolute_url())
    page.locator(f"#comment-{top.pk} .thread-toggle > summary").first.click()
    make_comment(post=post, parent=top, body="A late answer.")
    summary = page.locator(f"#comment-{top.pk} .thread-toggle > summary").first
    expect(summary).to_contain_text("2 replies", timeout=WITHIN)
    expect(summary).to_contain_text("+1 new")
    expect(page.get_by_text("A late answer.")).to_be_hidden()


def test_what_is_on_screen_stays_put_when_comments_arrive_above(page, live_server):
    post = make_post()
    first = make_comment(post=post, body="At the top.")
    for n in range(12):
        make_comment(post=post, body=f"Filler comment {n}.\n\n" + "Words. " * 60)
    page.set_viewport_size({"width": 900, "height": 500})
    page.goto(live_server.url + post.get_absolute_url())
    last = page.locator(".comment-list > .comment").last
    last.scroll_into_view_if_needed()
    before = last.evaluate("li => li.getBoundingClientRect().top")
    make_comment(post=post, parent=first, body="A reply far above.\n\n" + "More. " * 80)
    expect(page.get_by_text("A reply far above.")).to_be_attached(timeout=WITHIN)
    after = last.evaluate("li => li.getBoundingClientRect().top")
    assert abs(after - before) < 2  # px: what a scroll rounds to


def test_without_javascript_the_page_stays_as_it_was(page_no_js, live_server):
    post = make_post()
    make_comment(post=post, body="Already here.")
    page_no_js.goto(live_server.url + post.get_absolute_url())
    make_comment(post=post, body="Arrived later.")
    page_no_js.wait_for_timeout(2500)  # two polls' worth, had there been a script
    expect(page_no_js.get_by_text("Already here.")).to_be_visible()
    expect(page_no_js.get_by_text("Arrived later.")).to_have_count(0)
    expect(page_no_js.locator(".live-status")).to_be_empty()


# Lets a test say whether the tab is hidden (the Page Visibility API).
HIDEABLE = """
window.tabHidden = false;
Object.defineProperty(Document.prototype, "hidden", {
  configurable: true, get: function () { return window.tabHidden; } });
"""
SET_HIDDEN = """hidden => {
  window.tabHidden = hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""
# Keeps the delays the page asks setTimeout for.
DELAYS = """
window.delays = [];
var setTimeoutBefore = window.setTimeout;
window.setTimeout = function (callback, delay) {
  window.delays.push(delay);
  return setTimeoutBefore.apply(window, arguments);
};
"""


def test_polling_pauses_while_the_tab_is_hidden(new_page, live_server):
    post = make_post()
    make_comment(post=post)
    page = new_page(init_scripts=[HIDEABLE])
    polls = []
    page.on("request", lambda request: "/live/" in request.url and polls.append(1))
    page.goto(live_server.url + post.get_absolute_url())
    page.evaluate(SET_HIDDEN, True)
    asked = len(polls)
    make_comment(post=post, body="Written while away.")
    page.wait_for_timeout(2500)  # two polls' worth, had it kept asking
    assert len(polls) == asked
    expect(page.get_by_text("Written while away.")).to_have_count(0)
    page.evaluate(SET_HIDDEN, False)
    expect(page.get_by_text("Written while away.")).to_be_visible(timeout=WITHIN)


def test_polling_backs_off_when_the_server_fails(new_page, live_server, settings):
    settings.LIVE_POLL_SECONDS = 0.25
    post = make_post()
    page = new_page(init_scripts=[DELAYS])
    page.route("**/live/**", lambda route: route.fulfill(status=500))
    page.goto(live_server.url + post.get_absolute_url())
    page.wait_for_function("() => window.delays.includes(2000)", timeout=WITHIN)
    waits = page.evaluate("window.delays.filter(d => d >= 250)")
    assert waits[:4] == [250, 500, 1000, 2000]


def test_an_earlier_page_links_to_new_comments_on_later_pages(
    page, live_server, settings
):
    settings.COMMENTS_PER_PAGE = 1
    post = make_post()
    make_comment(post=post, body="On page one.")
    page.goto(live_server.url + post.get_absolute_url())
    make_comment(post=post, body="On page two.")
    note = page.locator(".live-elsewhere a")
    expect(note).to_have_text("1 new comment on later pages", timeout=WITHIN)
    expect(page.get_by_text("On page two.")).to_have_count(0)
    note.click()
    expect(page.get_by_text("On page two.")).to_be_visible()


def test_newest_first_puts_a_new_conversation_on_top(page, live_server, settings):
    settings.COMMENTS_ORDER = "newest"
    post = make_post()
    make_comment(post=post, body="The older one.")
    page.goto(live_server.url + post.get_absolute_url())
    make_comment(post=post, body="The newer one.")
    first = page.locator(".comment-list > .comment").first
    expect(first).to_contain_text("The newer one.", timeout=WITHIN)
    expect(page.locator(".comment-list")).to_have_attribute("start", "2")


def _set_comments_open(post, is_open: bool) -> None:
    posts = Post.objects.filter(pk=post.pk)
    services.posts_set_comments_open(posts=posts, is_open=is_open)


def test_closing_comments_takes_the_reply_links_and_the_empty_form(page, live_server):
    post = make_post()
    make_comment(post=post, body="Said before closing.")
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator(".comment-reply-link")).to_have_count(1)
    _set_comments_open(post, False)
    expect(page.locator(".live-status")).to_have_text(
        "Comments are now closed.", timeout=WITHIN
    )
    expect(page.locator(".comment-reply-link")).to_have_count(0)
    expect(page.locator("#respond")).to_have_count(0)
    expect(page.locator("#comments > .no-comments")).to_have_text(
        "Comments are closed."
    )


def test_closing_comments_keeps_a_reply_being_written(page, live_server):
    post = make_post()
    said = make_comment(post=post, body="Said before closing.")
    page.goto(live_server.url + post.get_absolute_url())
    page.locator(f"#comment-{said.pk} .comment-reply-link").click()
    page.locator("#commentform textarea[name=comment]").fill("Half a thought")
    _set_comments_open(post, False)
    expect(page.locator(".comment-reply-link")).to_have_count(0, timeout=WITHIN)
    form = page.locator("#commentform")
    expect(form.locator("textarea[name=comment]")).to_have_value("Half a thought")
    form.locator("input[name=author]").fill("Ben")
    form.locator("input[name=email]").fill("ben@example.com")
    form.locator("#submit").click()  # refused, and the words handed back
    expect(page.locator(".error-message")).to_have_text(
        "Comments are closed on this post."
    )
    expect(page.locator("textarea")).to_have_value("Half a thought")


def test_comments_opened_again_offer_a_reload(page, live_server):
    post = make_post(comments_open=False)
    make_comment(post=post)
    page.goto(live_server.url + post.get_absolute_url())
    _set_comments_open(post, True)
    status = page.locator(".live-status")
    expect(status).to_have_text(
        "Comments are open again. Reload the page", timeout=WITHIN
    )
    status.get_by_role("link").click()
    expect(page.locator(".comment-reply-link")).to_have_count(1)
    expect(page.locator("#commentform")).to_be_visible()
