"""Drive gunicorn + PostgreSQL with readers and repliers, then check the trees.

    python manage.py load_test [--seconds 60] [--clients 16] [--replies 0.05]

Runs against a throwaway database (parley_loadtest_<pid>, created and dropped
here) on the DATABASE_URL server, with a post of --comments comments. It
starts gunicorn with config/gunicorn.conf.py, then client threads loop for
--seconds: about 95% read a page of the thread (or the front page), 5% load
the form and post a reply to a random comment. It reports requests per
second, p50/p95/p99 latency per kind, errors, and whether every comment tree
is still sound (forum.trees) and every accepted reply was stored.
"""

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from forum import tree_checks as trees
from forum.management.commands.bench_threads import build_thread
from forum.models import Comment, Post

HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"')


class Command(BaseCommand):
    help = "Load-test gunicorn + PostgreSQL with readers and repliers (60 s)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--replies", type=float, default=0.05)
        parser.add_argument("--comments", type=int, default=2000)
        parser.add_argument(
            "--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1
        )

    def handle(self, *args, seconds, clients, replies, comments, workers, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The load test needs PostgreSQL: set DATABASE_URL.")
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"parley_loadtest_{os.getpid()}"
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            post = build_thread(comments, random.Random(1), slug="load-test")
            ids = list(Comment.objects.filter(post=post).values_list("pk", flat=True))
            with _gunicorn(workers) as base:
                self.stdout.write(
                    f"gunicorn: {workers} workers on {os.cpu_count()} cores; "
                    f"{clients} clients for {seconds} s; {replies:.0%} replies; "
                    f"thread of {comments:,} comments"
                )
                results = _drive(base, post, ids, clients, seconds, replies)
            self._report(results, seconds, post)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _report(self, results, seconds, post):
        total = sum(len(samples) for samples in results["latency"].values())
        self.stdout.write(f"\nrequests: {total:,} ({total / seconds:.1f}/s)")
        self.stdout.write(
            "| kind | requests | p50 | p95 | p99 |\n|---|---|---|---|---|"
        )
        for kind, samples in sorted(results["latency"].items()):
            p50, p95, p99 = (_percentile(samples, q) for q in (50, 95, 99))
            self.stdout.write(f"| {kind} | {len(samples):,} | {p50} | {p95} | {p99} |")
        errors = results["errors"]
        self.stdout.write(
            f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10])
        )
        stored = Comment.objects.filter(pk__in=results["created"]).count()
        problems = trees.find_problems()
        self.stdout.write(
            f"replies accepted: {len(results['created'])}, stored: {stored}; "
            f"comment trees: {problems or 'sound'}"
        )
        if errors or problems or stored != len(results["created"]):
            raise CommandError("The load test found errors.")


class _gunicorn:
    """Run gunicorn on a free port against the load-test database."""

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self) -> str:
        self.static = tempfile.TemporaryDirectory()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or ''}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": self.static.name,
            "COMMENT_FLOOD_SECONDS": "0",
            "COMMENT_MIN_FILL_SECONDS": "0",
            "COMMENT_HOLD_FIRST": "false",
            "COMMENT_MAX_LINKS": "0",
        }
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "/dev/null",
                "config.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                return base
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise CommandError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.static.cleanup()


def _drive(base, post: Post, ids, clients, seconds, replies) -> dict:
    results = {"latency": defaultdict(list), "errors": [], "created": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    pages = [post.get_absolute_url(), "/"]
    threads = [
        threading.Thread(
            target=_client,
            args=(
                base,
                post,
                ids,
                pages,
                replies,
                deadline,
                random.Random(n),
                results,
                lock,
            ),
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _client(base, post, ids, pages, replies, deadline, rng, results, lock):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )
    while time.monotonic() < deadline:
        kind = "reply" if rng.random() < replies else "read"
        started = time.perf_counter()
        try:
            if kind == "read":
                _get(opener, base + rng.choice(pages))
            else:
                with lock:
                    parent = rng.choice(ids)
                created = _reply(opener, base, post, parent, rng)
                with lock:
                    ids.append(created)
                    results["created"].append(created)
        except Exception as error:  # noqa: BLE001 -- every failure is a finding
            with lock:
                results["errors"].append(f"{kind}: {error!r}")
            continue
        with lock:
            results["latency"][kind].append(time.perf_counter() - started)


def _get(opener, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        return response.read().decode()


def _reply(opener, base, post, parent: int, rng) -> int:
    page = _get(opener, f"{base}/comment/{parent}/")
    fields = dict(HIDDEN.findall(page))
    data = {
        **fields,
        "comment": f"Load test reply {rng.random():.12f}",
        "author": "Load Tester",
        "email": "load@example.com",
        "comment_parent": str(parent),
        "comment_post_ID": str(post.pk),
    }
    request = urllib.request.Request(
        f"{base}/comments/post/", data=urllib.parse.urlencode(data).encode()
    )
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        location = redirect.headers["Location"]
        return int(location.rsplit("#comment-", 1)[1])
    raise RuntimeError("the reply was not redirected to its comment")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow GET redirects (permalinks), but report a POST's own redirect."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if req.get_method() == "POST":
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _percentile(samples: list[float], q: int) -> str:
    if len(samples) < 2:
        return f"{(samples or [0])[0] * 1000:.0f} ms"
    cut = statistics.quantiles(samples, n=100, method="inclusive")[q - 1]
    return f"{cut * 1000:.0f} ms"
