"""The search page: /search/?q=..."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from forum import search as finder


@require_safe
def search(request):
    q = finder.clean_query(request.GET.get("q", ""))
    context = {"q": q, "max_length": finder.MAX_QUERY_LENGTH}
    if not q:
        context["message"] = gettext(
            "Type a word or two to search the posts and comments."
        )
    elif len(q) > finder.MAX_QUERY_LENGTH:
        context["message"] = gettext(
            "That search is too long (%(length)d characters): use at most %(most)d."
        ) % {"length": len(q), "most": finder.MAX_QUERY_LENGTH}
    else:
        paginator = Paginator(finder.matches(q), settings.POSTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        context.update(page_obj=page, results=finder.results(page.object_list, q))
    return render(request, "forum/search.html", context)
