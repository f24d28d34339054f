"""An author's own comment: correcting or taking it back, for a few minutes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forum import services
from forum.forms import CommentEditForm
from forum.models import Comment
from forum.own_comments import own_comments


@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = _own_comment(request, pk)
    if not comment.is_changeable():
        return _closed(request, comment, "forum/comment_edit.html")
    form = CommentEditForm(request.POST or None, initial={"comment": comment.body})
    if form.is_valid():
        try:
            edited = services.comment_author_edit(
                comment=comment, body=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_edit(request, edited)
    context = {"comment": comment, "form": form, "until": comment.editable_until}
    status = 400 if form.errors else 200
    return render(request, "forum/comment_edit.html", context, status=status)


def _after_edit(request, comment):
    """Back to the comment, or to the thread if the edit held it (or spammed it)."""
    if comment.status == Comment.Status.APPROVED:
        return redirect(comment.get_absolute_url())
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your edit is waiting for a moderator's look."))
    return redirect(comment.post.get_absolute_url() + "#comments")


@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = _own_comment(request, pk)
    if not comment.is_changeable():
        return _closed(request, comment, "forum/comment_delete.html")
    if request.method == "POST":
        try:
            services.comment_author_remove(comment=comment)
        except ValidationError as error:
            messages.error(request, error.messages[0], extra_tags="comments")
        else:
            messages.success(
                request, _("Your comment is removed."), extra_tags="comments"
            )
        return redirect(comment.post.get_absolute_url() + "#comments")
    context = {"comment": comment, "until": comment.editable_until}
    return render(request, "forum/comment_delete.html", context)


def _own_comment(request, pk) -> Comment:
    """The comment, if this reader wrote it (signed in, or in this browser)."""
    comment = get_object_or_404(
        Comment.objects.select_related("post").exclude(status=Comment.Status.SPAM),
        pk=pk,
    )
    mine = pk in own_comments(request) or (
        request.user.is_authenticated and comment.user_id == request.user.pk
    )
    if not mine:
        raise PermissionDenied(_("Only its author can change a comment."))
    return comment


def _closed(request, comment, template):
    """Say the time to change the comment has passed; keep any text sent."""
    context = {
        "comment": comment,
        "closed": True,
        "timed_out": comment.has_changeable_status,  # else removed
        "until": comment.editable_until,
        "text": request.POST.get("comment", ""),
    }
    status = 403 if request.method == "POST" else 200
    return render(request, template, context, status=status)
