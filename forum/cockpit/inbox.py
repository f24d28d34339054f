"""The moderators' one-click links from email: look first, then act (issue 15).

A GET only shows the comment and one button (mail scanners follow links);
the button's POST decides, as the moderator the link names, through
forum.services.triage with the channel "email".

No login is asked: the signed token is the credential, as for unsubscribe
links (docs/decisions/0014), so a moderator can decide from a phone whose
browser has no admin session. The view is therefore CSRF-exempt: CSRF guards
a session cookie's authority, and here there is none to borrow; whoever
holds the token can act, cookie or not. The moderator must still hold
`forum.change_comment` when the link is used.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forum.models import Comment, ModeratorPreference
from forum.services import decision_links as links
from forum.services import triage

TEMPLATE = "admin/cockpit/email_decision.html"
CHANNEL = "email"


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def email_decision(request, token: str):
    """Show the decision a link names; take it on POST, unless refused."""
    link = links.read(token)
    if link is None:
        return render(request, TEMPLATE, {"state": "invalid"}, status=400)
    context = {"link": link, "comment": link.comment, "post": link.comment.post}
    if not link.moderator.has_perm("forum.change_comment"):
        return render(request, TEMPLATE, {**context, "state": "forbidden"}, status=403)
    if request.method != "POST":
        return _answer(request, context, link.decided_since(), "confirm")
    with transaction.atomic():
        # Two clicks at once (a double tap, a retry): the row lock lets the
        # second see the first's decision, and refuse.
        Comment.objects.select_for_update().filter(pk=link.comment.pk).exists()
        earlier = link.decided_since()
        if earlier is None:
            triage.decide(
                comments=[link.comment],
                action=link.action,
                moderator=link.moderator,
                channel=CHANNEL,
            )
    return _answer(request, context, earlier, "done")


def _answer(request, context: dict, earlier, state: str):
    """The page in `state`, or "already decided by …" (409) if someone was first."""
    if earlier is not None:
        context.update(state="decided", earlier=earlier)
        return render(request, TEMPLATE, context, status=409)
    return render(request, TEMPLATE, {**context, "state": state})


class MailForm(forms.ModelForm):
    class Meta:
        model = ModeratorPreference
        fields = ["mail"]
        widgets = {"mail": forms.RadioSelect}


@require_http_methods(["GET", "POST"])
def mail_preferences(request):
    """A moderator's own choice of emails about comments to moderate."""
    if not request.user.has_perm("forum.change_comment"):
        raise PermissionDenied
    # Nothing is written until the moderator saves a choice.
    found = ModeratorPreference.objects.filter(user=request.user).first()
    preference = found or ModeratorPreference(user=request.user)
    was = preference.mail
    form = MailForm(request.POST or None, instance=preference)
    if form.is_valid():
        if form.cleaned_data["mail"] == ModeratorPreference.Mail.HOURLY != was:
            # The first digest holds what is held from now on, not the backlog.
            form.instance.digest_since = timezone.now()
        form.save()
        messages.success(request, gettext("Your email choice is saved."))
        return redirect("cockpit:mail")
    context = {
        **admin.site.each_context(request),
        "title": gettext("Emails about comments to moderate"),
        "form": form,
        "has_email": bool(request.user.email),
    }
    return render(request, "admin/cockpit/mail.html", context)
