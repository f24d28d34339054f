"""WordPress eXtended RSS (WXR 1.0–1.2): a streaming reader and a writer.

Reading uses the standard library's `xml.etree.ElementTree.iterparse` (expat):
each <item> is turned into an `Item` and then removed from the tree, so
memory holds one post at a time however big the file is. Expat resolves no
external entities and refuses entity expansion bombs. Characters XML 1.0
forbids (control characters some exports contain) are dropped before parsing.

The `wp:` namespace differs between versions (http://wordpress.org/export/1.0/
to 1.2/, and https:// in some files): any namespace under wordpress.org/export/
counts, matched by local name.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import BinaryIO, TextIO
from xml.sax.saxutils import escape

from django.utils import timezone

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# Bytes of the C0 controls XML 1.0 forbids; in UTF-8 they never occur inside
# a multi-byte character, so they can be dropped from the raw stream.
_FORBIDDEN = bytes(c for c in range(32) if c not in (9, 10, 13))


class WxrError(ValueError):
    """The file is not a WordPress export we can read."""


@dataclass
class Author:
    login: str
    wp_id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Category:
    slug: str
    name: str


@dataclass
class Comment:
    wp_id: int | None
    parent_id: int | None
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: datetime | None = None
    content: str = ""
    approved: str = "1"
    type: str = ""
    user_id: int | None = None

    @property
    def is_ping(self) -> bool:
        return self.type in {"pingback", "trackback"}


@dataclass(kw_only=True)
class Item:
    # In the order WordPress writes an item's elements (export.php); keyword
    # only, so that wp_id (None: the export had none) stays required.
    title: str = ""
    link: str = ""
    creator: str = ""  # dc:creator, the author's login
    guid: str = ""
    content: str = ""
    wp_id: int | None
    date: datetime | None = None
    comment_status: str = "open"
    slug: str = ""
    status: str = "publish"
    type: str = "post"
    password: str = ""
    categories: list[Category] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


class Source:
    """A binary file as expat should see it: forbidden characters dropped.

    `position` counts the bytes read so far (for progress), `dropped` the
    characters removed.
    """

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.position = 0
        self.dropped = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.position += len(chunk)
        clean = chunk.translate(None, _FORBIDDEN)
        self.dropped += len(chunk) - len(clean)
        return clean


def read(source: Source) -> Iterator[Author | Category | Item]:
    """Yield the export's authors, categories and items, in file order.

    A file is WordPress's if it holds a wp: element anywhere: items read
    before the first one wait for it (old exports have no wp:wxr_version, and
    an item pasted in from another feed has no wp: element). A file without
    any is refused at its end, and nothing of it has been yielded.
    """
    reader = _Reader()
    try:
        yield from reader.records(source)
    except ET.ParseError as error:  # "not well-formed (invalid token): line 3, …"
        if reader.root is None:  # not even a first tag: binary, empty, text
            raise WxrError(f"not a WordPress export: not XML ({error})") from None
        raise WxrError(f"broken XML: {error}") from None


class _Reader:
    """iterparse's events as records, held back until the file shows a wp: element."""

    def __init__(self):
        self.root = None  # the first element's key
        self.channel = None
        self.wordpress = False  # whether a wp: element has started
        self.waiting: list[Item] = []

    def records(self, source: Source) -> Iterator[Author | Category | Item]:
        depth = 0  # <rss> is 1, <channel> 2, an <item> 3
        for event, element in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                depth += 1
                self._start(_key(element.tag), element, depth)
                continue
            depth -= 1
            if self.channel is not None and depth == 2:
                yield from self._record(_record(element))
                # Done with it (tags and terms too): drop it, so the tree never
                # holds more than the element being read.
                self.channel.remove(element)
        if self.channel is None:
            raise WxrError("not a WordPress export: no <channel>")
        if not self.wordpress:
            raise WxrError("not a WordPress export: no wp: elements")

    def _start(self, key: str, element, depth: int) -> None:
        self.wordpress = self.wordpress or key.startswith("wp:")
        if depth == 1:
            self.root = key
            if key != "rss":
                raise WxrError(f"not a WordPress export: <{key}> is not RSS")
        elif depth == 2 and key == "channel":
            self.channel = element

    def _record(self, record) -> Iterator[Author | Category | Item]:
        if record is None:
            return
        if not self.wordpress:
            self.waiting.append(record)
            return
        yield from self.waiting
        self.waiting.clear()
        yield record


def _record(element) -> Author | Category | Item | None:
    """The channel's child as a record, or None for what is not imported."""
    key = _key(element.tag)
    if key == "wp:author":
        return _author(_fields(element))
    if key == "wp:category":
        fields = _fields(element)
        return Category(fields.get("wp:category_nicename", ""), _cat_name(fields))
    if key == "item":
        return _item(element)
    return None


