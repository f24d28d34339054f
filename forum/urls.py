from django.urls import path

from forum import views

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
]
