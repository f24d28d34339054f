"""WordPress content in Parley: paragraphs as WordPress makes them, safe HTML,
and WordPress's values (names, logins, slugs, addresses) as Parley stores them.

WordPress stores posts and comments as HTML without paragraph tags, and adds
them on display (`wpautop`); `autop` below is a port of it.

- Posts: `Post.body` is Markdown that may contain HTML (staff write it). An
  imported post's body is its HTML, after `autop`, inside one `<div>` with no
  blank line in it: Markdown passes an HTML block through untouched up to the
  first blank line, so none of WordPress's text (indented lines, asterisks,
  backslashes) is read as Markdown. `render_post` then sanitizes it as any
  post, and editing it later works the same way.
- Comments: `Comment.body` keeps WordPress's HTML as it was (the source, and
  what an export writes back); `body_html` is that HTML after `autop`,
  sanitized by nh3 with the comment allowlist plus the tags WordPress lets
  into comments and the ones the theme unit test uses (headings, lists,
  tables, pre, images). Links get `rel="nofollow ugc noopener"`; URLs must be
  http, https or mailto; no style, class, script, handler or iframe survives.
"""

import html
import ipaddress
import re
from urllib.parse import unquote

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.html import strip_tags
from django.utils.text import slugify

from forum import markup

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol"
    r"|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset"
    r"|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption"
    r"|details|menu|summary)"
)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.DOTALL | re.IGNORECASE)

IMPORTED_COMMENT_TAGS = markup.COMMENT_TAGS | {
    # WordPress's allowlist for commenters ($allowedtags)
    *("abbr", "acronym", "b", "cite", "del", "i", "q", "s", "strike"),
    # what the theme unit test's comments use
    *("address", "big", "dd", "dl", "dt", "hr", "img", "ins", "kbd", "li", "ol"),
    *("pre", "small", "sub", "sup", "ul", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
# No `cite` attributes: nh3 does not check their URLs' schemes.
IMPORTED_COMMENT_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def autop(text: str) -> str:
    """Return WordPress's wpautop of `text`: <p> for blank lines, <br> for newlines."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pres: list[str] = []

    def keep_pre(match: re.Match) -> str:
        pres.append(match.group())
        return f"<pre wp-pre-tag-{len(pres) - 1}></pre>"

    text = _PRE.sub(keep_pre, text) + "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{_BLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_BLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = _tidy_paragraphs(text)
    text = re.sub(r"<br\s*/?>", "<br />", text)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(
        r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text
    )
    text = re.sub(r"\n</p>$", "</p>", text)
    for index, pre in enumerate(pres):
        text = text.replace(f"<pre wp-pre-tag-{index}></pre>", pre)
    return text


def _tidy_paragraphs(text: str) -> str:
    """wpautop's clean-up: no <p> around block tags, none left empty."""
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", r"\1", text)
    return re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)


def post_body(content: str) -> str:
    """Return a WordPress post's HTML as a Post.body that Markdown leaves alone."""
    # Block-editor posts carry their own markup; WordPress skips wpautop too.
    html = content if "<!-- wp:" in content else autop(content)
    html = _PRE.sub(lambda m: m.group().replace("\n", "&#10;"), html)
    lines = [line for line in html.split("\n") if line.strip()]
    return "<div>\n" + "\n".join(lines) + "\n</div>" if lines else "<div></div>"


def comment_html(content: str) -> str:
    """Return a WordPress comment's HTML, with paragraphs, sanitized for display."""
    return nh3.clean(
        autop(content),
        tags=IMPORTED_COMMENT_TAGS,
        attributes=IMPORTED_COMMENT_ATTRIBUTES,
        url_schemes=markup.URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    ).strip()


# --- Values ------------------------------------------------------------------

FALLBACK_LOGIN = "wordpress"  # for posts without a dc:creator
_url_validator = URLValidator(schemes=["http", "https"])


def plain_text(text: str) -> str:
    """WordPress text (titles, names: HTML allowed, entities used) as plain text."""
    return " ".join(html.unescape(strip_tags(text or "")).split())


def login(value: str) -> str:
    """A username for a WordPress login, within Django's username rules.

    Stray characters go (one real export has a post by ">themereviewteam"),
    spaces become underscores.
    """
    name = re.sub(r"[^\w.@+-]", "", "_".join((value or "").split()))
    return name[:150] or FALLBACK_LOGIN


def slug(value: str) -> str:
    """An ASCII slug for a WordPress slug (percent-encoded UTF-8) or a title."""
    return slugify(unquote(value or ""))


def email(value: str) -> str:
    """The address, lower-cased, or "" if it is not one."""
    value = (value or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def url(value: str) -> str:
    """The http(s) URL if it fits Comment.author_url, else ""."""
    value = (value or "").strip()
    try:
        _url_validator(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


def ip(value: str) -> str | None:
    """The IP address, normalised, or None if it is not one."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None
