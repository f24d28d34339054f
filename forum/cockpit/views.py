"""The moderation queue: one page in the admin, and the POSTs it sends.

Every view is wrapped in admin.site.admin_view (forum.cockpit.urls): the
admin's login, staff check and CSRF. Deciding needs `forum.change_comment`
(the Moderators group and superusers have it). Each POST answers a plain
form with a redirect back to the queue, and JavaScript (static/js/cockpit.js,
which asks for JSON) with what changed, so the entry updates in place.
"""

import functools
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from forum.cockpit import queries
from forum.cockpit.forms import DecisionForm, TextForm, UndoForm
from forum.models import Comment
from forum.services import triage

# The permission each decision needs beyond changing comments.
EXTRA_PERMISSION = {
    "block": "forum.add_blocklistentry",
    "trust": "forum.add_trustedauthor",
}
SESSION_KEY = "cockpit_done"


def _require(request, permission: str = "forum.change_comment") -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request):
    """The queue as it was: its tab and filters come back with the POST."""
    query = {
        k: request.POST[k] for k in ("tab", "post", "reason") if request.POST.get(k)
    }
    url = reverse("cockpit:queue")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@require_GET
def queue(request):
    """The queue page: a tab of comments waiting for a decision, oldest first."""
    _require(request, "forum.view_comment")
    filters = queries.Filters.of(request.GET)
    posts, reasons = queries.choices(filters)
    counts = queries.counts()
    context = {
        **admin.site.each_context(request),
        "title": DecisionForm.page_title(),
        "filters": filters,
        "tabs": [(k, label, counts[k]) for k, label in queries.TABS.items()],
        "entries": queries.entries(filters),
        "posts": posts,
        "reasons": reasons,
        "done": request.session.get(SESSION_KEY),
        "decisions": DecisionForm.BUTTONS,
        "durations": DecisionForm.base_fields["duration"].choices,
        "can_decide": request.user.has_perm("forum.change_comment"),
    }
    return render(request, "admin/cockpit/queue.html", context)


def _decision(form_class):
    """A decision's view, given the POSTed form's data once the moderator may
    decide and the form is valid (else the queue says what is wrong)."""

    def wrap(view):
        @require_POST
        @functools.wraps(view)
        def checked(request):
            _require(request)
            form = form_class(request.POST)
            if not form.is_valid():
                return _refused(request, form)
            return view(request, form)

        return checked

    return wrap


@_decision(DecisionForm)
def decide(request, form: DecisionForm):
    """Approve, hold, spam, remove, block or trust: chosen comments, or an author's."""
    action = form.cleaned_data["action"]
    if action in EXTRA_PERMISSION:
        _require(request, EXTRA_PERMISSION[action])
    comments = form.comments(queries.Filters.of(request.POST))
    decision = triage.decide(
        comments=comments,
        action=action,
        moderator=request.user,
        block_until=form.block_until(),
    )
    done = {
        "action": action,
        "ids": decision.comment_ids,
        "batch": str(decision.batch),
        "blocklist": decision.blocklist_ids,
        "trusted": decision.trusted_ids,
    }
    return _done(request, done)


@_decision(UndoForm)
def undo(request, form: UndoForm):
    """Take a decision back: its comments regain the status they had."""
    data = form.cleaned_data
    restored = triage.undo(
        batch=data["batch"],
        moderator=request.user,
        blocklist_ids=data["blocklist"],
        trusted_ids=data["trusted"],
    )
    done = {"action": "undo", "ids": restored, "batch": ""}
    return _done(request, {**done, "blocklist": [], "trusted": []})


def _done(request, done: dict):
    """Keep what was done for the "Done: … · Undo" line, and answer: back to
    the queue, or (JavaScript) the line and each comment's status now."""
    request.session[SESSION_KEY] = done
    if not _wants_json(request):
        return _back(request)
    states = Comment.objects.filter(pk__in=done["ids"]).values_list("pk", "status")
    labels = {pk: Comment.Status(status).label for pk, status in states}
    return _json(request, done, decided=labels)


@require_POST
def reply(request, pk: int):
    """Answer a comment as the moderator (approved, with the Moderator badge)."""
    _require(request)
    parent = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    made, refusal = _with_text(
        request,
        lambda body: triage.reply(parent=parent, body=body, moderator=request.user),
    )
    return refusal or _said(request, TextForm.replied(made), pk=pk)


@require_POST
def edit(request, pk: int):
    """Correct a comment's text; it keeps its place, the earlier text is kept."""
    _require(request)
    comment = get_object_or_404(Comment, pk=pk)
    edited, refusal = _with_text(
        request,
        lambda body: triage.edit(comment=comment, body=body, moderator=request.user),
    )
    if refusal:
        return refusal
    said = TextForm.edited(edited)
    return _said(request, said, pk=pk, body_html=edited.body_html)


def _with_text(request, act):
    """(what `act` made of the posted text, None), or (None, the refusal)."""
    form = TextForm(request.POST)
    if not form.is_valid():
        return None, _refused(request, form)
    try:
        return act(form.cleaned_data["body"]), None
    except ValidationError as error:
        return None, _refused(request, error.messages[0])


def _said(request, said: str, **extra):
    if _wants_json(request):
        return JsonResponse({"message": said, **extra})
    messages.success(request, said)
    return _back(request)


def _refused(request, problem):
    """Bad input: say what, keep the queue as it was (400 for JavaScript)."""
    text = problem if isinstance(problem, str) else _first_error(problem)
    if _wants_json(request):
        return JsonResponse({"error": text}, status=400)
    messages.error(request, text)
    return _back(request)


def _first_error(form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors))


def _json(request, done: dict, *, decided: dict) -> JsonResponse:
    html = render_to_string("admin/cockpit/_done.html", {"done": done}, request=request)
    return JsonResponse({"done_html": html, "decided": decided})
