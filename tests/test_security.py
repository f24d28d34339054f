"""Production settings: the deploy checklist, HTTPS, and the response headers."""

import json
import subprocess
import sys

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_category, make_comment, make_post, make_user
from tests.html import soup
from tests.processes import (
    BASE_DIR,
    STRONG_SECRET,
    clean_env,
    run_python,
    settings_under,
)

pytestmark = pytest.mark.django_db

# The production environment docs/deployment.md documents (`check --deploy`
# contacts neither database nor Redis).
PRIMARY = "postgres://parley:secret@db-primary.internal:5432/parley?connect_timeout=5"
PRODUCTION = {
    "DJANGO_SECRET_KEY": STRONG_SECRET,
    "SITE_URL": "https://blog.example.com",
    "DJANGO_ALLOWED_HOSTS": "blog.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://blog.example.com",
    "DJANGO_HTTPS": "true",
    "DATABASE_URL": PRIMARY,
    "DATABASE_REPLICA_URLS": ",".join(
        PRIMARY.replace("primary", f"replica-{n}") for n in (1, 2)
    ),
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_STATIC_HOST": "https://cdn.example.com",
    "TRUSTED_PROXIES": "10.0.0.0/24",
    "GUNICORN_BIND": "0.0.0.0:8000",
    "GUNICORN_FORWARDED_ALLOW_IPS": "10.0.0.0/24",
}
# Script types a browser executes (a JSON data block is not run, nor policed).
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def deploy_check(**variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def inline_scripts(response) -> list[str]:
    """Executable <script> elements without a src, as HTML."""
    page = soup(response)
    return [
        str(script)
        for script in page.find_all("script")
        if not script.get("src") and script.get("type", "").lower() in SCRIPT_TYPES
    ]


def test_deploy_check_reports_nothing_under_the_documented_production_environment():
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_without_https_names_what_the_switch_turns_on():
    result = deploy_check(**{**PRODUCTION, "DJANGO_HTTPS": "false"})
    assert result.returncode == 1
    for check in ("W004", "W008", "W012", "W016"):  # HSTS, redirect, both cookies
        assert f"security.{check}" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("", DJANGO_SECRET_KEY="", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_the_sites_address():
    result = run_python("", SITE_URL="", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SITE_URL is not set" in result.stderr


def test_the_sites_address_must_be_a_web_address():
    result = run_python("", SITE_URL="blog.example.com")
    assert result.returncode != 0
    assert "SITE_URL must be an http(s) address" in result.stderr


def test_email_links_use_the_sites_address_in_production():
    seen = settings_under("SITE_URL", SITE_URL="https://blog.example.com/")
    assert seen["SITE_URL"] == "https://blog.example.com"


def test_development_without_a_site_address_links_to_runserver():
    seen = settings_under("SITE_URL", SITE_URL="", DJANGO_DEBUG="true")
    assert seen["SITE_URL"] == "http://127.0.0.1:8000"


def test_https_switch_redirects_plain_http_and_sends_hsts(tmp_path):
    code = """
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="blog.example.com")
plain = client.get("/admin/")
secure = client.get("/admin/", HTTP_X_FORWARDED_PROTO="https")
probe = client.get("/healthz", HTTP_HOST="10.0.0.7")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security")],
    "csp": secure.get("Content-Security-Policy"),
    "probe": probe.status_code,
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = run_python(
        code, **{**PRODUCTION, "DATABASE_URL": database, "DATABASE_REPLICA_URLS": ""}
    )
    assert result.returncode == 0, result.stderr
    # Logs go to stdout too (the probe finds no Redis at cache.internal).
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["plain"] == [301, "https://blog.example.com/admin/"]
    # The admin's redirect to its login page: no template, no database.
    assert seen["secure"] == [302, "max-age=31536000; includeSubDomains; preload"]
    assert "upgrade-insecure-requests" in seen["csp"]
    assert seen["probe"] == 200  # the load balancer's plain-HTTP probe by IP
    assert seen["cookies"] == [True, True]


def test_plain_http_is_served_without_the_https_switch(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert "upgrade-insecure-requests" not in csp(response)


def test_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_content_security_policy_allows_scripts_from_our_origin_only(client):
    policy = csp(client.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "style-src-attr" not in policy


def test_public_pages_have_no_inline_script(client):
    post = make_post(categories=[make_category()])
    parent = make_comment(post=post)
    reply = make_comment(post=post, parent=parent)
    pages = [
        "/",
        post.get_absolute_url(),
        f"{post.get_absolute_url()}?replytocom={parent.pk}",
        reverse("forum:comment-thread", args=[reply.pk]),
        post.categories.get().get_absolute_url(),
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.templates, url  # a page we rendered, not a redirect
        assert inline_scripts(response) == [], url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url


def test_static_host_joins_the_policy_for_scripts_and_styles():
    code = (
        "import json\nfrom django.conf import settings\n"
        "print(json.dumps([settings.STATIC_URL, "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']]))"
    )
    result = run_python(code, DJANGO_STATIC_HOST="https://cdn.example.com/")
    assert result.returncode == 0, result.stderr
    static_url, directives = json.loads(result.stdout)
    assert static_url == "https://cdn.example.com/static/"
    assert directives["script-src"] == ["'self'", "https://cdn.example.com"]
    assert directives["style-src"] == ["'self'", "https://cdn.example.com"]


def test_static_host_must_be_an_origin():
    result = run_python("", DJANGO_STATIC_HOST="cdn.example.com")
    assert result.returncode != 0
    assert "DJANGO_STATIC_HOST must be an origin" in result.stderr


def _admin_pages(post, comment, request) -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if model_admin.has_add_permission(request):  # the outbox has no add page
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    for obj in (post, comment, post.author):
        opts = obj._meta
        pages.append(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        pages.append(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        )
    pages.append(reverse("admin:forum_post_delete", args=[post.pk]))
    return pages


def test_admin_pages_have_no_inline_script_under_the_policy(client):
    post = make_post()
    comment = make_comment(post=post, parent=make_comment(post=post))
    assert inline_scripts(client.get(reverse("admin:login"))) == []
    superuser = make_user(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    for url in _admin_pages(post, comment, request):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_scripts(response) == [], url
        assert csp(response)["script-src"] == ["'self'"], url


def test_admin_pages_may_use_style_attributes_and_nothing_more(client):
    make_comment(post=make_post())
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:forum_comment_changelist"))
    assert 'style="padding-left:' in response.content.decode()  # mptt's indent
    policy = csp(response)
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
