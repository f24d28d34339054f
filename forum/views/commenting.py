"""The writing side: posting a comment, previewing one, and reporting one."""

import logging
from urllib.parse import parse_qsl, quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from forum import limits, markup, services
from forum.clientip import client_ip
from forum.forms import HONEYPOT, CommentForm, ReportForm, check_comment_length
from forum.models import Comment, Post
from forum.own_comments import REMEMBER_COOKIES, own_comments, remember_own_comment
from forum.reading_order import chosen_order
from forum.services import notifications
from forum.thread_html import ThreadLayout
from forum.thread_pages import Place, place_of
from forum.views.reading import int_or_none, public_posts
from forum.views.thread_page import render_thread_page

logger = logging.getLogger(__name__)

REMEMBER_SECONDS = 365 * 24 * 3600
CLOSED = _("Comments are closed on this post.")
# The one answer to a post that looks automated, whatever gave it away (the
# honeypot, the form token, the time taken): a person resends, a bot learns
# nothing about which check it failed.
NOT_YET = _(
    "We couldn't take your comment just yet. Please check it and send it again."
)
# What the reader typed, kept when the form is shown again: not the form's
# token (a fresh one is issued) nor the honeypot.
KEPT_FIELDS = set(CommentForm.base_fields) - {"form_token", HONEYPOT}


@require_POST
def comment_create(request):
    data = request.POST
    post, parent_id, refusal = _accept(request)
    if refusal is not None:
        return refusal
    if "preview" in data:  # the form's Preview button, without JavaScript
        return _preview_page(request, post, parent_id)
    form = CommentForm(data, user=request.user, post=post)
    if not form.is_valid():
        if form.is_garbled():
            return _malformed(request)
        return _form_errors(request, post, form, parent_id)
    if reason := form.bot_reason():
        return _not_yet(request, post, form, parent_id, reason)
    try:
        comment = _submit(request, post, form)
    except services.CommentsClosed:
        return _rejected(request, post, CLOSED, 403)
    except services.SlowMode as slow:
        return _slow_mode(request, post, slow)
    except services.Flooding as flood:
        return _flooding(request, post, flood.retry_after)
    except ValidationError as error:
        form.add_service_errors(error)
        return _form_errors(request, post, form, parent_id)
    return _after_comment(request, post, form, comment)


def _accept(request) -> tuple:
    """Return (post, parent id, None), or (None, None, the page refusing it)."""
    data = request.POST
    post_id, parent_id = (
        int_or_none(data.get("comment_post_ID")),
        int_or_none(data.get("comment_parent", "0")),
    )
    if None in (post_id, parent_id) or "comment" not in data or not _is_utf8(request):
        return None, None, _malformed(request)
    # Just the post: counts and categories are for the page, fetched only
    # if the page is shown again (_page_again).
    post = Post.objects.published().filter(pk=post_id).first()
    if post is None:
        message = _("This post does not exist or is not published.")
        return None, None, _rejected(request, None, message, 404)
    if not post.accepts_comments():
        return None, None, _rejected(request, post, CLOSED, 403)
    try:
        services.check_may_comment(user=request.user)
    except services.LoginRequired as refusal:
        return None, None, _rejected(request, post, str(refusal), 403)
    return post, parent_id, None


def _form_errors(request, post, form, parent_id):
    """Show the form again with its errors, where it was: under the parent."""
    return _page_again(request, post, form, parent_id, status=400)


def _not_yet(request, post, form, parent_id, reason):
    """Show the form again with the text kept, a fresh token and NOT_YET.

    Nothing is stored: the person sends it again, and a bot is told nothing
    it could use. The reason goes to the log only.
    """
    logger.info("Comment not taken (%s) from %s", reason, client_ip(request.META))
    kept = {name: value for name, value in form.data.items() if name in KEPT_FIELDS}
    again = CommentForm(user=request.user, post=post, initial=kept)
    return _page_again(request, post, again, parent_id, status=400, notice=NOT_YET)


def _page_again(
    request, post, form, parent_id, *, status=200, preview=None, notice=None
):
    """The post's page again, with the form under the comment it answers."""
    post = public_posts().get(pk=post.pk)
    place = _place_near(request, post, parent_id)
    return render_thread_page(
        request,
        post,
        form,
        place=place,
        reply_to=parent_id,
        status=status,
        preview=preview,
        notice=notice,
    )


def _place_near(request, post, parent_id) -> Place:
    parent = Comment.objects.shown(own_comments(request)).filter(
        pk=parent_id, post=post
    )
    if not parent:
        return Place()
    order = chosen_order(request, post)[0]
    layout = ThreadLayout.from_settings()
    return place_of(parent[0], own_comments(request), layout, order)


