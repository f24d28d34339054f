"""The comments a browser wrote: a signed cookie, and what it lets the reader see.

A signed cookie lists the comments written in this browser (the last 50):
their pending ones are shown to it, and it may edit them for a while. A
cookie, not the session, so commenting creates no session row and readers
without one keep reading from replicas. The commenter's name, address and
site are remembered in cookies of WordPress's names (REMEMBER_COOKIES).
"""

from django.db.models import Q
from django.utils import timezone

from forum.models import CHANGEABLE_STATUSES, Comment
from forum.thread_html import Reader

OWN_COOKIE = "parley_own"
OWN_SALT = "forum.own-comments"
OWN_MAX_AGE = 30 * 24 * 3600
REMEMBER_COOKIES = {
    "author": "comment_author",
    "email": "comment_author_email",
    "url": "comment_author_url",
}


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
    since = timezone.now() - Comment.edit_window()
    return Reader(
        own=frozenset(pk for pk, _, _ in rows),
        pending=frozenset(
            pk for pk, status, _ in rows if status == Comment.Status.PENDING
        ),
        editable=frozenset(
            pk
            for pk, status, created in rows
            if created > since and status in CHANGEABLE_STATUSES
        ),
    )
