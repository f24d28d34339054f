"""The reading side: post lists, a post with its thread, subthreads, permalinks.

A thread page is rendered from one or two queries (forum.threads), cached per
thread version when nothing on it is personal, and answered with 304 when
the reader's copy is current (ETag and Last-Modified).
"""

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import format_html, format_html_join
from django.utils.http import http_date, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from forum.avatars import gravatar_hash
from forum.forms import CommentForm
from forum.models import MODERATORS, Category, Comment, Post
from forum.threads import (
    Links,
    Place,
    Reader,
    load_slice,
    place_of,
    render_thread,
    replyable_row,
)

logger = logging.getLogger(__name__)

# A signed cookie listing the comments written in this browser (the last 50):
# their pending ones are shown to it, and it may edit them for a while. A
# cookie, not the session, so commenting creates no session row and readers
# without one keep reading from replicas.
OWN_COOKIE = "parley_own"
OWN_SALT = "forum.own-comments"
OWN_MAX_AGE = 30 * 24 * 3600
REMEMBER_COOKIES = {
    "author": "comment_author",
    "email": "comment_author_email",
    "url": "comment_author_url",
}
# Bump when the thread markup changes, so cached threads are rendered anew.
MARKUP_VERSION = 4
CACHE_SECONDS = 24 * 3600
CACHE_DOWN = object()  # what _cached returns when the cache failed
# A message's extra tag saying where its redirect lands: "comments" or
# "comment-<id>" (forum.views.reading._placed_messages).
ANCHOR_TAG = re.compile(r"\bcomment(?:s\b|-(?P<pk>\d+)\b)")


class PostListView(ListView):
    template_name = "forum/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.POSTS_PER_PAGE

    def get_queryset(self):
        return public_posts()


class CategoryDetailView(PostListView):
    template_name = "forum/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().filter(categories=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


@require_safe
def post_detail(request, slug, page=1):
    post = get_object_or_404(public_posts(), slug=slug)
    return _conditional_thread_page(request, post, Place(page=page))


@require_safe
def comment_thread(request, pk):
    """A subthread's own page: the comment, its replies, and a way back up."""
    top = get_object_or_404(_shown_comments(request), pk=pk)
    post = get_object_or_404(public_posts(), pk=top.post_id)
    return _conditional_thread_page(request, post, Place(top=top))


@require_safe
def comment_permalink(request, pk):
    """Redirect to the page that shows the comment, at its anchor."""
    comment = get_object_or_404(_shown_comments(request), pk=pk)
    post = get_object_or_404(public_posts(), pk=comment.post_id)
    place = place_of(comment, own_comments(request))
    return redirect(f"{place.url(post)}#comment-{comment.pk}")


def public_posts():
    return (
        Post.objects.published()
        .with_response_counts()
        .select_related("author")
        .prefetch_related("categories")
    )


def own_comments(request) -> frozenset[int]:
    """The comments written in this browser (the last 50), from its cookie."""
    value = request.get_signed_cookie(
        OWN_COOKIE, default="", salt=OWN_SALT, max_age=OWN_MAX_AGE
    )
    return frozenset(int(pk) for pk in value.split(",") if pk.isdigit())


def remember_own_comment(request, response, comment) -> None:
    """Add a comment to the browser's list of its own."""
    own = [str(pk) for pk in sorted(own_comments(request) - {comment.pk})]
    response.set_signed_cookie(
        OWN_COOKIE,
        ",".join([*own, str(comment.pk)][-50:]),
        salt=OWN_SALT,
        max_age=OWN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def reader_of(request, post) -> Reader:
    """What of this post's thread is the reader's own: pending and editable comments.

    One query, and only for readers who have commented or signed in.
    """
    own = own_comments(request)
    if not own and not request.user.is_authenticated:
        return Reader()
    mine = Q(pk__in=own)
    if request.user.is_authenticated:
        mine |= Q(user=request.user)
    rows = (
        Comment.objects.for_post(post)
        .filter(mine)
        .values_list("pk", "status", "created_at")
    )
    since = timezone.now() - timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    return Reader(
        own=frozenset(pk for pk, _, _ in rows),
        pending=frozenset(
            pk for pk, status, _ in rows if status == Comment.Status.PENDING
        ),
        editable=frozenset(
            pk
            for pk, status, created in rows
            if created > since
            and status in {Comment.Status.APPROVED, Comment.Status.PENDING}
        ),
    )


def _shown_comments(request):
    return Comment.objects.shown(own_comments(request))


def _conditional_thread_page(request, post, place):
    reply_to = int_or_none(request.GET.get("replytocom"))
    reader = reader_of(request, post)
    etag = _etag(request, post, place, reply_to, reader)
    last_modified = int(post.last_modified().timestamp())  # HTTP dates: seconds
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        form = CommentForm(
            user=request.user, post=post, initial=_remembered(request, post)
        )
        response = render_thread_page(
            request, post, form, place=place, reply_to=reply_to, reader=reader
        )
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
    # Pages hold a reader's CSRF token and state: browsers may keep them,
    # shared caches may not, and every visit asks whether they are current.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _etag(request, post, place, reply_to, reader) -> str:
    """A validator covering the thread and everything personal on the page."""
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
        MARKUP_VERSION,
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
    reader=None,
    notice=None,
):
    """Render a post's page (or a subthread's) with the thread and the form.

    The thread's HTML comes from the cache when the page holds nothing of
    this reader's (no comment of theirs, no form or message under a comment).
    preview: the comment's sanitized HTML, shown above the form. notice: why
    the form is back, at its top.
    """
    reader = reader_of(request, post) if reader is None else reader
    open_ = post.accepts_comments()
    top, at_comments, beside = _placed_messages(request)
    context = {"post": post, "place": place, "comments_open": open_, "form": form}
    context.update(messages=top, comments_messages=at_comments, form_notice=notice)
    if preview is not None:
        context["preview"] = mark_safe(preview)  # noqa: S308 -- sanitized (nh3)
    thread = _thread(request, post, place, reply_to, reader, context, beside)
    html, num_pages, first, newest_first, replying = thread
    marker = f"<!--thread-{secrets.token_hex(8)}-->"
    context.update(
        thread_html=mark_safe(marker) if html else "",
        num_pages=num_pages,
        first=first,
        newest_first=newest_first,
        replying_to=replying,
    )
    if not replying:
        context["form_html"] = _form_html(request, context) if open_ else ""
    template = "forum/comment_thread.html" if place.top else "forum/post_detail.html"
    response = render(request, template, context, status=status)
    before, found, after = response.content.partition(marker.encode())
    if found:
        # The thread goes in as bytes, after the template has run: through the
        # engine, megabytes of HTML would be copied at every level of nesting
        # (blocks, includes, ifs), which at 10,000 comments costs more than
        # rendering the thread did.
        response.content = [before, html, after]
    return response


