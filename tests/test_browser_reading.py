"""Reading a thread in a real browser: folding, parent links, narrow screens,
comments new since the last visit, j/k, and previewing a comment.

Replying inline (with and without JavaScript) is in tests/test_browser.py; the
accessibility scan in tests/test_browser_a11y.py.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from forum.models import Comment, Post
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

# guests_held: new readers see the pending note.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting", "guests_held"),
]


@pytest.fixture
def demo(live_server):
    """The seed thread: its URL and its comments by author (first of each name)."""
    call_command("load_demo", stdout=StringIO())
    post = Post.objects.get(slug=browsing.SEED_SLUG)
    comments = {}
    for comment in Comment.objects.filter(post=post).order_by("tree_id", "lft"):
        comments.setdefault(comment.author_name, comment)
    return {"url": live_server.url + post.get_absolute_url(), **comments}


@pytest.fixture
def open_thread(live_server):
    """An open post: Ada, Grace replying to Ada, then Bob."""
    post = make_post(title="Open thread")
    ada = make_comment(post=post, author_name="Ada", body="Is this thing on?")
    make_comment(post=post, parent=ada, author_name="Grace", body="Loud.")
    make_comment(post=post, author_name="Bob", body="Hello from Bob.")
    return {"post": post, "url": live_server.url + post.get_absolute_url(), "ada": ada}


def control(page, comment):
    return page.locator(f"#div-comment-{comment.pk} .thread-toggle > summary")


def expect_folded(page, comment, replies):
    expect(page.locator(f"#div-comment-{comment.pk} .comment-content")).to_be_hidden()
    expect(page.locator(f"#comment-{comment.pk} > ol.children")).to_be_hidden()
    expect(page.locator(f"#div-comment-{comment.pk} .fn")).to_be_visible()
    expect(control(page, comment)).to_have_text(re.compile(rf"\b{replies}$"))
    expect(control(page, comment).locator(".thread-count")).to_be_visible()


def expect_unfolded(page, comment):
    expect(page.locator(f"#div-comment-{comment.pk} .comment-content")).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk} > ol.children")).to_be_visible()


# --- Folding ----------------------------------------------------------------


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_control_folds_and_unfolds_a_subthread(new_page, demo, js):
    page = new_page(js=js)
    page.goto(demo["url"])

    control(page, demo["Sam"]).click()
    expect_folded(page, demo["Sam"], "4 replies")
    expect(page.locator(f"#comment-{demo['TTG'].pk}")).to_be_hidden()

    control(page, demo["Sam"]).click()
    expect_unfolded(page, demo["Sam"])
    expect(page.locator(f"#comment-{demo['TTG'].pk}")).to_be_visible()


def remembered_folds(page, *comments) -> None:
    """Wait until thread.js has saved exactly these folds (its "toggle"
    handler runs a task after the click: a reload may not overtake it)."""
    ids = sorted(str(comment.pk) for comment in comments)
    page.wait_for_function(
        """ids => {
            const post = document.getElementById("comments").dataset.post;
            const saved = localStorage.getItem("parley:folded:" + post) || "[]";
            return JSON.stringify(JSON.parse(saved).sort()) === JSON.stringify(ids);
        }""",
        arg=ids,
    )


def test_js_folds_are_remembered_on_the_next_visit(new_page, demo):
    page = new_page()
    page.goto(demo["url"])
    control(page, demo["Sam"]).click()
    control(page, demo["borko"]).click()  # borko's first comment: one reply
    remembered_folds(page, demo["Sam"], demo["borko"])

    page.reload()
    expect_folded(page, demo["Sam"], "4 replies")
    expect_folded(page, demo["borko"], "1 reply")
    expect_unfolded(page, demo["Fourth and Long"])

    control(page, demo["Sam"]).click()
    remembered_folds(page, demo["borko"])
    page.reload()
    expect_unfolded(page, demo["Sam"])
    expect_folded(page, demo["borko"], "1 reply")


def test_no_js_folds_are_forgotten_on_reload(new_page, demo):
    page = new_page(js=False)
    page.goto(demo["url"])
    control(page, demo["Sam"]).click()

    page.reload()

    expect_unfolded(page, demo["Sam"])


def test_clicking_the_thread_line_folds_its_subthread(new_page, demo):
    page = new_page()
    page.goto(demo["url"])
    sam = page.locator(f"#comment-{demo['Sam'].pk}")
    sam.scroll_into_view_if_needed()
    box = sam.bounding_box()
    # The line runs down the comment's gutter, beside its text and replies.
    x, y = box["x"] + 10, box["y"] + box["height"] / 2
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y])
    assert hit == "SUMMARY"

    page.mouse.click(x, y)

    expect_folded(page, demo["Sam"], "4 replies")


def test_fold_control_reports_its_state_to_assistive_technology(new_page, demo):
    page = new_page()
    page.goto(demo["url"])
    name = "Comment by Sam, 4 replies"

    def expanded():
        tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
        (node,) = [n for n in tree["nodes"] if n.get("name", {}).get("value") == name]
        props = {p["name"]: p["value"]["value"] for p in node["properties"]}
        return props["expanded"]

    assert expanded() is True
    control(page, demo["Sam"]).press("Enter")  # a real button: the keyboard works
    expect_folded(page, demo["Sam"], "4 replies")
    assert expanded() is False


def test_link_into_a_folded_subthread_unfolds_it(new_page, demo):
    page = new_page()
    page.goto(demo["url"])
    control(page, demo["Sam"]).click()
    deep = demo["blue peacock"]

    page.goto(f"{demo['url']}#comment-{deep.pk}")

    expect(page.locator(f"#comment-{deep.pk}")).to_be_in_viewport()
    expect_unfolded(page, demo["Sam"])
    page.reload()  # and it stays unfolded
    expect_unfolded(page, demo["Sam"])


# --- Finding one's way --------------------------------------------------------


def test_parent_link_goes_to_the_comment_answered(new_page, demo):
    page = new_page()
    page.goto(demo["url"])
    leith = demo["Leith"]
    reply = page.locator(f"#comment-{leith.pk} > ol.children > li").first

    reply.locator(":scope > article .comment-parent-link").click()

    expect(page).to_have_url(f"{demo['url']}#comment-{leith.pk}")
    expect(page.locator(":target")).to_have_id(f"comment-{leith.pk}")
    expect(page.locator(f"#comment-{leith.pk}")).to_be_in_viewport()


def test_phone_width_caps_indentation_and_names_whom_each_reply_answers(
    new_page, live_server, settings
):
    settings.COMMENT_DISPLAY_DEPTH = 0
    post = make_post()
    chain = [make_comment(post=post, author_name="Level 1")]
    for level in range(2, 13):
        chain.append(
            make_comment(post=post, parent=chain[-1], author_name=f"Level {level}")
        )
    page = new_page(viewport=browsing.PHONE)
    page.goto(live_server.url + post.get_absolute_url())

    def left(comment):
        return page.locator(f"#div-comment-{comment.pk}").bounding_box()["x"]

    assert left(chain[1]) > left(chain[0])  # replies are indented...
    assert left(chain[-1]) == left(chain[4])  # ...up to a cap
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    deepest = page.locator(f"#div-comment-{chain[-1].pk}")
    expect(deepest.locator(".comment-parent-link")).to_have_text("in reply to Level 11")
    expect(deepest.locator(".comment-parent-link")).to_be_visible()
    width = deepest.bounding_box()["width"]
    assert width > 390 * 0.7  # the text keeps most of the screen


def test_comments_new_since_the_last_visit_are_marked(new_page, open_thread):
    page = new_page()
    page.goto(open_thread["url"])
    expect(page.locator(".comment-new")).to_have_count(0)  # a first visit
    later = make_comment(
        post=open_thread["post"], parent=open_thread["ada"], author_name="Newcomer"
    )

    page.reload()

    expect(page.locator(".comment-new")).to_have_count(1)
    expect(page.locator(f"#div-comment-{later.pk} .comment-new")).to_have_text("New")
    news = page.locator(".thread-news a")
    expect(news).to_have_text("1 new comment since your last visit")
    expect(news).to_have_attribute("href", f"#comment-{later.pk}")
    page.reload()
    expect(page.locator(".comment-new")).to_have_count(0)


def test_j_and_k_move_between_top_level_comments(new_page, demo):
    page = new_page(viewport={"width": 1280, "height": 500})
    page.goto(demo["url"])
    tops = page.locator("ol.comment-list > li.comment")

    page.keyboard.press("j")
    expect(tops.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(tops.nth(2)).to_be_focused()
    top = tops.nth(2).evaluate("li => li.getBoundingClientRect().top")
    assert abs(top) <= 1  # scrolled to the top of the window
    page.keyboard.press("k")
    expect(tops.nth(1)).to_be_focused()
    expect(tops.nth(1)).to_be_in_viewport()


def test_j_typed_in_the_comment_box_is_just_a_letter(new_page, open_thread):
    page = new_page()
    page.goto(open_thread["url"])
    text = page.locator("#commentform textarea[name=comment]")
    text.click()

    page.keyboard.type("jk")

    expect(text).to_have_value("jk")
    expect(text).to_be_focused()


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_keys_are_explained_on_the_page_only_where_they_work(new_page, demo, js):
    page = new_page(js=js)
    page.goto(demo["url"])
    help_ = page.locator("#comments .thread-keys")
    if js:
        expect(help_).to_be_visible()
        expect(help_).to_contain_text("j next and k previous conversation")
    else:
        expect(help_).to_be_hidden()


# --- Preview ------------------------------------------------------------------


def _fill_guest(page, comment):
    form = page.locator("#commentform")
    form.locator("textarea[name=comment]").fill(comment)
    form.locator("input[name=author]").fill("Nina Newcomer")
    form.locator("input[name=email]").fill("nina@example.com")


def test_js_preview_shows_the_comment_formatted_in_place(new_page, open_thread):
    page = new_page()
    page.goto(open_thread["url"])
    page.evaluate("window.parleySameDocument = true")
    _fill_guest(page, "**Loud** and <script>window.owned = 1</script>clear")

    page.locator("#commentform .preview-button").click()

    preview = page.locator("#comment-preview")
    expect(preview).to_be_visible()
    expect(preview.locator(".comment-content strong")).to_have_text("Loud")
    expect(preview.locator("script")).to_have_count(0)
    expect(page.locator("#commentform .form-status")).to_have_text(
        "The preview is above the form."
    )
    assert page.evaluate("window.parleySameDocument === true && !window.owned")
    assert not Comment.objects.filter(author_name="Nina Newcomer").exists()


def test_js_preview_of_an_inline_reply_then_posting_lands_on_it(new_page, open_thread):
    page, ada = new_page(), open_thread["ada"]
    page.goto(open_thread["url"])
    page.locator(f"#div-comment-{ada.pk} .comment-reply-link").click()
    _fill_guest(page, "Previewed *first*.")
    page.locator("#commentform .preview-button").click()
    expect(
        page.locator(f"#div-comment-{ada.pk} + #respond #comment-preview em")
    ).to_have_text("first")

    page.locator("#commentform #submit").click()

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(author_name="Nina Newcomer")
    new = page.locator(f"#comment-{ada.pk} > ol.children > #comment-{reply.pk}")
    expect(new.locator(".comment-awaiting-moderation")).to_have_text(
        browsing.PENDING_NOTE
    )
    expect(page.locator(":target")).to_have_id(f"comment-{reply.pk}")


def test_no_js_preview_reloads_with_the_preview_and_the_text_kept(
    new_page, open_thread
):
    page, ada = new_page(js=False), open_thread["ada"]
    page.goto(open_thread["url"])
    page.locator(f"#div-comment-{ada.pk} .comment-reply-link").click()
    page.wait_for_url(re.compile(r"\?replytocom=\d+#respond$"))
    _fill_guest(page, "Without scripts, **still** formatted.")

    page.locator("#commentform .preview-button").click()

    page.wait_for_url(
        re.compile(re.escape(reverse("forum:comment-create")) + "#comment-preview$")
    )
    preview = page.locator(f"#div-comment-{ada.pk} + #respond #comment-preview")
    expect(preview.locator("strong")).to_have_text("still")
    expect(preview).to_be_in_viewport()  # it opens at the preview
    form = page.locator("#commentform")
    expect(form.locator("textarea[name=comment]")).to_have_value(
        "Without scripts, **still** formatted."
    )
    expect(form.locator("input[name=author]")).to_have_value("Nina Newcomer")
    expect(form.locator(".field-error")).to_have_count(0)
    assert not Comment.objects.filter(author_name="Nina Newcomer").exists()

    form.locator("#submit").click()

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(author_name="Nina Newcomer")
    new = page.locator(f"#comment-{ada.pk} > ol.children > #comment-{reply.pk}")
    expect(new.locator(".comment-awaiting-moderation")).to_have_text(
        browsing.PENDING_NOTE
    )


def test_js_preview_falls_back_to_sending_the_form_when_fetch_fails(
    new_page, open_thread
):
    page = new_page()
    page.route("**/comments/preview/", lambda route: route.fulfill(status=502))
    page.goto(open_thread["url"])
    _fill_guest(page, "Shown **anyway**.")

    page.locator("#commentform .preview-button").click()

    page.wait_for_url(re.compile(re.escape(reverse("forum:comment-create")) + "$"))
    expect(page.locator("#comment-preview strong")).to_have_text("anyway")
    expect(page.locator("#commentform textarea")).to_have_value("Shown **anyway**.")
    assert not Comment.objects.filter(author_name="Nina Newcomer").exists()
