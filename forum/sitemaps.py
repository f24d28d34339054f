"""The files at the site's root that crawlers and browsers ask for: the sitemap
(published posts and categories), the robots.txt naming it, /favicon.ico."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from forum.models import Category, Post


class PostSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Post.objects.published().only(
            "slug", "updated_at", "comments_changed_at"
        )

    def lastmod(self, post):
        return post.last_modified()


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Post.objects.published().filter(categories=OuterRef("pk"))
        return Category.objects.filter(Exists(published)).order_by("name")


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap}


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("forum:sitemap"))
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('forum:search')}",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Send browsers that ask for /favicon.ico to the icon in static/."""
    # A redirect, not a copy: the static file carries its hashed name and
    # long-lived caching (WhiteNoise); the pages link the SVG and PNG icons.
    return redirect(static("img/favicon.ico"))