def _thread(request, post, place, reply_to, reader, context, beside) -> tuple:
    """The rendered thread: cached unless something on it is this reader's."""
    personal = reader or reply_to or beside
    key = None if personal else _cache_key(post, place, context["comments_open"])
    thread = _cached(cache.get, key) if key else None
    if thread is None or thread is CACHE_DOWN:
        cache_down = thread is CACHE_DOWN
        thread = _render_thread(request, post, place, reply_to, reader, context, beside)
        if key and not cache_down:  # a cache that just failed is not asked again
            _cached(cache.set, key, thread, CACHE_SECONDS)
    return thread


def _render_thread(request, post, place, reply_to, reader, context, beside) -> tuple:
    part = load_slice(post, place, reader.pending)
    replying = replyable_row(part.rows, reply_to)
    after = _messages_beside(part.rows, beside, context)
    if replying:
        context["form"].initial["comment_parent"] = replying[0]
        context["replying_to"] = replying[2]
        after[replying[0]] = after.get(replying[0], "") + _form_html(request, context)
    elif context["form"].is_bound and reply_to:
        # The comment answered takes no replies: offer the text as a new comment.
        context["form"].data = context["form"].data.copy()
        context["form"].data["comment_parent"] = "0"
    html = render_thread(
        part.rows,
        links=Links(reply=place.url(post) if context["comments_open"] else None),
        reader=reader,
        badges=_badges(post),
        after=after,
        max_depth=settings.COMMENT_DISPLAY_DEPTH,
        top_parent=place.top.parent_id if place.top else None,
        gravatars=_gravatars(post) if settings.AVATARS == "gravatar" else None,
    )
    return (
        html.encode(),  # cached as bytes: encoded once, unpickled cheaply
        part.num_pages,
        part.first,
        part.newest_first,
        replying and replying[2],
    )


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
    shown = {row[0] for row in rows} if beside else set()
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


def _gravatars(post) -> dict[int, str]:
    """Gravatar's hashes of the commenters' addresses, by comment id (one query)."""
    rows = list(Comment.objects.for_post(post).values_list("pk", "author_email"))
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


def _cache_key(post, place, open_) -> str:
    """The thread cache's key: everything the cached bytes depend on.

    The comments (the version: every change to them, to the post and to who
    moderates bumps it), the post's address (in Reply links) and author (a
    badge), the page, whether replies are open, the layout, time and language.
    """
    top = place.top.pk if place.top else 0
    depends = (
        post.slug,
        post.author_id,
        settings.COMMENTS_PER_PAGE,
        settings.COMMENTS_ORDER,
        settings.COMMENT_DISPLAY_DEPTH,
        timezone.get_current_timezone_name(),
        get_language(),
        settings.AVATARS,
        MARKUP_VERSION,
    )
    return (
        f"forum:thread:{post.pk}:{post.created_at.timestamp()}:"
        f"{post.comments_version}:{place.page}:{top}:"
        f"{int(open_)}:{hashlib.sha256(repr(depends).encode()).hexdigest()[:16]}"
    )


def _remembered(request, post) -> dict:
    initial = {"comment_post_ID": post.pk}
    for field, cookie in REMEMBER_COOKIES.items():
        if cookie in request.COOKIES:
            initial[field] = unquote(request.COOKIES[cookie])
            initial["cookies_consent"] = True
    return initial


def int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**63 else None
