"""A reader's vote on a comment: a plain form, or the same form sent by script.

Without JavaScript the form posts here and the reader is sent back to the
comment's anchor, with a message beside it if the vote was refused. With
JavaScript (Accept: application/json) the answer is the comment's new
counts and the reader's vote, or the refusal with its status.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from forum import services
from forum.clientip import client_ip
from forum.models import Comment, Post
from forum.own_comments import own_comments
from forum.reading_order import VOTER_COOKIE, VOTER_MAX_AGE, VOTER_SALT

# The form's buttons; anything else is refused by the service, with a message.
VALUES = {"1": 1, "0": 0, "-1": -1}


@require_POST
def comment_vote(request, pk):
    guest_id, new_guest = _guest_id(request)
    try:
        result = services.vote_cast(
            comment_id=pk,
            value=VALUES.get(request.POST.get("value", "")),
            user=request.user,
            guest_id=guest_id,
            ip_address=client_ip(request.META),
            own_comments=own_comments(request),
        )
    except services.VoteRefused as refusal:
        return _refused(request, pk, refusal)
    response = _answer(request, pk, result)
    if new_guest:
        response.set_signed_cookie(
            VOTER_COOKIE,
            guest_id,
            salt=VOTER_SALT,
            max_age=VOTER_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _guest_id(request) -> tuple[str | None, bool]:
    """The browser's voter id, and whether it is new (only where guests vote)."""
    if settings.VOTES != "everyone" or request.user.is_authenticated:
        return None, False
    known = request.get_signed_cookie(
        VOTER_COOKIE, default="", salt=VOTER_SALT, max_age=VOTER_MAX_AGE
    )
    if known:
        return known, False
    return secrets.token_urlsafe(16), True


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _answer(request, pk, result):
    if _wants_json(request):
        response = JsonResponse(
            {
                "comment": pk,
                "score": result.score,
                "up": result.votes_up,
                "down": result.votes_down,
                "vote": result.value,
            }
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
    return redirect("forum:comment-permalink", pk=pk)


def _refused(request, pk, refusal):
    """Say why, with the status that fits; without script, beside the comment."""
    message = str(refusal.message)
    if _wants_json(request):
        return JsonResponse({"error": message}, status=refusal.status)
    comment = (
        Comment.objects.filter(pk=pk, post__in=Post.objects.published())
        .select_related("post")
        .first()
    )
    if comment is None:
        messages.error(request, message)
        return redirect("forum:post-list")
    if comment.status != Comment.Status.APPROVED:
        messages.error(request, message, extra_tags="comments")
        return redirect(comment.post.get_absolute_url() + "#comments")
    messages.error(request, message, extra_tags=f"comment-{pk}")
    return redirect("forum:comment-permalink", pk=pk)
