"""Serving: `make serve`, /healthz, our error pages, and what keeps hosts stateless."""

import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from uuid import uuid4

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from config.cache import RedisCache
from tests.factories import comment_data, make_post
from tests.html import soup
from tests.processes import (
    BASE_DIR,
    clean_env,
    free_port,
    run_python,
    settings_under,
)
from tests.redis_server import REDIS_URL, needs_redis

pytestmark = pytest.mark.django_db

STARTUP_SECONDS = 90  # collectstatic, migrate a new database, start gunicorn


def _raise_error(request):
    raise RuntimeError("Deliberate failure for the 500 page test.")


def _raise_permission_denied(request):
    raise PermissionDenied


# Test-only URLconf: the site, plus two views that fail on purpose.
urlpatterns = [
    path("test/500/", _raise_error),
    path("test/403/", _raise_permission_denied),
    path("", include("config.urls")),
]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait_for(url: str, process, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make serve exited:\n{log.read_text()[-3000:]}")
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no answer from {url}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def make_serve(tmp_path):
    """Run `make serve` on a new SQLite database.

    Yields the base URL, the database file, STATIC_ROOT and the output's file.
    """
    port, database = free_port(), tmp_path / "serve.sqlite3"
    env = clean_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    # This interpreter's virtualenv, already installed: never reinstall here.
    make = ["make", "--no-print-directory", f"VENV={sys.prefix}"]
    make += ["-o", f"{sys.prefix}/bin/.installed", "serve"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            make,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn goes too
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/healthz", process, log)
        yield base, database, tmp_path / "static", log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_make_serve_migrates_collects_static_and_runs_gunicorn(make_serve):
    base, database, static_root, log = make_serve
    status, headers, body = fetch(base + "/")
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    with sqlite3.connect(database) as db:  # migrated: the page's tables exist
        assert db.execute("SELECT count(*) FROM forum_post").fetchone() == (0,)
    assert (static_root / "staticfiles.json").exists()
    stylesheet = soup(body).select_one("link[rel=stylesheet]")
    assert re.fullmatch(r"/static/css/parley\.[0-9a-f]{12}\.css", stylesheet["href"])
    status, headers, body = fetch(
        base + stylesheet["href"], **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert b"body" in gzip.decompress(body)
    assert '"GET /healthz HTTP/1.1" 200' in log.read_text()  # access log on stdout


def test_make_run_mails_links_to_the_address_it_serves(tmp_path):
    """`make run PORT=...`: a confirmation email links to that port, not 8000."""
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        COMMENT_MIN_FILL_SECONDS="0",
    )
    del env["SITE_URL"], env["DJANGO_SECRET_KEY"]  # as a developer's shell has it
    make = ["make", "--no-print-directory", f"VENV={sys.prefix}"]
    make += ["-o", f"{sys.prefix}/bin/.installed", "run", f"PORT={port}"]
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            make,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: runserver goes too
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/", process, log)
        _comment_asking_for_notifications(base)
        link = _confirmation_link_in(log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert link.startswith(f"{base}/email/confirm/")


def _comment_asking_for_notifications(base: str) -> None:
    """Post a guest's comment on the demo's open post, ticking a notify box."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    front = soup(browser.open(base + "/").read())
    welcome = front.find("a", string=re.compile("Welcome to Parley"))["href"]
    page = soup(browser.open(base + welcome).read())
    form = page.select_one("#commentform")
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    data.update(
        comment="Hello from a test.",
        author="Tess",
        email="tess@mail.test",
        notify_post="on",
    )
    for unticked in ("notify_replies", "cookies_consent"):
        data.pop(unticked, None)
    body = urllib.parse.urlencode(data).encode()
    browser.open(base + form["action"], body)


def _confirmation_link_in(log) -> str:
    """The link in the confirmation email the console backend printed."""
    for _ in range(100):
        found = re.search(r"http://\S+/email/confirm/\S+", log.read_text())
        if found:
            return found.group()
        time.sleep(0.2)
    pytest.fail(f"no confirmation email:\n{log.read_text()[-3000:]}")


def test_a_worker_imports_views_and_compiles_templates_before_its_first_request():
    """config.wsgi runs warm_up, so a new worker's first reader doesn't wait."""
    code = textwrap.dedent("""
        import sys
        from django.template import engines
        from config.startup import WARM_TEMPLATES, warm_up
        loader = engines["django"].engine.template_loaders[0]
        def state():
            cached = {str(key).partition("-")[0] for key in loader.get_template_cache}
            views = "forum.views.reading" in sys.modules
            return [set(WARM_TEMPLATES) <= cached, views]
        print(state())
        warm_up()
        print(state())
    """)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[False, False]", "[True, True]"]


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_any_host_name(client):
    # Load balancers probe each host by IP: not in ALLOWED_HOSTS.
    assert client.get("/healthz", HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400


def test_healthz_answers_503_when_the_database_does_not():
    port = free_port()  # nothing listens there
    code = (
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, response.content.decode().strip())"
    )
    result = run_python(
        code,
        DATABASE_URL=f"postgres://parley@127.0.0.1:{port}/parley",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    *logged, answer = result.stdout.strip().splitlines()  # logs go to stdout too
    assert answer == "503 database unavailable"
    assert "Health check: database 'default' does not answer" in logged[0]


def test_healthz_takes_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# --- Error pages, with DEBUG off (pytest-django's default) --------------------


def our_page(response, heading: str) -> bool:
    page = soup(response)
    return page.h1 is not None and page.h1.get_text(strip=True) == heading


def test_400_page_is_ours(client, settings):
    settings.DEBUG = False
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert our_page(response, "Bad request")


def test_403_page_is_ours(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = client.get("/test/403/")
    assert response.status_code == 403
    assert our_page(response, "Forbidden")


def test_403_csrf_page_is_ours(settings):
    settings.DEBUG = False
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/comments/post/", comment_data(make_post()))
    assert response.status_code == 403
    assert our_page(response, "This form has expired")


def test_404_page_is_ours(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert our_page(response, "Nothing here")


def test_429_page_is_ours(client, settings):
    settings.DEBUG = False
    settings.COMMENT_FLOOD_SECONDS = 60
    post = make_post()
    client.post("/comments/post/", comment_data(post))
    response = client.post("/comments/post/", comment_data(post, comment="Again."))
    assert response.status_code == 429
    assert our_page(response, "Your comment was not posted")
    assert int(response["Retry-After"]) > 0


def test_500_page_is_ours(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/test/500/")
    assert response.status_code == 500
    assert our_page(response, "Something went wrong")


# --- Stateless app servers: cache and sessions ---------------------------------


def test_redis_url_selects_the_redis_cache():
    seen = settings_under("CACHES", REDIS_URL="redis://cache.internal:6379/0")
    cache = seen["CACHES"]["default"]
    assert cache["BACKEND"] == "config.cache.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/0"


def test_without_redis_url_the_cache_is_local_memory():
    seen = settings_under("CACHES")
    backend = seen["CACHES"]["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_sessions_are_in_the_database_by_default():
    seen = settings_under("SESSION_ENGINE")
    assert seen["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_session_engine_comes_from_the_environment():
    seen = settings_under(
        "SESSION_ENGINE", DJANGO_SESSION_ENGINE="cache", REDIS_URL=REDIS_URL
    )
    assert seen["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache"


def test_sessions_in_a_per_process_cache_are_refused():
    result = run_python("", DJANGO_SESSION_ENGINE="cache")
    assert result.returncode != 0
    assert "DJANGO_SESSION_ENGINE=cache needs REDIS_URL" in result.stderr


@needs_redis
def test_the_redis_cache_keeps_one_client_per_server():
    """Django's backend built a redis-py client for every call (config/cache.py)."""
    backend = RedisCache(f"{REDIS_URL},{REDIS_URL}", {})  # written, and read from
    key = f"test-{uuid4().hex}"
    backend.set(key, "kept")
    assert backend.get(key) == "kept"
    backend.delete(key)
    writer = backend._cache.get_client(write=True)
    reader = backend._cache.get_client()
    assert writer is not reader
    assert backend._cache.get_client(write=True) is writer
    assert backend._cache.get_client() is reader


@needs_redis
def test_a_session_in_redis_is_seen_by_another_process():
    """What lets any app server take a browser's next request."""
    secret = uuid4().hex
    env = {"REDIS_URL": REDIS_URL, "DJANGO_SESSION_ENGINE": "cache"}
    write = (
        "from django.contrib.sessions.backends.cache import SessionStore\n"
        f"session = SessionStore()\nsession['secret'] = {secret!r}\n"
        "session.save()\nprint(session.session_key)"
    )
    written = run_python(write, **env)
    assert written.returncode == 0, written.stderr
    key = written.stdout.strip()
    read = (
        "import json\nfrom django.conf import settings\n"
        "from django.contrib.sessions.backends.cache import SessionStore\n"
        f"session = SessionStore({key!r})\n"
        "print(json.dumps([settings.CACHES['default']['BACKEND'], "
        "session.get('secret')]))\nsession.delete()"
    )
    seen = run_python(read, **env)
    assert seen.returncode == 0, seen.stderr
    assert json.loads(seen.stdout) == [
        "config.cache.RedisCache",
        secret,
    ]
