"""Accounts and email self-service: sign-up, confirming, unsubscribing, privacy."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from forum import limits
from forum.clientip import client_ip
from forum.forms import EmailForm, SignupForm
from forum.services import accounts, notifications

TOO_MANY_SIGNUPS = _(
    "Too many accounts were made from your network in the last hour. "
    "Please try again later."
)


TOO_MANY_PRIVACY_MAILS = _(
    "Too many links were asked for from your network in the last hour. "
    "Please try again later."
)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if form.is_valid():
        try:
            user = accounts.account_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                ip_address=client_ip(request.META),
            )
        except limits.Limited as limited:
            form.add_error(None, TOO_MANY_SIGNUPS)
            return _signup_page(request, form, limited)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        welcome = _("Welcome, %(name)s. You are signed in.")
        messages.success(request, welcome % {"name": user.get_username()})
        return redirect(_next(request))
    return _signup_page(request, form)


def _signup_page(request, form, limited: limits.Limited | None = None):
    context = {"form": form, "next": request.GET.get("next", "")}
    return _form_page(request, "registration/signup.html", context, limited)


def _form_page(request, template, context, limited: limits.Limited | None = None):
    """The form (again, what was typed kept); 429 when a rate was reached."""
    status = 429 if limited else 400 if context["form"].errors else 200
    response = render(request, template, context, status=status)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


def _email_link_view(template, *, look, act, name, done):
    """A view for a link from an email: GET only looks (mail scanners follow
    links), POST acts; 400 when the link names nothing (expired, forged, used
    up). `look` and `act` take the link's signed token."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request, token):
        acting = request.method == "POST"
        found = (act if acting else look)(token)
        context = {name: found, done: acting}
        return render(request, template, context, status=200 if found else 400)

    return view


confirm_email = _email_link_view(
    "forum/email_confirmed.html",
    look=notifications.subscriptions_to_confirm,
    act=notifications.subscriptions_confirm,
    name="subscriptions",
    done="confirmed",
)

# The signed token is the credential; mail clients POST (RFC 8058).
unsubscribe = csrf_exempt(
    _email_link_view(
        "forum/unsubscribed.html",
        look=notifications.subscription_of,
        act=notifications.unsubscribe,
        name="subscription",
        done="done",
    )
)


@require_http_methods(["GET", "POST"])
def privacy_request(request):
    """Ask for an email address; mail a signed link to what it wrote."""
    form = EmailForm(request.POST or None)
    if form.is_valid():
        try:
            accounts.mail_privacy_link(
                email=form.cleaned_data["email"], ip_address=client_ip(request.META)
            )
        except limits.Limited as limited:
            form.add_error(None, TOO_MANY_PRIVACY_MAILS)
            return _privacy_page(request, form, limited)
        # The same answer whether or not the address wrote anything, and
        # whether or not it was sent: the address's own limit is silent.
        context = {"email": form.cleaned_data["email"], **_privacy_rates()}
        return render(request, "forum/privacy_sent.html", context)
    return _privacy_page(request, form)


def _privacy_page(request, form, limited: limits.Limited | None = None):
    context = {"form": form, **_privacy_rates()}
    return _form_page(request, "forum/privacy.html", context, limited)


def _privacy_rates() -> dict:
    return {"links_per_hour": limits.PRIVACY_MAILS_TO_ADDRESS.times}


def _privacy_link(view):
    """Run a privacy view with the email its signed link names, or say it expired."""

    @wraps(view)
    def wrapper(request, token):
        email = accounts.email_from_link(token)
        if email is None:
            return render(request, "forum/privacy_expired.html", status=400)
        return view(request, token, email)

    return wrapper


@require_safe
@_privacy_link
def privacy_manage(request, token, email):
    context = {
        "email": email,
        "token": token,
        "count": accounts.comments_of(email).count(),
    }
    return render(request, "forum/privacy_manage.html", context)


@require_POST
@_privacy_link
def privacy_download(request, token, email):
    response = HttpResponse(
        json.dumps(
            accounts.export(email),
            indent=2,
            ensure_ascii=False,
            cls=DjangoJSONEncoder,  # belt and braces: a date never makes a 500
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
    return response


@require_POST
@_privacy_link
def privacy_anonymise(request, token, email):
    count = accounts.anonymise(email)
    return render(request, "forum/privacy_done.html", {"count": count})


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/"
