"""Whole pages for anonymous readers, from Django's cache (issue 14).

Most readers are anonymous and only read: for them the home page, category
pages, thread pages, subthread pages, feeds and the sitemap are stored whole
and answered without a query. What differs per reader is spliced into the
stored bytes at marked places: the CSRF token and the comment form's timing
token (fresh for every reader: the token carries a nonce that may be spent
only a few times), and the name, email and address remembered in the reader's
own cookies with the consent box. The stored copy is always rendered without
those cookies, so it holds nobody's details.

Anything else personal is never stored and never served from the store: a
session (signed in, or any session), flash messages, the reader's own
comments on the post, and anything but a plain 200 without cookies. Those
requests are rendered as before (`X-Page-Cache: bypass`).

A page's key holds what picks it: the address, language, time zone, layout
settings and the reader's order. Stored with it are the versions it was
rendered under - the site's, the lists' (home, categories, feeds, sitemap) or
its post's (by slug) - and, under votes, the period of its scores. One round
trip reads the page and the current versions together. A write replaces the
versions it changes (`touch_posts`, `touch_lists`, `touch_site`), so the page
no longer matches: the next reader renders it again (`miss`), and readers
who come while that render runs get the page from before the write (`stale`,
for the few milliseconds it takes) instead of each rendering it too.
"""

import hashlib
import logging
import re
import secrets
from functools import wraps
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import parse_http_date_safe, quote_etag
from django.utils.translation import get_language

from config.routers import reads_from
from forum.forms import form_token, read_token
from forum.own_comments import OWN_COOKIE, own_comments
from forum.reading_order import ORDER_COOKIE, VOTER_COOKIE, refresh_bucket

logger = logging.getLogger(__name__)

HEADER = "X-Page-Cache"
SITE = "pc:v:site"
LISTS = "pc:v:lists"
# Query parameters that choose a page; any other makes the request a bypass
# (no unbounded set of keys from made-up parameters, no view left guessing).
PAGE_PARAMS = frozenset({"page", "p", "sort"})
# The cookies that fill the comment form's identity fields (views.reading).
REMEMBERED = {
    "author": "comment_author",
    "email": "comment_author_email",
    "url": "comment_author_url",
}
# What a stored page depends on besides its address and versions.
LAYOUT_SETTINGS = (
    "POSTS_PER_PAGE",
    "COMMENTS_PER_PAGE",
    "COMMENTS_ORDER",
    "COMMENT_DISPLAY_DEPTH",
    "COMMENT_REQUIRE_LOGIN",
    "COMMENT_REQUIRE_NAME_EMAIL",
    "COMMENTS_CLOSE_AFTER_DAYS",
    "AVATARS",
    "SITE_NAME",
    "SITE_TAGLINE",
    "SITE_URL",
    "LIVE_POLL_SECONDS",
    "VOTES",
    "VOTES_DOWN",
    "COMMENT_ORDER",
    "COMMENT_COLLAPSE_SCORE",
)
# Bump when what is stored changes shape.
FORMAT = 2
# How long one worker may take to render a page that others meanwhile serve
# from before the write (its claim expires if that worker dies).
CLAIM_SECONDS = 10

# The per-reader places in a rendered page. Each match is stored as a marker
# name between two byte strings; `_fill` turns a marker into this reader's value.
# Every alternative starts with the same literal, which `re` scans for quickly:
# with no common prefix, a 1.6 MB page took 28 ms to cut instead of 0.8.
_SPLICES = re.compile(
    rb'<input type="(?:'
    rb'hidden" name="(?:(?P<csrf>csrfmiddlewaretoken)|(?P<token>form_token))"'
    rb' value="(?P<value>[^"]*)"'
    rb'|(?:text|email|url)" name="(?P<field>author|email|url)"'
    rb'|checkbox" name="cookies_consent")'
)


class Unavailable(Exception):
    """The cache failed: the page is rendered as if there were none."""


