"""Every write to posts and comments: views, admin, commands and tests call these.

- trees: writes that change a post's comment forest, behind one lock;
- thread_bulk: a thread built in bulk (imports, benchmarks, test data);
- posting: a reader's comment, checked and moderated on entry;
- moderation: status changes, branch actions, reports, trusted and blocked authors;
- posts: writes to posts;
- votes: readers' votes on comments, and pinned comments.

WordPress import and export live in forum.wordpress.
"""

from forum.services.moderation import (
    author_block,
    author_trust,
    branch_lock,
    branch_remove,
    branch_restore,
    branch_slow_mode,
    comment_edit,
    comment_moderator_edit,
    comment_report,
    comment_restore,
    comment_set_status,
)
from forum.services.posting import (
    CommentsClosed,
    Flooding,
    LoginRequired,
    SlowMode,
    check_may_comment,
    comment_author_edit,
    comment_author_remove,
    comment_submit,
)
from forum.services.posts import (
    post_create,
    post_update,
    posts_set_comments_open,
    threads_touch_for_users,
)
from forum.services.thread_bulk import thread_bulk_create
from forum.services.trees import comment_create, comment_delete, thread_rebuild
from forum.services.votes import (
    VoteRefused,
    comment_pin,
    vote_cast,
    votes_reset,
)

__all__ = [
    "CommentsClosed",
    "VoteRefused",
    "Flooding",
    "SlowMode",
    "LoginRequired",
    "author_block",
    "author_trust",
    "branch_lock",
    "branch_slow_mode",
    "branch_remove",
    "branch_restore",
    "check_may_comment",
    "comment_author_edit",
    "comment_author_remove",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_pin",
    "comment_moderator_edit",
    "comment_report",
    "comment_restore",
    "comment_set_status",
    "comment_submit",
    "post_create",
    "post_update",
    "posts_set_comments_open",
    "thread_bulk_create",
    "thread_rebuild",
    "threads_touch_for_users",
    "vote_cast",
    "votes_reset",
]
