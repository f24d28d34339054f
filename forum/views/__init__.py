"""Parley's pages: reading (lists, threads, permalinks) and commenting."""

from forum.views.commenting import comment_create, comment_report
from forum.views.editing import comment_delete, comment_edit
from forum.views.reading import (
    CategoryDetailView,
    PostListView,
    comment_permalink,
    comment_thread,
    post_detail,
)
from forum.views.voting import comment_vote

__all__ = [
    "CategoryDetailView",
    "PostListView",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_permalink",
    "comment_report",
    "comment_thread",
    "comment_vote",
    "post_detail",
]