@require_POST
def comment_preview(request):
    """Return the comment as it would be shown, as an HTML fragment (for JS)."""
    html, status = _preview(request, request.POST.get("comment", ""))
    response = HttpResponse(html, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _preview_page(request, post, parent_id):
    """The page again, with the preview above the form and everything typed kept."""
    data = request.POST
    # Unbound, so nobody is scolded for a field left empty yet; the original
    # form token keeps counting how long the form has been open.
    kept = {name: data[name] for name in CommentForm.base_fields if name in data}
    form = CommentForm(user=request.user, post=post, initial=kept)
    html, _ = _preview(request, data.get("comment", ""))
    return _page_again(request, post, form, parent_id, preview=html)


def _preview(request, text: str) -> tuple[str, int]:
    """Render a comment's text with the same Markdown and sanitizer as a post."""
    try:
        check_comment_length(text)
    except ValidationError as error:
        return _preview_note(error.messages[0]), 400
    if not limits.allow(limits.PREVIEWS, client_ip(request.META)):
        return _preview_note(_("Too many previews: please wait a minute.")), 429
    if not text.strip():
        return _preview_note(_("Nothing to preview yet.")), 200
    return markup.render_comment(text), 200


def _preview_note(message: str) -> str:
    return format_html('<p class="comment-preview-note">{}</p>', message)


def _submit(request, post, form) -> Comment:
    data = form.cleaned_data
    return services.comment_submit(
        post=post,
        body=data["comment"],
        parent_id=data["comment_parent"],
        user=request.user,
        author_name=data.get("author", ""),
        author_email=data.get("email", ""),
        author_url=data.get("url", ""),
        ip_address=client_ip(request.META),
        # PostgreSQL can't store NUL; some servers let it through in headers.
        user_agent=request.headers.get("user-agent", "").replace("\x00", ""),
        notify_replies=data.get("notify_replies", False),
        notify_post=data.get("notify_post", False),
    )


def _after_comment(request, post, form, comment):
    """Redirect to the new comment, remembering what this browser should know."""
    if comment.status == Comment.Status.SPAM:
        response = redirect(post.get_absolute_url() + "#comments")
    else:
        own = own_comments(request) | {comment.pk}
        order = chosen_order(request, post)[0]
        place = place_of(comment, own, ThreadLayout.from_settings(), order)
        response = redirect(f"{place.url(post)}#comment-{comment.pk}")
        remember_own_comment(request, response, comment)
        _check_your_inbox(request, form, comment)
    if "cookies_consent" in form.cleaned_data:
        for field, cookie in REMEMBER_COOKIES.items():
            if form.cleaned_data["cookies_consent"]:
                # Percent-encoded (as PHP does for WordPress): a raw non-Latin-1
                # name can't go in a header, and the WSGI server would fail.
                response.set_cookie(
                    cookie,
                    quote(form.cleaned_data[field]),
                    max_age=REMEMBER_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
            else:
                response.delete_cookie(cookie)
    return response


def _check_your_inbox(request, form, comment) -> None:
    """Tell a guest who ticked a notify box that a confirmation link is on its way."""
    data = form.cleaned_data
    asked = data.get("notify_replies") or data.get("notify_post")
    if asked and notifications.awaits_confirmation(comment):
        messages.info(
            request,
            gettext(
                "Check your inbox to confirm the email notifications you asked "
                "for: we have sent you a link. Nothing is sent until you confirm."
            ),
        )


def _is_utf8(request) -> bool:
    """Return False if a urlencoded body doesn't decode strictly.

    Django decodes leniently (replacement characters, or Latin-1), which
    would store mangled text; browsers send valid UTF-8.
    """
    if request.content_type == "multipart/form-data":
        # Django has already decoded the parts, replacing what isn't UTF-8.
        return not any("\ufffd" in value for value in request.POST.values())
    if request.content_type != "application/x-www-form-urlencoded":
        return True
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        parse_qsl(request.body.decode(encoding), encoding=encoding, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _malformed(request):
    return render(
        request,
        "400.html",
        {"reason": _("The comment form was incomplete or garbled.")},
        status=400,
    )


def _rejected(request, post, message, status):
    """Explain why the comment can't be taken, and hand the reader's text back."""
    context = {
        "post": post,
        "message": message,
        "text": request.POST.get("comment", ""),
    }
    return render(request, "forum/comment_rejected.html", context, status=status)


def _flooding(request, post, retry_after):
    message = ngettext(
        "You are posting comments too quickly. Please wait %(count)d second "
        "and send it again.",
        "You are posting comments too quickly. Please wait %(count)d seconds "
        "and send it again.",
        retry_after,
    ) % {"count": retry_after}
    response = _rejected(request, post, message, 429)
    response["Retry-After"] = str(retry_after)
    return response


def _slow_mode(request, post, slow):
    """Say when the reader may post again here; their text is handed back."""
    every = ngettext(
        "Slow mode is on here: each reader may comment once a minute.",
        "Slow mode is on here: each reader may comment once every %(minutes)d minutes.",
        slow.minutes,
    ) % {"minutes": slow.minutes}
    message = f"{every} {_when_again(slow.retry_after)}"
    response = _rejected(request, post, message, 429)
    response["Retry-After"] = str(slow.retry_after)
    return response


def _when_again(seconds: int) -> str:
    if seconds < 60:
        said = ngettext(
            "You may send your comment in %(count)d second.",
            "You may send your comment in %(count)d seconds.",
            seconds,
        )
        return said % {"count": seconds}
    minutes = -(-seconds // 60)  # rounded up: never too early
    said = ngettext(
        "You may send your comment in %(count)d minute.",
        "You may send your comment in %(count)d minutes.",
        minutes,
    )
    return said % {"count": minutes}


@require_http_methods(["GET", "POST"])
def comment_report(request, pk):
    comment = get_object_or_404(
        Comment.objects.approved()
        .select_related("post")
        .filter(post__in=Post.objects.published()),
        pk=pk,
    )
    form = ReportForm(request.POST or None)
    if form.is_valid():
        services.comment_report(
            comment=comment,
            reason=form.cleaned_data["reason"],
            user=request.user,
            ip_address=client_ip(request.META),
        )
        comment.refresh_from_db(fields=["status"])
        held = comment.status != Comment.Status.APPROVED  # the report held it
        # Said where the reader lands: beside the comment, or atop the comments.
        messages.success(
            request,
            _("Thank you. A moderator will look at this comment."),
            extra_tags="comments" if held else f"comment-{comment.pk}",
        )
        if held:
            return redirect(comment.post.get_absolute_url() + "#comments")
        return redirect(comment.get_absolute_url())
    context = {"comment": comment, "form": form}
    return render(
        request,
        "forum/comment_report.html",
        context,
        status=400 if form.errors else 200,
    )