def _key(tag: str) -> str:
    """`wp:post_id`, `content:encoded`, `dc:creator`, `excerpt:encoded`, or the tag."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if "wordpress.org/export/" in namespace:
        prefix = "excerpt" if namespace.rstrip("/").endswith("/excerpt") else "wp"
        return f"{prefix}:{local}"
    if namespace == CONTENT_NS:
        return f"content:{local}"
    if namespace == DC_NS:
        return f"dc:{local}"
    return tag


def _text(element) -> str:
    return (element.text or "").strip()


def _fields(element) -> dict[str, str]:
    """The element's children as {key: text} (the last one of a repeated key)."""
    return {_key(child.tag): child.text or "" for child in element}


def _int(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _date(value: str | None) -> datetime | None:
    """A WordPress date ("2013-03-14 07:57:01", UTC); None if absent or zero."""
    try:
        parsed = datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC)


def _author(fields: dict[str, str]) -> Author:
    return Author(
        login=fields.get("wp:author_login", "").strip(),
        wp_id=_int(fields.get("wp:author_id")),
        email=fields.get("wp:author_email", "").strip(),
        display_name=fields.get("wp:author_display_name", "").strip(),
        first_name=fields.get("wp:author_first_name", "").strip(),
        last_name=fields.get("wp:author_last_name", "").strip(),
    )


def _cat_name(fields: dict[str, str]) -> str:
    return fields.get("wp:cat_name", "").strip()


def _item(element) -> Item:
    fields = _fields(element)
    return Item(
        wp_id=_int(fields.get("wp:post_id")),
        # An empty type is a post, as wp_insert_post() takes it.
        type=fields.get("wp:post_type", "").strip() or "post",
        title=fields.get("title", ""),
        slug=fields.get("wp:post_name", "").strip(),
        status=fields.get("wp:status", "publish").strip(),
        # GMT first; drafts have a zero GMT date but a local one. An item
        # without wp: elements has only RSS's own date.
        date=_date(fields.get("wp:post_date_gmt"))
        or _date(fields.get("wp:post_date"))
        or _rss_date(fields.get("pubDate")),
        # RSS without content:encoded carries its HTML in the description.
        content=fields.get("content:encoded", fields.get("description", "")),
        comment_status=fields.get("wp:comment_status", "open").strip(),
        password=fields.get("wp:post_password", ""),
        creator=fields.get("dc:creator", "").strip(),
        guid=fields.get("guid", "").strip(),
        link=fields.get("link", "").strip(),
        categories=_categories(element),
        comments=[_comment(_fields(c)) for c in element if _key(c.tag) == "wp:comment"],
    )


def _categories(element) -> list[Category]:
    """The item's categories; a plain RSS <category> (old exports repeat each
    category as one) counts unless a WordPress one has its name."""
    found, plain = [], []
    for child in element:
        if _key(child.tag) != "category":
            continue
        if child.get("domain") == "category":
            found.append(Category(child.get("nicename", ""), _text(child)))
        elif child.get("domain") is None and _text(child):
            plain.append(_text(child))
    names = {category.name for category in found}
    extra = [name for name in dict.fromkeys(plain) if name not in names]
    return found + [Category("", name) for name in extra]


def _rss_date(value: str | None) -> datetime | None:
    """An RSS date ("Mon, 31 Dec 2007 23:30:00 +0100") in UTC; None if unreadable."""
    try:
        parsed = parsedate_to_datetime((value or "").strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000": the zone is unknown; WordPress writes UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _comment(fields: dict[str, str]) -> Comment:
    date = _date(fields.get("wp:comment_date_gmt"))
    return Comment(
        wp_id=_int(fields.get("wp:comment_id")),
        parent_id=_int(fields.get("wp:comment_parent")) or None,
        author=fields.get("wp:comment_author", "").strip(),
        email=fields.get("wp:comment_author_email", "").strip(),
        url=fields.get("wp:comment_author_url", "").strip(),
        ip=fields.get("wp:comment_author_IP", "").strip(),
        date=date or _date(fields.get("wp:comment_date")),
        content=fields.get("wp:comment_content", ""),
        # "" when absent or empty; the importer decides what that means.
        approved=fields.get("wp:comment_approved", "").strip(),
        type=fields.get("wp:comment_type", "").strip(),
        user_id=_int(fields.get("wp:comment_user_id")) or None,
    )


# --- Writing ----------------------------------------------------------------

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "removed": "trash"}

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- A WordPress eXtended RSS (WXR) file made by Parley's export_wxr. -->
<!-- WordPress imports it with Tools > Import > WordPress; Parley with import_wxr. -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
"""
FOOTER = "</channel>\n</rss>\n"


def write_header(
    out: TextIO, *, title: str, link: str, description: str, now: datetime
) -> None:
    """Write the XML declaration and the channel's own elements."""
    out.write(HEADER)
    # Plain text, as WordPress writes them: its fallback parser reads these
    # without looking for CDATA.
    for name, value in (
        ("title", title),
        ("link", link),
        ("description", description),
        ("pubDate", format_datetime(now)),
        ("language", "en-US"),
        ("wp:wxr_version", "1.2"),
        ("wp:base_site_url", link),
        ("wp:base_blog_url", link),
        ("generator", "Parley"),
    ):
        out.write(f"\t<{name}>{_escape(value)}</{name}>\n")


