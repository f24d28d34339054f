"""Serve gunicorn + PostgreSQL to a real load generator (wrk), then check the trees.

    python -m benchmarks.loadtest [--seconds 15] [--comments 2000]   (make loadtest)

Runs against a throwaway database (parley_loadtest_<pid>, created and dropped
here) on the DATABASE_URL server, with the demo posts (load_demo), a post of
100 comments and a post of --comments comments. It starts gunicorn with
config/gunicorn.conf.py and points wrk (2 threads, 8 connections, --seconds
each) at:

1. `/healthz` (one `SELECT 1`), the home page, the seed thread, the
   100-comment thread and a category page, as anonymous readers: requests per
   second and each page's share of `/healthz`'s, in the same run (in three
   interleaved rounds of a third of --seconds each: medians);
2. the big thread read-only, then the same reads while repliers post about
   one reply for every 19 reads (a 95/5 mix): the read rate under replies as a
   share of the read-only rate;
3. with --whole N (10,000 by default; 0 skips it), a thread of N comments
   shown whole (COMMENTS_PER_PAGE=0) by a gunicorn of one worker: the page
   uncached, each time from a fresh worker (gunicorn restarted, the cache
   emptied), then warm, each as a multiple of the floor timed in the same
   run (benchmarks.threads: the raw driver's fetch of the same rows and an
   escaped join).
4. the big thread's reads while voters vote 20 times a second (guests, JSON, on
   random comments of the thread): the read rate under votes as a share of
   the read-only rate (issue 16's target: at least 80%).

wrk runs in its own process (C, event-driven), so the client takes little of
the server's cores. It reports errors (non-2xx answers, socket errors, failed
replies) and whether every comment tree is still sound and every accepted
reply was stored; any of those fails the run (exit status 1).
"""

import argparse
import functools
import io
import os
import random
import re
import shutil
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
from http.cookiejar import CookieJar
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from benchmarks.data import build_thread, throwaway_database
from benchmarks.threads import _floor, _timed
from forum import tree_checks
from forum.models import Category, Comment, Post

HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"')
READS_PER_REPLY = 19  # a 95/5 read/reply mix
VOTES_PER_SECOND = 20
ROUNDS = 3  # of the page table, interleaved


class LoadTestFailed(SystemExit):
    """The load test could not run, or found errors: exit status 1."""


def main(argv: list[str] | None = None) -> None:
    args = _arguments().parse_args(argv)
    if connection.vendor != "postgresql":
        raise LoadTestFailed("The load test needs PostgreSQL: set DATABASE_URL.")
    if not shutil.which("wrk"):
        raise LoadTestFailed("The load test needs wrk: apt-get install wrk.")
    with throwaway_database("parley_loadtest"):
        pages, big = _pages(args.comments)
        redis = _empty_redis(args.redis)
        with _gunicorn(args.workers, redis) as base:
            print(
                f"gunicorn: {args.workers} workers on {os.cpu_count()} cores; "
                f"cache: {redis or 'none (each worker its own; page cache off)'}; "
                f"wrk: 2 threads, 8 connections, {args.seconds} s per figure"
            )
            errors = _page_table(base, pages, args.seconds)
            errors += _mix(base, big, args.seconds)
        if args.whole:
            _whole_page(args.whole, redis, args.runs)
        _verdict(errors)


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadtest")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--whole", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="the shared cache gunicorn uses (emptied first); '' for none",
    )
    return parser


def _empty_redis(url: str) -> str:
    """The Redis URL, emptied (pages of an earlier run share its slugs), or ''."""
    if not url:
        return ""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        print(f"Redis at {url} unusable ({error}): running without it")
        return ""
    return url


def _pages(comments: int) -> tuple[dict[str, str], Post]:
    """The pages to load, by label, and the big thread for the mix."""
    call_command("load_demo", stdout=io.StringIO())
    rng = random.Random(1)
    hundred = build_thread(100, rng, slug="load-test-100")
    big = build_thread(comments, rng, slug="load-test")
    seed = Post.objects.exclude(pk__in=[hundred.pk, big.pk]).order_by("pk").first()
    category = Category.objects.order_by("pk").first()
    pages = {
        "/healthz": "/healthz",
        "home page": "/",
        f"seed thread ({seed.comments.count()} comments)": seed.get_absolute_url(),
        "100-comment thread": hundred.get_absolute_url(),
        "category page": category.get_absolute_url(),
    }
    return pages, big


