"""The reading side: post lists, a post with its thread, subthreads, permalinks.

The thread page itself (cache, ETag, form) is forum.views.thread_page.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from forum.models import Category, Comment, Post
from forum.own_comments import own_comments
from forum.reading_order import chosen_order
from forum.thread_html import ThreadLayout
from forum.thread_pages import Place, place_of
from forum.views.thread_page import conditional_thread_page


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
    return _thread_page(request, post, Place(page=page))


@require_safe
def comment_thread(request, pk):
    """A subthread's own page: the comment, its replies, and a way back up."""
    top = get_object_or_404(_shown_comments(request), pk=pk)
    post = get_object_or_404(public_posts(), pk=top.post_id)
    return _thread_page(request, post, Place(top=top))


@require_safe
def comment_permalink(request, pk):
    """Redirect to the page that shows the comment, at its anchor."""
    comment = get_object_or_404(_shown_comments(request), pk=pk)
    post = get_object_or_404(public_posts(), pk=comment.post_id)
    layout, order = ThreadLayout.from_settings(), chosen_order(request, post)[0]
    place = place_of(comment, own_comments(request), layout, order)
    return redirect(f"{place.url(post)}#comment-{comment.pk}")


def public_posts():
    return (
        Post.objects.published().select_related("author").prefetch_related("categories")
    )


def _shown_comments(request):
    return Comment.objects.shown(own_comments(request))


def _thread_page(request, post, place):
    reply_to = int_or_none(request.GET.get("replytocom"))
    return conditional_thread_page(request, post, place, reply_to)


def int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**63 else None
