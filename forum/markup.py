"""Markdown to safe HTML, for comments (a small subset) and posts (staff).

A real parser (markdown-it-py) turns Markdown into HTML with raw HTML
disabled for comments; an allowlist sanitizer (nh3, i.e. ammonia) then drops
anything outside the allowlist, so a parser bug can never let a script, an
event handler, a style, an iframe, a form or a javascript:/data: URL through.
HTML is rendered once, on write, and stored: reading renders nothing.
"""

import re

import nh3
from django.utils.text import Truncator
from markdown_it import MarkdownIt

COMMENT_TAGS = {"p", "br", "a", "em", "strong", "blockquote", "code"}
COMMENT_RULES = [
    "emphasis",
    "blockquote",
    "backticks",
    "newline",
    "escape",
    "entity",
    "link",
    "autolink",
    "linkify",
]
URL_SCHEMES = {"http", "https", "mailto"}

_comment_parser = MarkdownIt("zero", {"breaks": True, "linkify": True}).enable(
    COMMENT_RULES
)
_post_parser = MarkdownIt(
    "commonmark", {"html": True, "linkify": True, "typographer": True}
).enable(["table", "strikethrough", "linkify", "replacements", "smartquotes"])

_LINK = re.compile(r"<a\s", re.IGNORECASE)


def render_comment(source: str) -> str:
    """Return the comment's Markdown as sanitized HTML."""
    return _clean_comment(_comment_parser.render(source))


def _clean_comment(html: str) -> str:
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    ).strip()


def excerpt_comment(html: str, *, chars: int) -> str:
    """Return the start of a comment's stored HTML: `chars` characters of text.

    Tags cut open are closed, and the result is sanitized again, so a row
    stored by other means (an import, a raw UPDATE) is held to the same rules.
    """
    return _clean_comment(Truncator(html).chars(chars, html=True))


def render_post(source: str) -> str:
    """Return a post's Markdown (staff may mix in HTML) as sanitized HTML."""
    return nh3.clean(
        _post_parser.render(source),
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    ).strip()


def count_links(html: str) -> int:
    """Return how many links the rendered HTML holds."""
    return len(_LINK.findall(html))
