"""A thread page put together from its conversations' cached HTML.

Every top-level comment roots its own tree (docs/decisions/0001), and a write
changes one conversation: a reply, a status, an edit. So the HTML that every
reader sees alike is cached per conversation, keyed by its version
(Comment.tree_version on its first comment, moved by the write in the same
transaction) and by everything on the page that shapes it (the post's
conversations_version, the page's address in Reply links, the layout, the
language, the time zone). A page reads its conversations' keys with its
top-level comments (one query), asks the cache for all of them at once,
and renders only the missing ones, in one pass over one query's rows.

What is per page stays out: numbering (the <ol>'s `start`, CSS counters),
the page count, the form, and anything personal (those pages never come
here: forum.views.thread_page renders them whole).
"""

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from forum.models import CommentOrder
from forum.reading_order import refresh_bucket
from forum.thread_html import ThreadLayout
from forum.thread_pages import PageTrees, conversation_rows, page_trees

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
# Renders some conversations' rows: (first comment's id, HTML) for each.
Render = Callable[[list, list[int]], list[tuple[int, str]]]


def page_html(
    post,
    page: int,
    layout: ThreadLayout,
    *,
    comments_open: bool,
    render: Render,
    use_cache: bool = True,
    order: str = CommentOrder.OLD,
) -> tuple[PageTrees, bytes, int]:
    """Return a numbered page's conversations, their HTML, and how many were
    rendered (the rest came from the cache). use_cache: False when the cache
    just failed, so it is not asked again. order: the reader's (replies are
    sorted in it inside each conversation, so it is in the keys)."""
    trees = page_trees(post, page, layout, order)
    keys = _keys(post, page, layout, comments_open, trees, order)
    found, cache_up = _get_many(list(keys.values())) if use_cache else ({}, False)
    missing = [root for root in trees.roots if keys[root[0]] not in found]
    if missing:
        rows = conversation_rows(
            post,
            [tree for tree, *_ in missing],
            newest_first=layout.newest_first,
            every=not layout.per_page and len(missing) == len(trees.roots),
            order=order,
        )
        tree_of = {pk: tree for tree, _, pk in missing}
        rendered = {
            keys[tree_of[pk]]: html.encode()
            for pk, html in render(rows, list(tree_of.values()))
        }
        found.update(rendered)
        if cache_up:
            _set_many(rendered)
    html = b"".join(found.get(keys[tree], b"") for tree, *_ in trees.roots)
    return trees, html, len(missing)


def _keys(
    post, page, layout, comments_open, trees: PageTrees, order: str
) -> dict[int, str]:
    """Each conversation's cache key, by tree id.

    Under votes it holds the refresh period: scores, folds and the order of
    replies are recomputed at most that often (docs/decisions/0022).
    """
    depends = (
        order,
        refresh_bucket(order),
        post.slug,  # in Reply links, with the page
        post.author_id,  # the "Author" badge
        page,
        comments_open,
        layout,
        timezone.get_current_timezone_name(),
        get_language(),
    )
    shape = hashlib.sha256(repr(depends).encode()).hexdigest()[:16]
    prefix = (
        f"forum:conv:{post.pk}:{post.created_at.timestamp()}:"
        f"{post.conversations_version}:{shape}"
    )
    return {tree: f"{prefix}:{tree}:{version}" for tree, version, _ in trees.roots}


def _get_many(keys: list[str]) -> tuple[dict[str, bytes], bool]:
    """The cached conversations found, and whether the cache answered.

    A cache that is down slows pages, never breaks them.
    """
    try:
        return cache.get_many(keys), True
    except Exception:  # Redis errors vary by client version: anything counts
        logger.warning("Conversation cache unavailable", exc_info=True)
        return {}, False


def _set_many(rendered: dict[str, bytes]) -> None:
    try:
        seconds = CACHE_SECONDS
        if settings.VOTES != "off":  # keyed by a refresh period: kept as long
            seconds = min(seconds, 2 * settings.VOTES_REFRESH_SECONDS)
        cache.set_many(rendered, seconds)
    except Exception:
        logger.warning("Conversation cache unavailable", exc_info=True)
