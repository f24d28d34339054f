"""The open thread page's poll: what changed since the version it holds.

GET /posts/<slug>/live/?v=<version>&page=<n> (or &top=<comment id> on a
subthread's page), sent by static/js/live.js. Nothing changed: 304 (204 on
a first poll, which has no validator yet) after one cache read and no
query. Something changed: JSON with the changed comments rendered by the
page's own renderer (forum.live), never stored by any cache.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from forum import page_cache
from forum.live import changes_since, render_changes
from forum.models import Comment, Post
from forum.own_comments import own_comments, reader_of
from forum.thread_html import CSRF_SLOT, Links, ThreadLayout
from forum.thread_pages import Place
from forum.views.reading import int_or_none
from forum.views.thread_page import _badges, _gravatars


@require_safe
def thread_changes(request, slug):
    version = int_or_none(request.GET.get("v"))
    if version is None:
        return _answer(JsonResponse({"error": gettext("Which version?")}, status=400))
    tag = page_cache.post_version(slug)  # read before the rows: see forum.live
    etag = quote_etag(tag) if tag else None
    if etag and request.headers.get("If-None-Match") == etag:
        return _unchanged(etag, 304)
    posts = Post.objects.published()
    post = get_object_or_404(posts, slug=slug)
    if post.comments_version <= version:
        return _unchanged(etag, 204)
    data = _changes(request, post, version)
    response = JsonResponse(data)
    if etag:
        response["ETag"] = etag
    return _answer(response)


def _changes(request, post, version) -> dict:
    """The poll's answer when the thread moved past the reader's version."""
    place = _place(request, post)
    reader = reader_of(request, post)
    layout = ThreadLayout.from_settings()
    changes = changes_since(post, place, version, reader, layout)
    is_open = post.accepts_comments()
    links = Links(reply=place.url(post) if is_open else None)
    gravatars = _gravatars(post) if layout.avatars == "gravatar" else None
    html = render_changes(
        changes,
        links=links,
        layout=layout,
        reader=reader,
        badges=_badges(post) if changes.rows else None,
        top_parent=place.top.parent_id if place.top else None,
        gravatars=gravatars,
    )
    return {
        "version": post.comments_version,
        # The vote forms' CSRF slot, as on the page (forum.views.thread_page).
        "html": html.replace(CSRF_SLOT, get_token(request)),
        "changed": changes.changed,
        # Closed (or opened again) since the page was served: its Reply links
        # and form follow (static/js/live.js).
        "open": is_open,
        "reload": changes.too_many,
        "responses": render_to_string(
            "forum/includes/_comments_title.html", {"post": post}
        ).strip(),
        **_elsewhere(post, changes, layout),
    }


def _elsewhere(post, changes, layout) -> dict:
    """The new comments on pages other than the reader's, and where they are."""
    count = changes.elsewhere
    if not count:
        return {"elsewhere": 0}
    if layout.newest_first:
        text = ngettext(
            "%(count)d new comment on earlier pages",
            "%(count)d new comments on earlier pages",
            count,
        )
        place = Place(page=1)
    else:
        text = ngettext(
            "%(count)d new comment on later pages",
            "%(count)d new comments on later pages",
            count,
        )
        place = Place(page=changes.num_pages)
    return {
        "elsewhere": count,
        "elsewhere_text": text % {"count": count},
        "elsewhere_url": place.url(post) + "#comments",
    }


def _place(request, post) -> Place:
    """The reader's Place, from the poll's address: a page, or a subthread."""
    top = int_or_none(request.GET.get("top"))
    if top is not None:
        shown = Comment.objects.for_post(post).shown(own_comments(request))
        return Place(top=get_object_or_404(shown, pk=top))
    page = int_or_none(request.GET.get("page")) or 1
    if page < 1:
        raise Http404
    return Place(page=page)


def _unchanged(etag, status):
    response = HttpResponse(status=status)
    if etag:
        response["ETag"] = etag
    return _answer(response)


def _answer(response):
    """Never kept by a shared cache; the browser asks each time."""
    patch_cache_control(response, private=True, no_store=True)
    return response
