from urllib.parse import parse_qsl, quote, unquote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from forum import services
from forum.clientip import client_ip
from forum.forms import CommentForm, ReportForm
from forum.models import Category, Comment, Post
from forum.threads import render_thread, replyable_row

OWN_PENDING = "forum.own_pending"  # session key: this browser's pending comments
REMEMBER_COOKIES = {
    "author": "comment_author",
    "email": "comment_author_email",
    "url": "comment_author_url",
}
REMEMBER_SECONDS = 365 * 24 * 3600
CLOSED = "Comments are closed on this post."


class PostListView(ListView):
    template_name = "forum/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.POSTS_PER_PAGE

    def get_queryset(self):
        return (
            Post.objects.published()
            .with_response_counts()
            .select_related("author")
            .prefetch_related("categories")
        )


class CategoryDetailView(PostListView):
    template_name = "forum/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().filter(categories=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


@require_GET
def post_detail(request, slug):
    post = get_object_or_404(_public_posts(), slug=slug)
    reply_to = _int(request.GET.get("replytocom"))
    form = CommentForm(user=request.user, initial=_remembered(request, post))
    return _render_post(request, post, form, reply_to=reply_to)


@require_POST
def comment_create(request):
    data = request.POST
    post_id, parent_id = (
        _int(data.get("comment_post_ID")),
        _int(data.get("comment_parent", "0")),
    )
    if None in (post_id, parent_id) or "comment" not in data or not _is_utf8(request):
        return _malformed(request)
    post = _public_posts().filter(pk=post_id).first()
    if post is None:
        return _rejected(
            request, None, "This post does not exist or is not published.", 404
        )
    if not post.accepts_comments():
        return _rejected(request, post, CLOSED, 403)
    form = CommentForm(data, user=request.user)
    if not form.is_valid():
        if form.is_garbled():
            return _malformed(request)
        return _render_post(request, post, form, reply_to=parent_id, status=400)
    try:
        comment = _submit(request, post, form)
    except services.CommentsClosed:
        return _rejected(request, post, CLOSED, 403)
    except services.Flooding as flood:
        return _flooding(request, post, flood.retry_after)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_post(request, post, form, reply_to=parent_id, status=400)
    return _after_comment(request, post, form, comment)


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
        bot_reason=form.bot_reason(),
    )


def _after_comment(request, post, form, comment):
    """Redirect to the new comment, remembering what this browser should know."""
    if comment.status == Comment.Status.PENDING:
        own = request.session.get(OWN_PENDING, [])
        request.session[OWN_PENDING] = [*own, comment.pk][-50:]
    anchor = (
        f"#comment-{comment.pk}"
        if comment.status != Comment.Status.SPAM
        else "#comments"
    )
    response = redirect(post.get_absolute_url() + anchor)
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


def _render_post(request, post, form, *, reply_to=None, status=200):
    """Render the post with its thread and the comment form (under `reply_to`)."""
    own = frozenset(request.session.get(OWN_PENDING, []))
    rows = Comment.objects.for_post(post).shown(own).thread_rows()
    replying = replyable_row(rows, reply_to)
    open_ = post.accepts_comments()
    context = {
        "post": post,
        "form": form,
        "comments_open": open_,
        "replying_to": replying[2] if replying else "",
        "response_count": sum(1 for r in rows if r[6] == Comment.Status.APPROVED),
    }
    if replying:
        form.initial["comment_parent"] = replying[0]
    elif form.is_bound and reply_to:
        # The comment answered takes no replies: offer the text as a new comment.
        form.data = form.data.copy()
        form.data["comment_parent"] = "0"
    form_html = (
        render_to_string("forum/includes/_comment_form.html", context, request)
        if open_
        else ""
    )
    context["thread_html"] = mark_safe(  # noqa: S308 -- escaped by threads.render_thread
        render_thread(
            rows,
            reply_base=post.get_absolute_url() if open_ else None,
            # A format string for the renderer: one reverse() per page.
            report_href=reverse("forum:comment-report", kwargs={"pk": 0}).replace(
                "/0/", "/{pk}/"
            ),
            own_pending=own,
            after={replying[0]: form_html} if replying else None,
        )
    )
    context["form_html"] = "" if replying else form_html
    return render(request, "forum/post_detail.html", context, status=status)


def _public_posts():
    return (
        Post.objects.published().select_related("author").prefetch_related("categories")
    )


def _remembered(request, post) -> dict:
    initial = {"comment_post_ID": post.pk}
    for field, cookie in REMEMBER_COOKIES.items():
        if cookie in request.COOKIES:
            initial[field] = unquote(request.COOKIES[cookie])
            initial["cookies_consent"] = True
    return initial


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**63 else None


def _is_utf8(request) -> bool:
    """Return False if a urlencoded body doesn't decode strictly.

    Django decodes leniently (replacement characters, or Latin-1), which
    would store mangled text; browsers send valid UTF-8.
    """
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
        {"reason": "The comment form was incomplete or garbled."},
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
    message = (
        f"You are posting comments too quickly. Please wait {retry_after} seconds "
        "and send it again."
    )
    response = _rejected(request, post, message, 429)
    response["Retry-After"] = str(retry_after)
    return response


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
            reporter=_reader(request),
        )
        messages.success(request, "Thank you. A moderator will look at this comment.")
        return redirect(comment.get_absolute_url())
    context = {"comment": comment, "form": form}
    return render(
        request,
        "forum/comment_report.html",
        context,
        status=400 if form.errors else 200,
    )


def _reader(request) -> str:
    """Who is reporting: the account if signed in, else the IP address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request.META)}"
