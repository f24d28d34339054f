"""Search over published posts and approved comments.

PostgreSQL: full-text search with websearch syntax ("quoted phrases", -word,
or), ranked by SearchRank, served by GIN indexes on the same expressions
(migration 0008), snippets from ts_headline. SQLite: every word must appear
(icontains), newest first, snippets cut in Python.

Snippets are plain text: the HTML they come from is stripped, the text is
escaped, and only our own <mark> tags are added around the matches.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections
from django.db.models import F, FloatField, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Replace
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from forum.models import Comment, Post, display_name

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # SQLite: each word is one more LIKE over every row
SNIPPET_CHARS = 240
# PostgreSQL's text search configuration for each shipped language; one it
# lacks (Ukrainian) gets `simple` (words lowercased, not stemmed). Migration
# 0027 indexes the expressions below with this same table written out, so a
# change here needs a migration that rebuilds the indexes.
CONFIGS = {
    "en": "english",
    "ar": "arabic",
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "pt-br": "portuguese",
}
FALLBACK_CONFIG = "simple"


class LanguageConfig(Func):
    """The row's language as a regconfig: a CASE over constants, so immutable
    (indexable), where casting the language's name would not be."""

    output_field = TextField()

    def __init__(self, field: str = "language"):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        branches = " ".join(
            f"WHEN '{code}' THEN '{config}'::regconfig"
            for code, config in CONFIGS.items()
        )
        return (
            f"CASE {column} {branches} ELSE '{FALLBACK_CONFIG}'::regconfig END",
            params,
        )


ROW_CONFIG = LanguageConfig()
POST_VECTOR = SearchVector("title", weight="A", config=ROW_CONFIG) + SearchVector(
    "body_html", weight="B", config=ROW_CONFIG
)
COMMENT_VECTOR = SearchVector("body_html", config=ROW_CONFIG)
# Private-use characters around matches in ts_headline's output: they survive
# stripping and escaping, and only then become <mark> tags.
START, STOP = "\ue000", "\ue001"
# The same for where a blockquote starts and stops, until they become “ and ”.
QUOTE_START, QUOTE_STOP = "\ue002", "\ue003"
BLOCKQUOTE_OPEN = re.compile(r"<blockquote\b[^>]*>", re.IGNORECASE)
BLOCKQUOTE_CLOSE = re.compile(r"</blockquote\s*>", re.IGNORECASE)
PUNCTUATION = ".,;:!?…“”‘’\"' "
BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|pre|div|tr)\s*>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    kind: str  # "post" or "comment"
    title: str
    url: str
    snippet: SafeString
    date: datetime
    author: str


def clean_query(raw: str) -> str:
    """Return the query as searched: no NUL or sentinel characters, no outer spaces."""
    return _unmarked(raw.replace("\x00", "")).strip()


SENTINELS = str.maketrans(dict.fromkeys(START + STOP + QUOTE_START + QUOTE_STOP))


def _unmarked(text: str) -> str:
    """The text without our sentinels: only matches and quotes may carry them."""
    return text.translate(SENTINELS)


def matches(q: str) -> QuerySet:
    """Return rows (kind, item, score, when) for every match, best first."""
    posts = Post.objects.published()
    comments = Comment.objects.approved().filter(post__in=Post.objects.published())
    if _is_postgresql(posts):
        posts = posts.alias(v=POST_VECTOR).filter(_matching(q))
        comments = comments.alias(v=COMMENT_VECTOR).filter(_matching(q))
        query = _row_query(q)
        post_score = SearchRank(POST_VECTOR, query)
        comment_score = SearchRank(COMMENT_VECTOR, query)
    else:
        included, excluded = _terms(q)
        posts = posts.filter(_like(included, excluded, "title", "body_html"))
        comments = comments.filter(_like(included, excluded, "body_html"))
        post_score = comment_score = Value(0.0, output_field=FloatField())
    # Every column is an expression, so both sides of the UNION list them in
    # the same order; the tree manager's ORDER BY must go (SQLite refuses it).
    rows = posts.order_by().values(
        kind=Value("post"), item=F("pk"), score=post_score, when=F("published_at")
    )
    other = comments.order_by().values(
        kind=Value("comment"), item=F("pk"), score=comment_score, when=F("created_at")
    )
    return rows.union(other, all=True).order_by("-score", "-when", "-item")


def _matching(q: str) -> Q:
    """Rows whose vector (aliased `v`) matches the query parsed in their language.

    One arm per configuration, each against a constant tsquery: the GIN
    index serves every arm (a BitmapOr), where a tsquery built from the
    row's language would have to be computed for every row.
    """
    condition = ~Q(language__in=list(CONFIGS)) & Q(v=_query(q, FALLBACK_CONFIG))
    for code, config in CONFIGS.items():
        condition |= Q(language=code, v=_query(q, config))
    return condition


def _query(q: str, config) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config=config)


def _row_query(q: str) -> SearchQuery:
    """The query parsed in each row's language: for ranks and snippets."""
    return _query(q, ROW_CONFIG)


def results(rows, q: str) -> list[Result]:
    """Turn a page of `matches` rows into results with highlighted snippets."""
    ids = {"post": [], "comment": []}
    for row in rows:
        ids[row["kind"]].append(row["item"])
    found = {**_posts(ids["post"], q), **_comments(ids["comment"], q)}
    return [found[row["kind"], row["item"]] for row in rows]


