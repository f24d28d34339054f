"""A post's page with its thread: the cached thread HTML, its ETag, the form.

A thread page is rendered from one or two queries (forum.thread_pages), its
HTML cached per thread version and layout when nothing on it is personal
(and, below that, per conversation: forum.conversations), and answered with
304 when the reader's copy is current (ETag and Last-Modified).
"""

import hashlib
import logging
import re
import secrets
from typing import NamedTuple
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import format_html, format_html_join
from django.utils.http import http_date, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from forum import conversations
from forum.avatars import gravatar_hash
from forum.forms import CommentForm
from forum.models import MODERATORS, Comment
from forum.own_comments import REMEMBER_COOKIES, reader_of
from forum.reading_order import (
    chosen_order,
    order_links,
    refresh_bucket,
    remember_order,
    splice_votes,
    votes_on,
)
from forum.thread_html import (
    CSRF_SLOT,
    Links,
    Reader,
    ThreadLayout,
    render_conversations,
    render_thread,
)
from forum.thread_pages import NoSuchPage, load_slice, replyable_row

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
CACHE_DOWN = object()  # what _cached returns when the cache failed
# A message's extra tag saying where its redirect lands: "comments" or
# "comment-<id>" (_placed_messages).
ANCHOR_TAG = re.compile(r"\bcomment(?:s\b|-(?P<pk>\d+)\b)")


class RenderedThread(NamedTuple):
    """One Place's thread as the cache keeps it."""

    html: bytes  # cached as bytes: encoded once, unpickled cheaply
    num_pages: int
    first: int  # the number of its first top-level comment
    newest_first: bool
    replying_to: str | None  # the name of the comment the form answers


class Viewer(NamedTuple):
    """Who reads the page, and how: what of the thread is theirs, its layout,
    the order they read it in and their votes."""

    reader: Reader
    layout: ThreadLayout
    order: str
    votes: dict[int, tuple[int, int, int]]  # forum.reading_order.votes_on


def viewer_of(request, post, order: str | None = None) -> Viewer:
    """The reader's Viewer; order: the one they chose, or the remembered one."""
    return Viewer(
        reader_of(request, post),
        ThreadLayout.from_settings(),
        order or chosen_order(request, post)[0],
        votes_on(request, post),
    )


def conditional_thread_page(request, post, place, reply_to):
    """The thread page, or 304 when the reader's copy is current."""
    order, chose = chosen_order(request, post)
    viewer = viewer_of(request, post, order)
    mine = (order, refresh_bucket(order), sorted(viewer.votes.items()))
    etag = _etag(request, post, place, reply_to, viewer.reader, (viewer.layout, mine))
    last_modified = int(post.last_modified().timestamp())  # HTTP dates: seconds
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        form = CommentForm(
            user=request.user, post=post, initial=_remembered(request, post)
        )
        response = render_thread_page(
            request, post, form, place=place, reply_to=reply_to, viewer=viewer
        )
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
    # Pages hold a reader's CSRF token and state: browsers may keep them,
    # shared caches may not, and every visit asks whether they are current.
    patch_cache_control(response, private=True, no_cache=True)
    if chose:
        remember_order(request, response, order)
    return response


def _etag(request, post, place, reply_to, reader, layout) -> str:
    """A validator covering the thread, its layout and everything personal."""
    parts = [
        post.pk,
        post.updated_at.isoformat(),
        post.comments_version,
        post.accepts_comments(),
        place.page,
        place.top.pk if place.top else 0,
        reply_to,
        request.user.pk,
        sorted(reader.pending),
        sorted(reader.editable),
        sorted(reader.own),
        *(
            request.COOKIES.get(name, "")
            for name in (*REMEMBER_COOKIES.values(), "messages")
        ),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        layout,
    ]
    return quote_etag(hashlib.sha256(repr(parts).encode()).hexdigest()[:32])


def render_thread_page(
    request,
    post,
    form,
    *,
    place,
    reply_to=None,
    status=200,
    preview=None,
    notice=None,
    viewer: Viewer | None = None,
):
    """Render a post's page (or a subthread's) with the thread and the form.

    The thread's HTML comes from the cache when the page holds nothing of
    this reader's (no comment of theirs, no form or message under a comment).
    preview: the comment's sanitized HTML, shown above the form. notice: why
    the form is back, at its top.
    """
    reader, layout, order, votes = viewer or viewer_of(request, post)
    context, beside = _page_context(request, post, place, form, preview, notice)
    context["comment_orders"] = order_links(order, layout)
    try:
        thread = _thread(
            request, post, place, reply_to, reader, context, beside, (layout, order)
        )
    except NoSuchPage as error:
        raise Http404(str(error)) from error
    marker = f"<!--thread-{secrets.token_hex(8)}-->"
    _add_thread(request, context, thread, marker)
    template = "forum/comment_thread.html" if place.top else "forum/post_detail.html"
    response = render(request, template, context, status=status)
    html = _personal_votes(request, thread.html, layout, votes)
    return _with_thread(response, marker, html)