def _page_table(base: str, pages: dict[str, str], seconds: int) -> list[str]:
    """wrk each page in ROUNDS interleaved rounds; print the median requests/s
    and the median of each round's share of that round's /healthz.

    This host's speed drifts by 2-4x within a minute: pages measured one after
    the other would be compared across different hosts, in effect.
    """
    print("\n| page | requests/s | share of /healthz |\n|---|---|---|")
    errors: list[str] = []
    rates: dict[str, list[float]] = {label: [] for label in pages}
    slice_seconds = max(1, round(seconds / ROUNDS))
    for _ in range(ROUNDS):
        for label, path in pages.items():
            rate, failed = _wrk(base + path, slice_seconds)
            rates[label].append(rate)
            errors += [f"{label}: {failure}" for failure in failed]
    healthz = rates[next(iter(pages))]
    for label, measured in rates.items():
        shares = [r / h for r, h in zip(measured, healthz, strict=True) if h]
        share = f"{statistics.median(shares):.0%}" if shares else "n/a"
        print(f"| {label} | {statistics.median(measured):,.0f} | {share} |")
    return errors


def _mix(base: str, post: Post, seconds: int) -> list[str]:
    """The big thread read-only, then under replies (95/5): the read share."""
    url = base + post.get_absolute_url()
    alone, errors = _wrk(url, seconds)
    ids = list(Comment.objects.filter(post=post).values_list("pk", flat=True))
    # At least one reply a second, should a busy host complete no reads.
    repliers = _Repliers(base, post, ids, per_second=max(alone / READS_PER_REPLY, 1))
    with repliers:
        mixed, failed = _wrk(url, seconds)
    errors += failed + repliers.errors
    stored = Comment.objects.filter(pk__in=repliers.created).count()
    if stored != len(repliers.created):
        errors.append(f"replies accepted: {len(repliers.created)}, stored: {stored}")
    print(
        f"\n{post.comments.count():,}-comment thread: read-only {alone:,.0f}/s; "
        f"with replies {mixed:,.0f}/s ({_share(mixed, alone)} of read-only) and "
        f"{len(repliers.created)} replies ({repliers.p95()} p95)"
    )
    return errors + _votes_mix(url, base, ids, alone, seconds)


def _share(rate: float, alone: float) -> str:
    """A rate as a share of another ("n/a" if none of those requests completed)."""
    return f"{rate / alone:.0%}" if alone else "n/a"


def _votes_mix(url: str, base: str, ids: list[int], alone: float, seconds: int):
    """The big thread's reads while voters vote VOTES_PER_SECOND times a second."""
    voters = _Voters(base, ids[:500], per_second=VOTES_PER_SECOND)
    with voters:
        voted, failed = _wrk(url, seconds)
    share = _share(voted, alone)
    print(
        f"with {VOTES_PER_SECOND} votes/s asked: {voted:,.0f}/s ({share} of "
        f"read-only), {voters.cast} votes cast ({voters.cast / seconds:.0f}/s, "
        f"{voters.p95()} p95)"
    )
    return failed + voters.errors


def _whole_page(comments: int, redis_url: str, runs: int = 5) -> None:
    """A thread shown whole over HTTP, uncached from a fresh worker and warm,
    against the floor (the same rows by the raw driver, escaped and joined)."""
    post = build_thread(comments, random.Random(2), slug="load-test-whole")
    floor = statistics.median(_timed(lambda: _floor(post.pk), runs))
    cold = []
    for _ in range(runs):
        _empty_redis(redis_url)
        with _gunicorn(1, redis_url, COMMENTS_PER_PAGE="0") as base:
            get = functools.partial(_get_bytes, base + post.get_absolute_url())
            cold += _timed(get, 1)
            warm = _timed(get, runs)
    cold_ms, warm_ms = statistics.median(cold), statistics.median(warm)
    print(
        f"\n{comments:,}-comment page whole over HTTP (one worker): uncached from "
        f"a fresh worker {cold_ms * 1000:.0f} ms ({cold_ms / floor:.2f}x the floor), "
        f"warm {warm_ms * 1000:.0f} ms ({warm_ms / floor:.2f}x); "
        f"floor {floor * 1000:.0f} ms"
    )