def cache_page(scope: str):
    """Serve the view's page from the cache for readers with nothing personal.

    scope: "lists" (home, categories, feeds, sitemap), "post" (a post's pages
    and feeds: the `slug` argument) or "subthread" (the `pk` argument).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds or _personal(request):
                return _bypass(view(request, *args, **kwargs))
            try:
                # Stored pages are read from the primary: a replica's rows from
                # before a write must not be kept under the versions after it.
                with reads_from(DEFAULT_DB_ALIAS):
                    return _cached_page(request, view, scope, seconds, args, kwargs)
            except Unavailable:
                return _bypass(view(request, *args, **kwargs))

        return wrapped

    return decorator


def _cached_page(request, view, scope, seconds, args, kwargs):
    place = page_place(request, scope, kwargs)
    if place is None:  # the reader's own comments are on this post
        return _bypass(view(request, *args, **kwargs))
    key, names = place
    # One round trip: the stored page and the versions it must match.
    found = _call(cache.get_many, [key, *names])
    stamp = _stamp(scope, _versions(names, found))
    values = _Values(request)
    stored = found.get(key)
    if stored is not None:
        stored_stamp, entry = stored
        if stored_stamp == stamp:
            return _serve(request, entry, values, "hit")
        if not _call(cache.add, claim_key(key), 1, CLAIM_SECONDS):
            # Another worker is rendering the new page: readers get the one
            # from just before the write meanwhile, not a render each.
            return _serve(request, entry, values, "stale")
    response = None
    try:
        place = (key, stamp, seconds)
        response = _render_and_store(request, view, place, values, args, kwargs)
        return response
    finally:
        if stored is not None:
            # Not replaced (the post is gone: a 404; or an error): the last
            # page must not be served again while others render.
            replaced = response is not None and response[HEADER] == "miss"
            _drop([claim_key(key)] if replaced else [claim_key(key), key])


def _render_and_store(request, view, place, values, args, kwargs):
    key, stamp, seconds = place
    for name in REMEMBERED.values():  # stored copies hold nobody's details
        request.COOKIES.pop(name, None)
    response = view(request, *args, **kwargs)
    request.COOKIES.update(values.cookies)
    if not _storable(request, response):
        return _bypass(response)
    entry = _entry(response)
    _call(cache.set, key, (stamp, entry), seconds)
    return _serve(request, entry, values, "miss")


def _personal(request) -> bool:
    """True when the page may hold something of this reader's beyond the splices."""
    if request.method not in {"GET", "HEAD"}:
        return True
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return True
    if VOTER_COOKIE in cookies:  # a guest who votes: their votes are marked
        return True
    return not set(request.GET) <= PAGE_PARAMS


def page_place(request, scope: str, kwargs) -> tuple[str, list[str]] | None:
    """The page's key and the names of the versions it depends on; None when
    the page is the reader's own.

    The key holds what picks the page; the versions (what writes move) are
    stored with it, so a page after a write is found and known to be stale.
    """
    names = [SITE]
    if scope == "subthread":
        slug = _slug_of_comment(kwargs["pk"])
        if slug is None:
            return None
    else:
        slug = kwargs.get("slug")
    if scope == "lists":
        names.append(LISTS)
    else:
        if _owns_comment_on(request, slug):
            return None
        names.append(_post_key(slug))
    depends = (
        FORMAT,
        scope,
        request.scheme,
        request.get_host(),
        request.path,
        sorted(request.GET.lists()),
        get_language(),
        timezone.get_current_timezone_name(),
        [getattr(settings, name, None) for name in LAYOUT_SETTINGS],
        # The order a thread is read in (forum.reading_order).
        request.COOKIES.get(ORDER_COOKIE, "") if scope != "lists" else "",
    )
    key = "pc:page:" + hashlib.sha256(repr(depends).encode()).hexdigest()
    return key, names


def _stamp(scope: str, versions: dict[str, str]) -> tuple:
    """What a stored page must have been rendered under to be served as new:
    the versions, and under votes the period its scores and order belong to."""
    bucket = refresh_bucket("") if scope != "lists" else 0
    return (*sorted(versions.items()), bucket)


