from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import conditional_page, require_safe

from forum import feeds, views
from forum.sitemaps import SITEMAPS, favicon, robots_txt
from forum.views import accounts
from forum.views.commenting import comment_preview
from forum.views.search import search


def feed_view(feed_class):
    """A feed that answers GET and HEAD only, with 304 when the copy is current."""
    return require_safe(conditional_page(feed_class()))


app_name = "forum"

urlpatterns = [
    path("", views.PostListView.as_view(), name="post-list"),
    path("posts/<slug:slug>/", views.post_detail, name="post-detail"),
    path(
        "posts/<slug:slug>/comment-page-<int:page>/",
        views.post_detail,
        name="post-comments-page",
    ),
    path("comment/<int:pk>/", views.comment_permalink, name="comment-permalink"),
    path("comment/<int:pk>/thread/", views.comment_thread, name="comment-thread"),
    path(
        "category/<slug:slug>/",
        views.CategoryDetailView.as_view(),
        name="category-detail",
    ),
    path("comments/post/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment-report"),
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
        feed_view(feeds.PostCommentsFeed),
        name="post-comments-feed",
    ),
    path(
        "posts/<slug:slug>/feed/atom/",
        feed_view(feeds.PostCommentsAtomFeed),
        name="post-comments-feed-atom",
    ),
    path("search/", search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
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