def _get_bytes(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        return len(response.read())


def _verdict(errors: list[str]) -> None:
    problems = tree_checks.find_problems()
    print(f"\nerrors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    print(f"comment trees: {problems or 'sound'}")
    if errors or problems:
        raise LoadTestFailed("The load test found errors.")


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_FAILURES = re.compile(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)")


def _wrk(url: str, seconds: int) -> tuple[float, list[str]]:
    """Requests per second wrk got from `url`, and what failed."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s", url]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    rate = WRK_RATE.search(result.stdout)
    if not rate:
        raise LoadTestFailed(f"wrk said: {result.stdout}{result.stderr}")
    return float(rate.group(1)), WRK_FAILURES.findall(result.stdout)


class _gunicorn:
    """Run gunicorn on a free port against the load-test database."""

    def __init__(self, workers: int, redis_url: str, **environment: str):
        self.workers, self.redis_url = workers, redis_url
        self.environment = environment

    def __enter__(self) -> str:
        self.static = tempfile.TemporaryDirectory()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = self._environment()
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True
        )
        self.process = subprocess.Popen(
            self._command(port), cwd=settings.BASE_DIR, env=env
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                return base
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise LoadTestFailed("gunicorn did not start")

    def _environment(self) -> dict[str, str]:
        """The load-test database, and posting rules that let every reply in."""
        db = connection.settings_dict
        return {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or ''}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": self.static.name,
            "REDIS_URL": self.redis_url,
            "COMMENT_FLOOD_SECONDS": "0",
            "COMMENT_MIN_FILL_SECONDS": "0",
            "COMMENT_HOLD_FIRST": "false",
            "COMMENT_MAX_LINKS": "0",
            # Guests vote (one cookie each), unthrottled: the mix sets the rate.
            "VOTES": "everyone",
            "VOTES_PER_MINUTE": "1000000",
            "VOTES_GUEST_DAILY_PER_IP": "1000000",
            **self.environment,
        }

    def _command(self, port: int) -> list[str]:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        return [
            str(gunicorn),
            *("-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(self.workers), "--access-logfile", "/dev/null"),
            "config.wsgi",
        ]

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.static.cleanup()


class _Repliers:
    """Threads posting replies to random comments at a steady rate."""

    THREADS = 2  # each waits for its answer; together they keep the rate

    def __init__(self, base: str, post: Post, ids: list[int], per_second: float):
        self.base, self.post, self.ids = base, post, ids
        self.interval = self.THREADS / max(per_second, 0.1)
        self.created: list[int] = []
        self.errors: list[str] = []
        self.latency: list[float] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def __enter__(self):
        self.threads = [
            threading.Thread(target=self._run, args=(random.Random(n),))
            for n in range(self.THREADS)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _run(self, rng: random.Random) -> None:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        while True:  # the first reply at once, then one per interval
            self._reply(opener, rng)
            if self.stop.wait(self.interval):
                return

    def _reply(self, opener, rng: random.Random) -> None:
        with self.lock:
            parent = rng.choice(self.ids)
        created = self._attempt(
            "reply", lambda: _reply(opener, self.base, self.post, parent, rng)
        )
        if created is not None:
            with self.lock:
                self.ids.append(created)
                self.created.append(created)

    def _attempt(self, kind: str, call):
        """Make one request: its answer, with its latency kept; None if it failed."""
        started = time.perf_counter()
        try:
            answer = call()
        except Exception as error:  # noqa: BLE001 -- every failure is a finding
            with self.lock:
                self.errors.append(f"{kind}: {error!r}")
            return None
        with self.lock:
            self.latency.append(time.perf_counter() - started)
        return answer

    def p95(self) -> str:
        ordered = sorted(self.latency) or [0.0]
        return f"{ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms"


class _Voters(_Repliers):
    """Threads voting on random comments at a steady rate, as guests."""

    # Two waited for their answers and cast 8-13 votes a second, not 20.
    THREADS = 8

    def __init__(self, base: str, post_ids: list[int], per_second: float):
        super().__init__(base, None, post_ids, per_second)
        self.cast = 0

    def _run(self, rng: random.Random) -> None:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        page = _get(opener, f"{self.base}/comment/{self.ids[0]}/")
        token = dict(HIDDEN.findall(page))["csrfmiddlewaretoken"]
        while not self.stop.wait(self.interval):
            self._vote(opener, rng, token)

    def _vote(self, opener, rng: random.Random, token: str) -> None:
        data = {"csrfmiddlewaretoken": token, "value": rng.choice(("1", "-1", "0"))}
        request = urllib.request.Request(
            f"{self.base}/comments/{rng.choice(self.ids)}/vote/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Accept": "application/json"},
        )
        vote = self._attempt("vote", lambda: opener.open(request, timeout=30).read())
        if vote is not None:
            with self.lock:
                self.cast += 1


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


if __name__ == "__main__":
    main()
