from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import conditional_page, require_safe

from forum import feeds, views
from forum.page_cache import cache_page
from forum.sitemaps import SITEMAPS, favicon, robots_txt
from forum.views import accounts
from forum.views.commenting import comment_preview
from forum.views.live import thread_changes
from forum.views.search import search


def feed_view(feed_class, scope="lists"):
    """A feed that answers GET and HEAD only, with 304 when the copy is current."""
    return cache_page(scope)(require_safe(conditional_page(feed_class())))


# Whole pages for anonymous readers (forum.page_cache): by what they show.
post_list = cache_page("lists")(views.PostListView.as_view())
category_detail = cache_page("lists")(views.CategoryDetailView.as_view())
post_detail = cache_page("post")(views.post_detail)
comment_thread = cache_page("subthread")(views.comment_thread)
cached_sitemap = cache_page("lists")(sitemap)


app_name = "forum"

urlpatterns = [
    path("", post_list, name="post-list"),
    path("posts/<slug:slug>/", post_detail, name="post-detail"),
    path(
        "posts/<slug:slug>/comment-page-<int:page>/",
        post_detail,
        name="post-comments-page",
    ),
    path("posts/<slug:slug>/live/", thread_changes, name="thread-changes"),
    path("comment/<int:pk>/", views.comment_permalink, name="comment-permalink"),
    path("comment/<int:pk>/thread/", comment_thread, name="comment-thread"),
    path("category/<slug:slug>/", category_detail, name="category-detail"),
    path("comments/post/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment-report"),
    path("comments/<int:pk>/vote/", views.comment_vote, name="comment-vote"),
    # Feeds, at WordPress's addresses.
    path("feed/", feed_view(feeds.LatestPostsFeed), name="feed"),
    path("feed/atom/", feed_view(feeds.LatestPostsAtomFeed), name="feed-atom"),
    path("comments/feed/", feed_view(feeds.RecentCommentsFeed), name="comments-feed"),
    path(
        "comments/feed/atom/",
        feed_view(feeds.RecentCommentsAtomFeed),
        name="comments-feed-atom",
    ),
    path(
        "posts/<slug:slug>/feed/",
        feed_view(feeds.PostCommentsFeed, "post"),
        name="post-comments-feed",
    ),
    path(
        "posts/<slug:slug>/feed/atom/",
        feed_view(feeds.PostCommentsAtomFeed, "post"),
        name="post-comments-feed-atom",
    ),
    path("search/", search, name="search"),
    path("sitemap.xml", cached_sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("comments/preview/", comment_preview, name="comment-preview"),
    path("comment/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comment/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("email/confirm/<str:token>/", accounts.confirm_email, name="confirm-email"),
    path("email/unsubscribe/<str:token>/", accounts.unsubscribe, name="unsubscribe"),
    path("privacy/", accounts.privacy_request, name="privacy"),
    path("privacy/<str:token>/", accounts.privacy_manage, name="privacy-manage"),
    path(
        "privacy/<str:token>/download/",
        accounts.privacy_download,
        name="privacy-download",
    ),
    path(
        "privacy/<str:token>/anonymise/",
        accounts.privacy_anonymise,
        name="privacy-anonymise",
    ),
]