def _personal_votes(request, html: bytes, layout, votes) -> bytes:
    """The shared thread with this reader's CSRF token and own votes put in."""
    if layout.votes == "off" or not html:
        return html
    html = html.replace(CSRF_SLOT.encode(), get_token(request).encode())
    return splice_votes(html, votes)


def _add_thread(request, context, thread: RenderedThread, marker: str) -> None:
    """Put the thread (a marker for now: _with_thread) and the form in the context.

    The form goes under the comment it answers (in the thread), or at the end.
    """
    context.update(
        thread_html=mark_safe(marker) if thread.html else "",
        num_pages=thread.num_pages,
        first=thread.first,
        newest_first=thread.newest_first,
        replying_to=thread.replying_to,
    )
    if not thread.replying_to:
        open_ = context["comments_open"]
        context["form_html"] = _form_html(request, context) if open_ else ""


def _page_context(request, post, place, form, preview, notice) -> tuple[dict, dict]:
    """The page's context before the thread, and the messages beside comments."""
    top, at_comments, beside = _placed_messages(request)
    context = {"post": post, "place": place, "form": form}
    context.update(comments_open=post.accepts_comments())
    context.update(messages=top, comments_messages=at_comments, form_notice=notice)
    if preview is not None:
        context["preview"] = mark_safe(preview)  # noqa: S308 -- sanitized (nh3)
    return context, beside


def _with_thread(response, marker: str, html: bytes):
    """Put the thread's bytes in the rendered page, where the marker is.

    The thread goes in after the template has run: through the engine,
    megabytes of HTML would be copied at every level of nesting (blocks,
    includes, ifs), which at 10,000 comments costs more than rendering the
    thread did.
    """
    before, found, after = response.content.partition(marker.encode())
    if found:
        response.content = [before, html, after]
    return response


def _thread(
    request, post, place, reply_to, reader, context, beside, ordered
) -> RenderedThread:
    """The rendered thread: cached unless something on it is this reader's.

    ordered: (layout, order). Under votes the key holds the refresh period
    (forum.reading_order): scores and orders are recomputed at most that
    often, and a vote throws nothing away.
    """
    personal = reader or reply_to or beside
    key = None if personal else _cache_key(post, place, context, ordered)
    thread = _cached(cache.get, key) if key else None
    if thread is None or thread is CACHE_DOWN:
        cache_down = thread is CACHE_DOWN
        if key and place.top is None:
            thread = _assembled(post, place, context, ordered, not cache_down)
        else:
            thread = _render(
                request, post, place, reply_to, reader, context, beside, ordered
            )
        if key and not cache_down:  # a cache that just failed is not asked again
            _cached(cache.set, key, thread, _kept_for(ordered[0]))
    return thread


def _kept_for(layout: ThreadLayout) -> int:
    """Seconds a thread is cached: under votes, its key's period and a margin."""
    if layout.votes == "off":
        return CACHE_SECONDS
    return min(CACHE_SECONDS, 2 * settings.VOTES_REFRESH_SECONDS)


def _render(
    request, post, place, reply_to, reader, context, beside, ordered
) -> RenderedThread:
    """Render the Place's thread, with the form under the comment it answers."""
    layout, order = ordered
    part = load_slice(post, place, reader.pending, layout, order)
    replying = replyable_row(part.rows, reply_to)
    _aim_form(context["form"], replying, reply_to)
    after = _messages_beside(part.rows, beside, context)
    if replying:
        context["replying_to"] = replying.author_name
        form_html = _form_html(request, context)
        after[replying.pk] = after.get(replying.pk, "") + form_html
    html = render_thread(
        part.rows,
        links=Links(reply=place.url(post) if context["comments_open"] else None),
        layout=layout,
        reader=reader,
        badges=_badges(post),
        after=after,
        top_parent=place.top.parent_id if place.top else None,
        gravatars=_gravatars(post) if layout.avatars == "gravatar" else None,
    )
    return RenderedThread(
        html.encode(),
        part.num_pages,
        part.first,
        part.newest_first,
        replying and replying.author_name,
    )