def _posts(ids: list[int], q: str) -> dict:
    posts = Post.objects.filter(pk__in=ids).select_related("author")
    posts = _with_snippets(posts.defer("body"), q)
    return {
        ("post", p.pk): Result(
            kind="post",
            title=p.title,
            url=p.get_absolute_url(),
            snippet=p.snippet,
            date=p.published_at,
            author=display_name(p.author),
        )
        for p in posts
    }


def _comments(ids: list[int], q: str) -> dict:
    comments = Comment.objects.filter(pk__in=ids).select_related("post")
    comments = _with_snippets(
        comments.only("author_name", "created_at", "body_html", "post__title"), q
    )
    return {
        ("comment", c.pk): Result(
            kind="comment",
            title=c.post.title,
            url=c.get_absolute_url(),
            snippet=c.snippet,
            date=c.created_at,
            author=c.author_name,
        )
        for c in comments
    }


def _with_snippets(queryset: QuerySet, q: str) -> list:
    """Evaluate the queryset, giving each object a `snippet`."""
    if not _is_postgresql(queryset):
        objects = list(queryset)
        included, _ = _terms(q)
        for obj in objects:
            obj.snippet = _cut_snippet(_text(_unmarked(obj.body_html)), included)
        return objects
    # Sentinels go from the text before ts_headline adds its own (a reader's
    # U+E000 must not become a <mark>); ts_headline drops tags, so where
    # quotations start and stop goes in as characters it keeps, which _text()
    # turns into quotation marks.
    body = "body_html"
    for sentinel in (START, STOP, QUOTE_START, QUOTE_STOP):
        body = Replace(body, Value(sentinel))
    quoted = Replace(
        Replace(body, Value("<blockquote>"), Value(QUOTE_START)),
        Value("</blockquote>"),
        Value(QUOTE_STOP),
    )
    headline = SearchHeadline(
        quoted,
        _row_query(q),
        config=ROW_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=40,
        min_words=20,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    objects = list(queryset.annotate(headline=headline))
    for obj in objects:
        whole = _text(_unmarked(obj.body_html))
        obj.snippet = _marked(_elided(_text(obj.headline), whole))
    return objects


def _elided(fragments: str, whole: str) -> str:
    """Mark with … where ts_headline's fragments leave out the text's start or end."""
    plain = fragments.replace(START, "").replace(STOP, "").split(" … ")
    # ts_headline leaves out punctuation around its fragments' ends.
    prefix = "" if whole.startswith(plain[0].lstrip(PUNCTUATION)) else "… "
    suffix = "" if whole.rstrip(PUNCTUATION).endswith(plain[-1]) else " …"
    return f"{prefix}{fragments}{suffix}"


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _terms(q: str) -> tuple[list[str], list[str]]:
    """Split a query into words or "quoted phrases" to include and -words to exclude."""
    included, excluded = [], []
    for phrase, word in re.findall(r'(-?"[^"]+")|(\S+)', q)[:MAX_TERMS]:
        term = (phrase or word).replace('"', "")
        if term.lower() == "or" or term in {"", "-"}:
            continue
        if term.startswith("-"):
            excluded.append(term[1:])
        else:
            included.append(term)
    return included, excluded


def _like(included: list[str], excluded: list[str], *fields: str) -> Q:
    condition = Q()
    for term in included:
        condition &= _any_field(term, fields)
    for term in excluded:
        condition &= ~_any_field(term, fields)
    return condition


def _any_field(term: str, fields) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, entities decoded, spaces collapsed.

    Blocks never run into each other, and a quoted passage (a blockquote)
    stands in quotation marks, so it doesn't run into the words after it.
    """
    fragment = BLOCKQUOTE_OPEN.sub(f" {QUOTE_START}", fragment)
    fragment = BLOCKQUOTE_CLOSE.sub(f"{QUOTE_STOP} ", fragment)
    fragment = BLOCK_END.sub(" ", fragment)
    text = " ".join(html.unescape(strip_tags(fragment)).split())
    # A quotation that has its own quotation marks keeps just those.
    text = re.sub(rf"{QUOTE_START} ?(?=[\"“‘])|(?<=[\"”’]) ?{QUOTE_STOP}", "", text)
    return re.sub(rf" ?{QUOTE_STOP}", "”", re.sub(rf"{QUOTE_START} ?", "“", text))


def _marked(text: str) -> SafeString:
    """Escape the text, then turn the sentinels around matches into <mark>."""
    escaped = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(escaped)  # noqa: S308 -- escaped above


def _cut_snippet(text: str, terms: list[str]) -> SafeString:
    """SQLite: the text around the first match, in whole words, each match marked."""
    text = _unmarked(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    first = pattern.search(text) if terms else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    end = start + SNIPPET_CHARS
    if start:  # begin at the start of a word, never past the match
        space = text.find(" ", start - 1, first.start() if first else end)
        start = space + 1 if space >= 0 else start
    if end < len(text):  # and stop at the end of one
        space = text.rfind(" ", start, end + 1)
        end = space if space > start else end
    window = text[start:end]
    if terms:
        window = pattern.sub(lambda m: f"{START}{m.group()}{STOP}", window)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return _marked(f"{prefix}{window}{suffix}")
