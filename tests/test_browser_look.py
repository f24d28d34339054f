"""What the browser draws: comment numbers, touch targets, avatars and the meta
line, the header, fields and buttons, type. Measured in Chromium, not read
from the HTML.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from forum.models import Comment
from tests import browsing
from tests.factories import make_comment, make_post

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)
TOUCH = 44  # px: the smallest target a finger hits reliably


@pytest.fixture
def new_page(new_page):
    """Pages without motion, so what is measured has stopped moving."""
    return lambda **options: new_page(reduced_motion="reduce", **options)


@pytest.fixture
def five_conversations(live_server):
    """Five top-level comments (the second with a reply and a deeper one)."""
    post = make_post()
    tops = [make_comment(post=post, author_name=f"Top {n}") for n in range(1, 6)]
    reply = make_comment(post=post, parent=tops[1], author_name="Reply")
    deeper = make_comment(post=post, parent=reply, author_name="Deeper")
    return {
        "base": live_server.url,
        "post": post,
        "tops": tops,
        "reply": reply,
        "deeper": deeper,
    }


def drawn_texts(page, selector: str) -> list[str]:
    """The text the browser draws in each element matching `selector`.

    Read from Chromium's accessibility tree, which holds generated content
    (::before) as drawn, counters resolved: what a reader sees, not the
    attributes it came from.
    """
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
    texts = []
    for node in found["nodeIds"]:
        tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node})
        texts.append(
            "".join(
                n["name"]["value"]
                for n in tree["nodes"]
                if n.get("role", {}).get("value") == "StaticText"
            )
        )
    return texts


def drawn_numbers(page) -> list[str]:
    """The number drawn at each top-level comment ("" for none)."""
    selector = "ol.comment-list > li.comment > article .comment-permalink"
    return [
        f"#{number[1]}" if (number := re.match(r"#(\d+) · ", text)) else ""
        for text in drawn_texts(page, selector)
    ]


# --- Comment numbers --------------------------------------------------------------


def test_conversations_are_numbered_on_the_first_page(
    new_page, five_conversations, settings
):
    settings.COMMENTS_PER_PAGE = 2
    page = new_page()
    page.goto(
        five_conversations["base"] + five_conversations["post"].get_absolute_url()
    )
    assert drawn_numbers(page) == ["#1", "#2"]


def test_the_second_page_goes_on_counting(new_page, five_conversations, settings):
    settings.COMMENTS_PER_PAGE = 2
    post = five_conversations["post"]
    page = new_page()
    page.goto(
        five_conversations["base"]
        + reverse("forum:post-comments-page", kwargs={"slug": post.slug, "page": 2})
    )
    assert drawn_numbers(page) == ["#3", "#4"]


def test_newest_first_counts_down(new_page, five_conversations, settings):
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_ORDER = "newest"
    post = five_conversations["post"]
    page = new_page()
    page.goto(five_conversations["base"] + post.get_absolute_url())
    assert drawn_numbers(page) == ["#5", "#4"]
    page.goto(
        five_conversations["base"]
        + reverse("forum:post-comments-page", kwargs={"slug": post.slug, "page": 2})
    )
    assert drawn_numbers(page) == ["#3", "#2"]


def test_a_subthread_page_numbers_nothing(new_page, five_conversations, settings):
    settings.COMMENT_DISPLAY_DEPTH = 2
    deeper = five_conversations["deeper"]
    page = new_page()
    page.goto(
        five_conversations["base"] + reverse("forum:comment-thread", args=[deeper.pk])
    )
    expect(page.locator(f"#comment-{deeper.pk}")).to_be_visible()
    [meta] = drawn_texts(page, f"#div-comment-{deeper.pk} > .comment-meta")
    assert meta.startswith("Deeper")  # "1." was drawn before the name
    assert not re.search(r"#\d|\b\d+\. ", meta)


def test_a_removed_conversation_still_counts(new_page, five_conversations):
    top = five_conversations["tops"][1]  # has a reply: shown as a placeholder
    Comment.objects.filter(pk=top.pk).update(status=Comment.Status.REMOVED)
    page = new_page()
    page.goto(
        five_conversations["base"] + five_conversations["post"].get_absolute_url()
    )
    assert drawn_numbers(page) == ["#1", "#3", "#4", "#5"]


# --- A comment's controls ---------------------------------------------------------


@pytest.fixture
def open_thread(live_server):
    post = make_post()
    ada = make_comment(post=post, author_name="Ada Lovelace", body="Is this on?")
    make_comment(post=post, parent=ada, author_name="Grace", body="Loud.")
    return {"url": live_server.url + post.get_absolute_url(), "ada": ada}


def test_on_a_phone_reply_report_and_fold_are_big_enough_for_a_finger(
    new_page, open_thread
):
    page = new_page(viewport=browsing.PHONE)
    page.goto(open_thread["url"])
    article = page.locator(f"#div-comment-{open_thread['ada'].pk}")
    for control in (".comment-reply-link", ".comment-report-link", "summary"):
        box = article.locator(control).bounding_box()
        assert box["width"] >= TOUCH and box["height"] >= TOUCH, (control, box)


def test_report_is_quieter_than_reply_and_set_apart(new_page, open_thread):
    page = new_page()
    page.goto(open_thread["url"])
    article = page.locator(f"#div-comment-{open_thread['ada'].pk}")
    style = "el => [getComputedStyle(el).fontSize, getComputedStyle(el).fontWeight]"
    reply, report = (
        article.locator(".comment-reply-link"),
        article.locator(".comment-report-link"),
    )
    (reply_size, reply_weight), (report_size, report_weight) = (
        reply.evaluate(style),
        report.evaluate(style),
    )
    assert float(report_size[:-2]) < float(reply_size[:-2])
    assert int(report_weight) < int(reply_weight)
    assert report.bounding_box()["x"] > reply.bounding_box()["x"] + 200


def test_avatar_sits_beside_the_name_and_date_below_it(new_page, open_thread):
    page = new_page()
    page.goto(open_thread["url"])
    meta = page.locator(f"#div-comment-{open_thread['ada'].pk} .comment-meta")
    avatar = meta.locator(".avatar")
    expect(avatar).to_have_text("AL")
    name = meta.locator(".fn").bounding_box()
    date = meta.locator(".comment-metadata").bounding_box()
    box = avatar.bounding_box()
    assert box["width"] == box["height"] >= 32
    assert box["x"] + box["width"] <= name["x"]  # on its left
    assert name["y"] < date["y"]  # the date on the line below the name
    assert date["x"] == pytest.approx(name["x"], abs=1)


def test_a_removed_comments_fold_control_stays_on_its_line(new_page, open_thread):
    Comment.objects.filter(pk=open_thread["ada"].pk).update(
        status=Comment.Status.REMOVED
    )
    page = new_page()
    page.goto(open_thread["url"])
    li = page.locator(f"#comment-{open_thread['ada'].pk}")
    text = li.locator(".comment-placeholder-text").bounding_box()
    control = li.locator(":scope > .thread-toggle > summary").bounding_box()
    middle = control["y"] + control["height"] / 2
    assert text["y"] <= middle <= text["y"] + text["height"]
    assert control["x"] > text["x"] + text["width"] - 1
    reply = page.locator(f"#comment-{open_thread['ada'].pk} .comment-parent-link")
    expect(reply).to_have_text("in reply to a removed comment")


# --- The page around --------------------------------------------------------------


@pytest.mark.parametrize("viewport", [browsing.PHONE, browsing.DESKTOP])
def test_header_has_a_labelled_search_and_account_links_top_right(
    new_page, live_server, viewport
):
    page = new_page(viewport=viewport)
    page.goto(live_server.url + reverse("forum:post-list"))
    banner = page.get_by_role("banner")
    search = banner.get_by_role("searchbox", name="Search posts and comments")
    expect(search).to_be_visible()
    login = banner.get_by_role("link", name="Log in").bounding_box()
    signup = banner.get_by_role("link", name="Sign up").bounding_box()
    assert signup["x"] + signup["width"] > viewport["width"] * 0.9
    assert login["y"] < 40 and login["x"] > viewport["width"] / 2


def test_fields_and_buttons_of_a_kind_look_the_same(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + reverse("login"))
    # The login page focuses a field (autofocus, which Chromium applies after
    # loading, when it gets to it): wait for that, then take the focus away.
    page.wait_for_function("document.activeElement.name === 'username'")
    page.evaluate("document.activeElement.blur()")
    look = """el => { const s = getComputedStyle(el);
        return [s.height, s.width, s.borderTopWidth, s.borderTopColor,
                s.borderRadius, s.backgroundColor, s.fontSize, s.paddingLeft]; }"""
    username = page.locator("input[name=username]").evaluate(look)
    password = page.locator("input[name=password]").evaluate(look)
    assert password == username
    assert float(password[0][:-2]) >= TOUCH
    search = page.locator("#search-q").bounding_box()
    button = page.locator(".search-form button").bounding_box()
    assert search["height"] == button["height"]
    assert search["y"] == button["y"]


def test_every_primary_button_looks_the_same(new_page, live_server):
    post = make_post()
    page = new_page()
    look = """el => { const s = getComputedStyle(el);
        return [s.height, s.backgroundColor, s.color, s.borderRadius, s.fontSize,
                s.fontWeight]; }"""
    page.goto(live_server.url + reverse("login"))
    log_in = page.locator("main button[type=submit]").evaluate(look)
    page.goto(live_server.url + post.get_absolute_url())
    post_comment = page.locator("#submit").evaluate(look)
    preview = page.locator(".preview-button").evaluate(look)
    assert post_comment == log_in
    assert preview[0] == post_comment[0]  # secondary: another colour, one height


def test_titles_are_set_in_the_display_face_shipped_with_the_site(
    new_page, live_server
):
    call_command("load_demo", stdout=StringIO())
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + reverse("forum:post-detail", args=[browsing.SEED_SLUG]))
    page.evaluate("document.fonts.ready")
    family = page.locator("h1").evaluate("el => getComputedStyle(el).fontFamily")
    assert family.split(",")[0].strip('"') == "Fraunces"
    assert page.evaluate("document.fonts.check('600 40px Fraunces')")
    body = page.locator(".comment-content").first.evaluate(
        "el => getComputedStyle(el).fontFamily"
    )
    assert body.split(",")[0].strip('"') == "Inter"
    assert all(url.startswith(live_server.url) for url in requests), requests
    title = float(
        page.locator("h1").evaluate("el => getComputedStyle(el).fontSize")[:-2]
    )
    comments = float(
        page.locator(".comments-title").evaluate("el => getComputedStyle(el).fontSize")[
            :-2
        ]
    )
    assert title > comments * 1.3  # a scale, not one size


def test_search_results_titles_are_smaller_than_the_page_heading(new_page, live_server):
    make_post(title="Needle in a haystack", body="A needle.")
    page = new_page()
    page.goto(live_server.url + reverse("forum:search") + "?q=needle")
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    heading = page.locator("h1.page-title").evaluate(size)
    result = page.locator(".search-result .entry-title").first.evaluate(size)
    assert result < heading * 0.75


def test_the_brand_colour_is_a_custom_property(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + reverse("forum:post-list"))
    brand = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand')"
    )
    assert re.fullmatch(r"#[0-9a-f]{6}", brand.strip())
    mark = page.locator(".site-mark").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert mark.startswith("rgb(")