def claim_key(key: str) -> str:
    """Held (cache.add) by the one worker rendering the page again."""
    return f"{key}:rendering"


def _slug_of_comment(pk: int) -> str | None:
    """The slug of a comment's post, cached per site version (slugs can change)."""
    from forum.models import Comment

    site = _versions([SITE])[SITE]
    key = f"pc:c2p:{site}:{pk}"
    slug = _call(cache.get, key)
    if slug is None:
        slug = (
            Comment.objects.filter(pk=pk).values_list("post__slug", flat=True).first()
        )
        if slug is not None:
            _call(cache.set, key, slug, settings.PAGE_CACHE_SECONDS)
    return slug


def _owns_comment_on(request, slug: str) -> bool:
    """True if the reader wrote a comment on this post (one query, commenters only).

    Their pending comments, edit links and own marks are on its pages.
    """
    if OWN_COOKIE not in request.COOKIES:
        return False
    from forum.models import Comment

    own = own_comments(request)
    return bool(own) and Comment.objects.filter(pk__in=own, post__slug=slug).exists()


def _storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200:
        return False
    if response.streaming or response.cookies:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False  # the view began a session: something personal
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return True


def _entry(response) -> tuple:
    """What is stored: the headers, and the body cut at the per-reader places."""
    headers = {k: v for k, v in response.items() if k.lower() != HEADER.lower()}
    parts: list = []
    body = response.content
    start = 0
    for match in _SPLICES.finditer(body):
        if match["value"] is not None:  # cut the value out, keep the quotes
            if match["csrf"]:
                marker = "csrf"
            else:
                token = read_token(match["value"].decode())
                marker = f"token:{token.post_id if token else 0}"
            parts += [body[start : match.start("value")], marker]
            start = match.end("value")
        else:  # add a value or a tick after the name
            field = match["field"]
            parts += [body[start : match.end()], (field or b"consent").decode()]
            start = match.end()
    parts.append(body[start:])
    return (headers, parts)


def _serve(request, entry: tuple, values: "_Values", outcome: str):
    headers, parts = entry
    if len(parts) > 1 and "ETag" in headers:
        # The page's validator covers this reader's remembered details.
        personal = [values.cookies, request.COOKIES.get(settings.CSRF_COOKIE_NAME)]
        digest = hashlib.sha256(repr([headers["ETag"], personal]).encode())
        headers = {**headers, "ETag": quote_etag(digest.hexdigest()[:32])}
    modified = headers.get("Last-Modified")
    response = get_conditional_response(
        request,
        etag=headers.get("ETag"),
        last_modified=parse_http_date_safe(modified) if modified else None,
    )
    if response is None:
        body = b"".join(
            part if i % 2 == 0 else values.fill(part) for i, part in enumerate(parts)
        )
        response = HttpResponse(body)
    for name, value in headers.items():
        if response.status_code == 200 or name.lower() != "content-type":
            response[name] = value
    response[HEADER] = outcome
    return response


class _Values:
    """This reader's values for the marked places of a page."""

    def __init__(self, request):
        self.request = request
        self.cookies = {
            name: request.COOKIES[name]
            for name in REMEMBERED.values()
            if name in request.COOKIES
        }
        self.remembered = {
            field: unquote(self.cookies[name])
            for field, name in REMEMBERED.items()
            if name in self.cookies
        }
        self.filled: dict[str, bytes] = {}

    def fill(self, marker: str) -> bytes:
        """The value for a marker: one per page, however many places hold it.

        A thread has a CSRF input in every comment's vote form; masking a new
        token for each one cost more than the rest of a cache hit.
        """
        value = self.filled.get(marker)
        if value is None:
            value = self.filled[marker] = self._value(marker)
        return value

    def _value(self, marker: str) -> bytes:
        if marker == "csrf":
            return get_token(self.request).encode()
        if marker.startswith("token:"):
            return form_token(int(marker[6:])).encode()
        if marker == "consent":
            return b" checked" if self.remembered else b""
        value = self.remembered.get(marker)
        return f' value="{escape(value)}"'.encode() if value else b""


