"""Faults around the app: a Redis that hangs, a database that is down, a server
started without its static files. Each gets a clear answer, never a 500 page
or a page that takes seconds."""

import socket
import subprocess
import sys
import threading

import pytest
from django.db import OperationalError
from django.urls import include, path

from config import urls as config_urls
from tests.factories import make_comment, make_post
from tests.html import soup
from tests.processes import BASE_DIR, clean_env, free_port, run_python

pytestmark = pytest.mark.django_db

# Longer than Parley's Redis timeouts, shorter than redis-py's own (5 s).
PATIENCE_SECONDS = 3


class SilentServer:
    """A TCP server that accepts connections, reads, and never answers.

    It notes, for each connection, whether the client gave up (closed it)
    before the server's patience ran out.
    """

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.gave_up: list[bool] = []
        self.handlers: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            handler = threading.Thread(target=self._ignore, args=(conn,), daemon=True)
            self.handlers.append(handler)
            handler.start()

    def _ignore(self, conn):
        conn.settimeout(PATIENCE_SECONDS)
        with conn:
            try:
                while conn.recv(4096):
                    pass  # the client's commands: never answered
                self.gave_up.append(True)  # the client closed it
            except TimeoutError:
                self.gave_up.append(False)  # it was still waiting
            except OSError:
                self.gave_up.append(True)  # reset by the client

    def close(self) -> list[bool]:
        """Stop; return, per connection, whether the client gave up first."""
        self.sock.close()
        for handler in self.handlers:
            handler.join(PATIENCE_SECONDS + 2)
        return self.gave_up


@pytest.fixture
def hung_redis(settings):
    """The cache is a "Redis" that accepts connections and never answers."""
    server = SilentServer()
    settings.PAGE_CACHE_SECONDS = 0  # these count the thread cache's calls alone
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": settings.REDIS_OPTIONS,  # what REDIS_URL gets
        }
    }
    yield server
    server.close()


def test_redis_gets_connect_and_read_timeouts_well_under_a_second():
    from tests.processes import settings_under

    seen = settings_under("CACHES", REDIS_URL="redis://cache.internal:6379/0")
    options = seen["CACHES"]["default"]["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] < 1
    assert 0 < options["socket_timeout"] < 1


def test_a_thread_page_renders_without_a_redis_that_never_answers(client, hung_redis):
    post = make_post()
    make_comment(post=post, body="still readable")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "still readable" in response.content.decode()
    gave_up = hung_redis.close()
    # One read tried and abandoned; no write tried after it failed.
    assert gave_up == [True]


def test_healthz_reports_a_degraded_cache_and_stays_up(client, hung_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    first, second = response.content.decode().splitlines()
    assert first == "ok"
    assert second.startswith("cache degraded: TimeoutError")
    assert hung_redis.close() == [True]


def test_healthz_says_ok_alone_when_the_cache_answers(client):
    assert client.get("/healthz").content == b"ok\n"


# --- The database down: 503 with Retry-After -----------------------------------


def _raise_operational_error(request):
    raise OperationalError("connection refused")


def _raise_runtime_error(request):
    raise RuntimeError("Deliberate failure for the 500 page test.")


# Test-only URLconf: the site, its error handler, and two views that fail.
handler500 = config_urls.handler500
urlpatterns = [
    path("test/db-down/", _raise_operational_error),
    path("test/bug/", _raise_runtime_error),
    path("", include("config.urls")),
]


def heading(response) -> str:
    return soup(response).h1.get_text(strip=True)


def test_pages_answer_503_with_retry_after_while_the_database_is_down():
    port = free_port()  # nothing listens there
    code = (
        "from django.test import Client\n"
        "response = Client(raise_request_exception=False).get('/')\n"
        "print(response.status_code, response.get('Retry-After'))\n"
        "print(response.content.decode())"
    )
    result = run_python(
        code,
        DATABASE_URL=f"postgres://parley@127.0.0.1:{port}/parley?connect_timeout=2",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    status = next(line for line in out.splitlines() if line.startswith("503 "))
    assert status == "503 30"
    assert "<h1>Back in a moment</h1>" in out


def test_a_database_error_in_a_view_is_a_503(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/test/db-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert heading(response) == "Back in a moment"


def test_any_other_error_is_still_our_500_page(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/test/bug/")
    assert response.status_code == 500
    assert heading(response) == "Something went wrong"
    assert not response.has_header("Retry-After")


# --- Production without collectstatic -------------------------------------------


def test_the_wsgi_app_refuses_to_start_without_collected_static_files(tmp_path):
    result = run_python("import config.wsgi", DJANGO_STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0
    assert "Static files are not collected" in result.stderr
    assert "python manage.py collectstatic" in result.stderr


def test_gunicorn_stops_at_startup_naming_collectstatic(tmp_path):
    env = clean_env(
        DJANGO_STATIC_ROOT=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    gunicorn += ["--bind", f"127.0.0.1:{free_port()}", "--workers", "1"]
    result = subprocess.run(
        [*gunicorn, "config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Static files are not collected" in output
    assert "collectstatic" in output


def test_the_wsgi_app_starts_once_static_files_are_collected(tmp_path):
    static = str(tmp_path / "static")
    collected = run_python(
        "from django.core.management import call_command\n"
        "call_command('collectstatic', '--no-input', verbosity=0)",
        DJANGO_STATIC_ROOT=static,
    )
    assert collected.returncode == 0, collected.stderr
    started = run_python("import config.wsgi", DJANGO_STATIC_ROOT=static)
    assert started.returncode == 0, started.stderr