def _assembled(post, place, context, ordered, use_cache: bool) -> RenderedThread:
    """Every reader's page of the thread, from its conversations' HTML, each
    cached apart and rendered only when missing (forum.conversations)."""
    layout, order = ordered
    open_ = context["comments_open"]
    links = Links(reply=place.url(post) if open_ else None)

    def render(rows, trees):
        return render_conversations(
            rows,
            links=links,
            layout=layout,
            badges=_badges(post),
            gravatars=_gravatars(post, trees) if layout.avatars == "gravatar" else None,
        )

    trees, html, _ = conversations.page_html(
        post,
        place.page,
        layout,
        comments_open=open_,
        render=render,
        use_cache=use_cache,
        order=order,
    )
    return RenderedThread(html, trees.num_pages, trees.first, trees.newest_first, None)


def _aim_form(form, replying, reply_to) -> None:
    """Point the form at the comment it answers, before anything is rendered.

    If the comment asked for takes no replies, a sent form's text is offered
    as a new comment instead.
    """
    if replying:
        form.initial["comment_parent"] = replying.pk
    elif form.is_bound and reply_to:
        form.data = form.data.copy()
        form.data["comment_parent"] = "0"


def _placed_messages(request) -> tuple[list, list, dict[int, list]]:
    """Sort the reader's messages by where the reader lands: (top of the page,
    top of the comments, beside a comment by id).

    A message lands where its redirect does: tagged "comments" (a redirect to
    #comments) or "comment-<id>" (to #comment-<id>); untagged ones at the top.
    """
    top, at_comments, beside = [], [], {}
    for message in messages.get_messages(request):
        anchor = ANCHOR_TAG.search(message.extra_tags or "")
        if anchor is None:
            top.append(message)
        elif anchor["pk"]:
            beside.setdefault(int(anchor["pk"]), []).append(message)
        else:
            at_comments.append(message)
    return top, at_comments, beside


def _messages_beside(rows, beside, context) -> dict[int, str]:
    """Return the messages to put after their comments' articles, as HTML.

    Those whose comment is not on this page go to the top of the comments.
    """
    shown = {row.pk for row in rows} if beside else set()
    after = {}
    for pk, notes in beside.items():
        if pk not in shown:
            context["comments_messages"] = [*context["comments_messages"], *notes]
            continue
        paragraphs = format_html_join(
            "",
            '<p class="message message-{}">{}</p>',
            ((note.level_tag, note.message) for note in notes),
        )
        after[pk] = format_html(
            '<div class="messages comment-messages" role="status">{}</div>', paragraphs
        )
    return after


def _gravatars(post, trees: list[int] | None = None) -> dict[int, str]:
    """Gravatar's hashes of the commenters' addresses, by comment id (one query),
    in some conversations only if `trees` names them."""
    comments = Comment.objects.for_post(post)
    if trees is not None:
        comments = comments.filter(tree_id__in=trees)
    rows = list(comments.values_list("pk", "author_email"))
    hashes = {email: gravatar_hash(email) for email in {email for _, email in rows}}
    return {pk: hashes[email] for pk, email in rows if email}


def _badges(post) -> dict[int, str]:
    """Mark comments by the post's author, and by moderators."""
    moderators = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=MODERATORS), is_active=True, is_staff=True
    )
    badges = dict.fromkeys(moderators.values_list("pk", flat=True), "moderator")
    badges[post.author_id] = "author"
    return badges


def _cached(operation, *args):
    """Run a cache operation; a cache that is down slows pages, never breaks them.

    Returns CACHE_DOWN if the cache failed (Redis's timeouts bound the wait).
    """
    try:
        return operation(*args)
    except Exception:  # Redis errors vary by client version: anything counts
        logger.warning("Thread cache unavailable", exc_info=True)
        return CACHE_DOWN


def _form_html(request, context) -> str:
    return render_to_string("forum/includes/_comment_form.html", context, request)


def _cache_key(post, place, context, ordered: tuple) -> str:
    """The thread cache's key: everything the cached bytes depend on.

    The comments (the version: every change to them, to the post and to who
    moderates bumps it), the post's address (in Reply links) and author (a
    badge), the page, whether replies are open, the layout, time and language.
    """
    top = place.top.pk if place.top else 0
    layout, order = ordered
    depends = (
        post.slug,
        post.author_id,
        layout,
        order,
        refresh_bucket(order),
        timezone.get_current_timezone_name(),
        get_language(),
    )
    return (
        f"forum:thread:{post.pk}:{post.created_at.timestamp()}:"
        f"{post.comments_version}:{place.page}:{top}:"
        f"{int(context['comments_open'])}:"
        f"{hashlib.sha256(repr(depends).encode()).hexdigest()[:16]}"
    )


def _remembered(request, post) -> dict:
    initial = {"comment_post_ID": post.pk}
    for field, cookie in REMEMBER_COOKIES.items():
        if cookie in request.COOKIES:
            initial[field] = unquote(request.COOKIES[cookie])
            initial["cookies_consent"] = True
    return initial