def _bypass(response):
    response[HEADER] = "bypass"
    return response


# --- Versions ---------------------------------------------------------------


def _post_key(slug: str) -> str:
    return f"pc:v:post:{slug}"


def _versions(names: list[str], found: dict | None = None) -> dict[str, str]:
    """The current versions (from `found`, already read, where it has them);
    a missing one (never set, or evicted) is made new."""
    if found is None:
        found = _call(cache.get_many, names)
    versions = {name: found[name] for name in names if name in found}
    for name in set(names) - set(versions):
        _call(cache.add, name, _new_version(), None)
        versions[name] = _call(cache.get, name)
        if versions[name] is None:
            raise Unavailable(name)
    return versions


def _new_version() -> str:
    return secrets.token_hex(8)


def _call(operation, *args):
    """Run a cache operation; a cache that is down means no page cache, not a 500."""
    try:
        return operation(*args)
    except Exception as error:  # Redis errors vary by client version
        logger.warning("Page cache unavailable", exc_info=True)
        raise Unavailable from error


def _drop(keys: list[str]) -> None:
    """Delete these keys; a cache that fails here leaves them to expire."""
    try:
        cache.delete_many(keys)
    except Exception:  # Redis errors vary by client version
        logger.warning("Page cache keys not dropped", exc_info=True)


def _bump(names: list[str]) -> None:
    """Replace these versions now and again after commit.

    Now: the next reader no longer gets the old page. After commit: a page
    rendered meanwhile from the rows before the write is not served again.
    """

    if not settings.PAGE_CACHE_SECONDS:
        return  # off: nothing is stored (pages kept before expire on their own)

    def bump():
        try:
            cache.set_many(dict.fromkeys(names, _new_version()), None)
        except Exception:
            logger.warning("Page cache versions not bumped", exc_info=True)

    bump()
    transaction.on_commit(bump)


def post_version(slug: str) -> str | None:
    """The post's current version, which every write to its thread replaces.

    For conditional polls (forum.live): None when versions are not kept
    (the page cache off, so writes do not replace them) or the cache failed.
    """
    if not settings.PAGE_CACHE_SECONDS:
        return None
    key = _post_key(slug)
    try:
        return _versions([key])[key]
    except Unavailable:
        return None


def touch_posts(slugs) -> None:
    """These posts' threads changed: their pages, and the lists counting them."""
    _bump([LISTS, *(_post_key(slug) for slug in slugs)])


def touch_lists() -> None:
    """The lists changed (a post appeared, went or changed its title)."""
    _bump([LISTS])


def touch_site() -> None:
    """Something on every page changed (a category, a slug, who moderates)."""
    _bump([SITE])


# --- Writes outside the comment services ------------------------------------


def _post_saving(sender, instance, raw=False, **kwargs):
    """A new slug re-addresses every link to the post: all pages go."""
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("slug", flat=True)
    if old.first() not in {None, instance.slug}:
        touch_site()


def _post_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_posts([instance.slug])


def _categories_changed(sender, instance, action, reverse, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a category's posts changed: the category's name is theirs
        touch_site()
    else:
        touch_posts([instance.slug])


def _site_changed(sender, raw=False, **kwargs):
    if not raw:
        touch_site()


def connect() -> None:
    """Connect the receivers that bump versions (ForumConfig.ready, via signals)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from forum.models import Category, Post

    uid = "forum.page_cache."
    pre_save.connect(_post_saving, sender=Post, dispatch_uid=uid + "post_saving")
    post_save.connect(_post_changed, sender=Post, dispatch_uid=uid + "post_saved")
    post_delete.connect(_post_changed, sender=Post, dispatch_uid=uid + "post_gone")
    m2m_changed.connect(
        _categories_changed,
        sender=Post.categories.through,
        dispatch_uid=uid + "categories",
    )
    post_save.connect(_site_changed, sender=Category, dispatch_uid=uid + "cat_saved")
    post_delete.connect(_site_changed, sender=Category, dispatch_uid=uid + "cat_gone")
