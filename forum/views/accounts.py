"""Accounts and email self-service: sign-up, confirming, unsubscribing, privacy."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from forum.forms import EmailForm, SignupForm
from forum.services import accounts, notifications


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if form.is_valid():
        user = accounts.account_create(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}. You are signed in.")
        return redirect(_next(request))
    return render(
        request,
        "registration/signup.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request, token):
    """GET asks (mail scanners follow links), POST confirms what the link names."""
    if request.method == "POST":
        subscriptions = notifications.subscriptions_confirm(token)
    else:
        subscriptions = notifications.subscriptions_to_confirm(token)
    return render(
        request,
        "forum/email_confirmed.html",
        {"subscriptions": subscriptions, "confirmed": request.method == "POST"},
        status=200 if subscriptions else 400,
    )


@csrf_exempt  # the signed token is the credential; mail clients POST (RFC 8058)
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks (mail scanners follow links), POST unsubscribes (one click)."""
    if request.method == "POST":
        subscription = notifications.unsubscribe(token)
    else:
        subscription = notifications.subscription_of(token)
    return render(
        request,
        "forum/unsubscribed.html",
        {"subscription": subscription, "done": request.method == "POST"},
        status=200 if subscription else 400,
    )


@require_http_methods(["GET", "POST"])
def privacy_request(request):
    """Ask for an email address; mail a signed link to what it wrote."""
    form = EmailForm(request.POST or None)
    if form.is_valid():
        accounts.mail_privacy_link(form.cleaned_data["email"])
        # The same answer whether or not the address wrote anything.
        return render(
            request, "forum/privacy_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request,
        "forum/privacy.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


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
        json.dumps(accounts.export(email), indent=2, ensure_ascii=False),
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
