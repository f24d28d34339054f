"""A real gunicorn with four workers on the test database, and readers replying.

Client threads do what a browser without JavaScript does: load the post page
(the csrftoken cookie, the form's hidden csrfmiddlewaretoken and form_token),
then post the form. Every reply goes to a random comment written so far.
"""

import http.cookiejar
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import Resolver404, resolve

from forum import services
from forum.models import Comment
from tests.factories import make_post

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: gunicorn workers are separate processes that "
        "share the test database",
    ),
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 4
CLIENTS = 16
REPLIES_PER_CLIENT = 13  # 208 in all
SEEDS_PER_POST = 3
TIMEOUT = 20  # seconds, per request and for gunicorn to come up


@dataclass(frozen=True)
class Server:
    base: str
    log: Path
    pid: int  # gunicorn's master

    def post_seconds(self) -> list[float]:
        """Seconds each comment POST spent in a worker, from the access log."""
        return [
            int(line.split()[-1]) / 1e6
            for line in self.log.read_text().splitlines()
            if line.startswith("ACCESS POST /comments/post/ ")
        ]


@dataclass(frozen=True)
class Reply:
    post_id: int
    parent_pk: int
    body: str
    status: int
    location: str
    seconds: float


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is what the test checks


class _CommentFormInputs(HTMLParser):
    """Collect the hidden inputs of form#commentform."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == "commentform"
        elif tag == "input" and self.in_form and attrs.get("type") == "hidden":
            self.fields[attrs.get("name", "")] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django made
    auth = urllib.parse.quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(base: str, process, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer in {TIMEOUT} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """Start gunicorn on the test database; yield it as a Server; stop it."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SECRET_KEY": "gunicorn-test-secret",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "COMMENT_FLOOD_SECONDS": "0",
        "COMMENT_MIN_FILL_SECONDS": "0",
        "COMMENT_HOLD_FIRST": "false",
        "COMMENT_MAX_DEPTH": "31",  # random parents stay far shallower: no capping
    }
    # Production storage is WhiteNoise's manifest: pages fail without it.
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=60,
    )
    base = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                BIN / "gunicorn",
                *("-c", "config/gunicorn.conf.py", "--workers", str(WORKERS)),
                *("--bind", base.removeprefix("http://"), "config.wsgi"),
                # Time spent in the worker, to tell it apart from queueing.
                *("--access-logformat", "ACCESS %(m)s %(U)s %(s)s %(D)s"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base, process, log)
            yield Server(base, log, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _reply(opener, base, url, parent_pk, body) -> tuple[int, str, float]:
    """Load the page as a reader would, post the form; return status, Location."""
    page = f"{base}{url}?replytocom={parent_pk}"
    with opener.open(page, timeout=TIMEOUT) as response:
        form = _CommentFormInputs()
        form.feed(response.read().decode())
    if not {"csrfmiddlewaretoken", "form_token"} <= form.fields.keys():
        raise AssertionError(f"no comment form under comment {parent_pk} on {page}")
    fields = {
        **form.fields,
        "comment_parent": str(parent_pk),
        "comment": body,
        "author": "Load Reader",
        "email": "reader@example.com",
        "url": "",
        "contact_me_by_fax_only": "",
    }
    request = urllib.request.Request(
        f"{base}/comments/post/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": page},
    )
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            status, location = response.status, ""
    except urllib.error.HTTPError as answer:  # the 302, or an error page
        status, location = answer.code, answer.headers.get("Location", "")
    return status, location, time.perf_counter() - started


def _client(index, base, urls, parents, lock, replies, errors):
    rng = random.Random(index)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
    )
    try:
        for n in range(REPLIES_PER_CLIENT):
            with lock:
                parent_pk, post_id = rng.choice(parents)
            body = f"Reply {n} from client {index} to comment {parent_pk}."
            status, location, seconds = _reply(
                opener, base, urls[post_id], parent_pk, body
            )
            reply = Reply(post_id, parent_pk, body, status, location, seconds)
            pk = _comment_pk(reply, urls)
            with lock:
                replies.append(reply)
                if pk is not None:
                    parents.append((pk, post_id))
    except Exception as error:  # reported by the test, not lost in a thread
        with lock:
            errors.append(error)


def _comment_pk(reply: Reply, urls) -> int | None:
    """The new comment's pk, if the answer was a 302 to its permalink: on the
    post's page, or on an ancestor's own page once the chain of replies grows
    deeper than the thread shows inline."""
    target = urllib.parse.urlsplit(reply.location)
    if reply.status != 302:
        return None
    if target.path != urls[reply.post_id]:
        try:
            if resolve(target.path).url_name != "comment-thread":
                return None
        except Resolver404:
            return None
    prefix, _, pk = target.fragment.partition("-")
    return int(pk) if prefix == "comment" and pk.isdigit() else None


def _seed_threads() -> tuple[dict[int, str], list[tuple[int, int]]]:
    urls, parents = {}, []
    for _ in range(2):
        post = make_post()
        urls[post.pk] = post.get_absolute_url()
        for n in range(SEEDS_PER_POST):
            seed = services.comment_create(
                post=post, body=f"Seed {n}.", author_name="Seed"
            )
            parents.append((seed.pk, post.pk))
    return urls, parents


def _latency(label: str, seconds: list[float]) -> str:
    seconds = sorted(seconds)
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[18]
    return (
        f"  {label}: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms "
        f"({len(seconds)} requests)"
    )


def test_workers_fork_from_a_master_that_loaded_the_app(gunicorn):
    """preload_app: a worker that replaces another serves at once, instead of
    spending a second of CPU importing Django while the others serve."""
    master = Path(f"/proc/{gunicorn.pid}/maps").read_text()
    assert "psycopg_binary" in master  # imported with Django's database layer


def test_concurrent_replies_through_gunicorn_all_land_under_their_parents(gunicorn):
    started = time.perf_counter()
    urls, parents = _seed_threads()
    lock, replies, errors = threading.Lock(), [], []
    clients = [
        threading.Thread(
            target=_client,
            args=(i, gunicorn.base, urls, parents, lock, replies, errors),
        )
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert errors == []
    assert len(replies) == CLIENTS * REPLIES_PER_CLIENT
    print(
        f"\ngunicorn, {WORKERS} workers, {CLIENTS} clients, {len(replies)} replies "
        f"in {elapsed:.1f} s:\n"
        + _latency("comment POST, seen by the client", [r.seconds for r in replies])
    )
    if worker_seconds := gunicorn.post_seconds():  # absent if the log format changes
        print(_latency("comment POST, inside the worker", worker_seconds))

    pks = {reply: _comment_pk(reply, urls) for reply in replies}
    assert [r for r, pk in pks.items() if pk is None] == []
    stored = {
        pk: (post_id, parent_id, body)
        for pk, post_id, parent_id, body in Comment.objects.filter(
            pk__in=pks.values(), status=Comment.Status.APPROVED
        ).values_list("pk", "post_id", "parent_id", "body")
    }
    misplaced = [
        reply
        for reply, pk in pks.items()
        if stored.get(pk) != (reply.post_id, reply.parent_pk, reply.body)
    ]
    assert misplaced == []
    assert Comment.objects.count() == 2 * SEEDS_PER_POST + len(replies)
    out = StringIO()
    call_command("check_threads", stdout=out)
    assert "All comment trees are sound" in out.getvalue()