def write_author(out: TextIO, author: Author) -> None:
    out.write("\t<wp:author>\n")
    out.write(_element("wp:author_id", author.wp_id))
    out.write(_element("wp:author_login", author.login))
    out.write(_element("wp:author_email", author.email))
    out.write(_element("wp:author_display_name", author.display_name))
    out.write(_element("wp:author_first_name", author.first_name))
    out.write(_element("wp:author_last_name", author.last_name))
    out.write("\t</wp:author>\n")


def write_category(out: TextIO, category: Category, term_id: int) -> None:
    out.write("\t<wp:category>\n")
    out.write(_element("wp:term_id", term_id))
    out.write(_element("wp:category_nicename", category.slug))
    out.write(_element("wp:category_parent", ""))
    out.write(_element("wp:cat_name", category.name))
    out.write("\t</wp:category>\n")


def write_item(out: TextIO, item: Item, *, link: str) -> None:
    """Write one post, its categories and its comments (parents first)."""
    out.write("\t<item>\n")
    out.write(_element("title", item.title))
    out.write(f"\t\t<link>{_escape(link)}</link>\n")
    out.write(f"\t\t<pubDate>{format_datetime(item.date)}</pubDate>\n")
    out.write(_element("dc:creator", item.creator))
    out.write(f'\t\t<guid isPermaLink="false">{_escape(link)}</guid>\n')
    out.write("\t\t<description></description>\n")
    out.write(_element("content:encoded", item.content))
    out.write(_element("excerpt:encoded", ""))
    out.write(_element("wp:post_id", item.wp_id))
    out.write(_element("wp:post_date", wp_date(timezone.localtime(item.date))))
    out.write(_element("wp:post_date_gmt", wp_date(item.date.astimezone(UTC))))
    out.write(_element("wp:comment_status", item.comment_status))
    out.write(_element("wp:ping_status", "closed"))
    out.write(_element("wp:post_name", item.slug))
    out.write(_element("wp:status", item.status))
    out.write(_element("wp:post_parent", 0))
    out.write(_element("wp:menu_order", 0))
    out.write(_element("wp:post_type", item.type))
    out.write(_element("wp:post_password", item.password))
    out.write(_element("wp:is_sticky", 0))
    for category in item.categories:
        out.write(
            f'\t\t<category domain="category" nicename="{_escape(category.slug)}">'
            f"{_cdata(category.name)}</category>\n"
        )
    for comment in item.comments:
        _write_comment(out, comment)
    out.write("\t</item>\n")


def _write_comment(out: TextIO, comment: Comment) -> None:
    out.write("\t\t<wp:comment>\n")
    for name, value in (
        ("comment_id", comment.wp_id),
        ("comment_author", comment.author),
        ("comment_author_email", comment.email),
        ("comment_author_url", comment.url),
        ("comment_author_IP", comment.ip),
        ("comment_date", wp_date(timezone.localtime(comment.date))),
        ("comment_date_gmt", wp_date(comment.date.astimezone(UTC))),
        ("comment_content", comment.content),
        ("comment_approved", comment.approved),
        ("comment_type", comment.type),
        ("comment_parent", comment.parent_id or 0),
        ("comment_user_id", comment.user_id or 0),
    ):
        out.write(_element(f"wp:{name}", value, 3))
    out.write("\t\t</wp:comment>\n")


def wp_date(value: datetime) -> str:
    """A WordPress date, "2013-03-14 07:57:01", of an aware datetime as it is."""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _element(name: str, value, indent: int = 2) -> str:
    """One line: <name>value</name>, text in CDATA, numbers as they are."""
    inner = str(value) if isinstance(value, int) else _cdata(value or "")
    return "\t" * indent + f"<{name}>{inner}</{name}>\n"


def _cdata(text: str) -> str:
    """Wrap text in CDATA as WordPress's exporter does (wxr_cdata)."""
    text = _XML_FORBIDDEN.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _escape(text: str) -> str:
    """Escape text for XML content or a double-quoted attribute."""
    return escape(_XML_FORBIDDEN.sub("", text), {'"': "&quot;"})
