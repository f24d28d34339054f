"""Benchmark big threads: render the thread page and insert replies, with figures.

    python -m benchmarks.threads [--sizes 1000 10000] [--runs 7]   (make bench)

Runs in a throwaway database (parley_bench_<pid>, created and dropped here), so
it never touches real data. For each size it builds one post whose thread has
a realistic shape (benchmarks.data.build_thread), then reports medians and
p95s of:

- the thread page through the whole Django stack (test client), its SQL
  queries and bytes; the whole thread also sorted `best` (?sort=best, every
  level), for its ratio to the thread's own order (issue 16: at most 1.3x);
- the same comments rendered the textbook django-mptt way ({% recursetree %})
  and as a flat Django-template loop ({% for %} over `tree_info`), for ratios;
- the whole page right after a reply elsewhere, with every other
  conversation's HTML in the cache (forum.conversations): what steady
  replying costs a reader;
- inserting one reply deep inside the thread (services.comment_create), and
  the same insert if the whole post were ONE tree (the layout we did not pick);
- the floor: the same rows fetched by the raw driver (psycopg, no ORM) and
  joined into minimal escaped HTML, timed in the same run, so the whole page
  can be read as a multiple of it whatever the machine's speed;
- an open page's poll (forum.views.live): nothing changed (304, from the
  cache's version), and one new reply (JSON), each as a multiple of
  /healthz (one query and one cache read), timed alongside.

Past TEMPLATES_UP_TO comments the template renderings and the one-tree
insert are skipped (minutes each, and their ratios are known); with several
sizes, the first page of each is compared with the smallest's:

    make bench BENCH_ARGS="--sizes 1000 100000"

Timings come from this machine and its load: compare ratios, not absolutes.
"""

import argparse
import html
import os
import random
import statistics
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from benchmarks.data import build_thread, text, throwaway_database
from forum import services
from forum.models import Comment, Post

RECURSETREE = Template(
    '{% load mptt_tags %}<ol class="comment-list">{% recursetree nodes %}'
    '<li id="comment-{{ node.pk }}" class="comment depth-{{ node.level|add:1 }}">'
    '<article><b class="fn">{{ node.author_name }}</b> says: '
    '<a href="#comment-{{ node.pk }}"><time datetime="{{ node.created_at|date:"c" }}">'
    '{{ node.created_at|date:"F j, Y \\a\\t g:i a" }}</time></a>'
    "<div>{{ node.body_html|safe }}</div></article>"
    '{% if not node.is_leaf_node %}<ol class="children">{{ children }}</ol>{% endif %}'
    "</li>{% endrecursetree %}</ol>"
)
FLAT_LOOP = Template(
    '{% load mptt_tags %}<ol class="comment-list">'
    "{% for node, info in nodes|tree_info %}"
    '{% if info.new_level %}{% if node.level %}<ol class="children">{% endif %}'
    "{% else %}</li>{% endif %}"
    '<li id="comment-{{ node.pk }}" class="comment depth-{{ node.level|add:1 }}">'
    '<article><b class="fn">{{ node.author_name }}</b> says: '
    '<a href="#comment-{{ node.pk }}"><time datetime="{{ node.created_at|date:"c" }}">'
    '{{ node.created_at|date:"F j, Y \\a\\t g:i a" }}</time></a>'
    "<div>{{ node.body_html|safe }}</div></article>"
    "{% for level in info.closed_levels %}</li>{% if level %}</ol>{% endif %}"
    "{% endfor %}{% endfor %}</ol>"
)
TEMPLATES_UP_TO = 10_000
# The test client serves from the source tree, in-process.
BENCH_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        **settings.STORAGES,
        # Hashed names need collectstatic; URLs cost the same either way.
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    },
    # In-process, standing in for Redis: room for every conversation of the
    # biggest thread (LocMemCache keeps 300 entries unless told otherwise).
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    },
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.threads")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inserts", type=int, default=25)
    parser.add_argument(
        "--first-page-of",
        type=int,
        default=0,
        metavar="N",
        help="also time the first page of an N-comment post against the same "
        "first page in a 1,000-comment post",
    )
    # The readers' language (their Accept-Language): dates and words differ.
    parser.add_argument("--language", default="en")
    args = parser.parse_args(argv)
    READER["HTTP_ACCEPT_LANGUAGE"] = args.language
    with override_settings(**BENCH_SETTINGS), throwaway_database("parley_bench"):
        print(
            f"database: {connection.vendor}; cores: {os.cpu_count()}; "
            f"runs: {args.runs}; language: {args.language}; "
            "medians and p95s of server time (Django test client)"
        )
        first_pages = {}
        for size in args.sizes:
            figures = _bench(size, args.runs, args.inserts)
            _report(size, figures)
            paginated = figures["paginated"]
            first_pages[size] = (_median(paginated[0]), paginated[2])
        _compare_first_pages(first_pages)
        if args.first_page_of:
            _same_first_page(args.first_page_of, args.runs)


READER = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _bench(size: int, runs: int, inserts: int) -> dict:
    """Every figure for one thread size, by name."""
    rng = random.Random(size)
    post = build_thread(size, rng, slug=f"bench-{size}")
    _give_votes(post, rng)
    url = post.get_absolute_url()
    with override_settings(COMMENTS_PER_PAGE=0):
        whole = _page(url, runs, warm=False)
        best = _page(url + "?sort=best", runs, warm=False)
        warm = _page(url, runs, warm=True)
        replied = _page_after_replies(post, runs, rng)
    nodes = Comment.objects.filter(post=post, status=Comment.Status.APPROVED)
    deep = list(Comment.objects.filter(post=post).order_by("-level", "pk")[:inserts])
    small = size <= TEMPLATES_UP_TO
    return {
        "whole": whole,
        "best": best,
        "warm": warm,
        "replied": replied,
        "paginated": _page(url, runs, warm=False),
        "textbook": _timed(lambda: RECURSETREE.render(Context({"nodes": nodes})), runs)
        if small
        else [],
        "flat": _timed(lambda: FLAT_LOOP.render(Context({"nodes": nodes})), runs)
        if small
        else [],
        "reply": _inserts(post, deep, rng),
        "one_tree": _one_tree_insert(size, rng, inserts) if small else [],
        "floor": _timed(lambda: _floor(post.pk), runs),
        **_polls(post, rng, runs),
    }


def _compare_first_pages(first_pages: dict[int, tuple[float, str]]) -> None:
    """The first page (uncached) of each size against the smallest's: its time,
    and its size (early conversations gather more replies in bigger threads)."""
    if len(first_pages) < 2:
        return
    smallest = min(first_pages)
    base_time, base_bytes = first_pages[smallest]
    ratios = "; ".join(
        f"{size:,}: {time_ / base_time:.2f}x the time, "
        f"{_bytes(size_) / _bytes(base_bytes):.2f}x the bytes"
        for size, (time_, size_) in sorted(first_pages.items())[1:]
    )
    print(f"\nfirst page, no cache, against {smallest:,} comments: {ratios}")


def _same_first_page(size: int, runs: int) -> None:
    """The first page (uncached) of a big post against the same first page
    (the same 1,000 comments, built from the same seed) in a post of 1,000:
    only the rest of the thread differs, so the page's cost should not."""
    small = build_thread(1000, random.Random(7), slug="first-page-small")
    big = build_thread(1000, random.Random(7), slug="first-page-big", later=size - 1000)
    small_page = _page(small.get_absolute_url(), runs, warm=False)
    big_page = _page(big.get_absolute_url(), runs, warm=False)
    ratio = _median(big_page[0]) / _median(small_page[0])
    print(
        f"\nfirst page, no cache, the same 50 conversations: {size:,} comments "
        f"{_ms(_median(big_page[0]))} ({big_page[1]} queries, {big_page[2]}), "
        f"1,000 comments {_ms(_median(small_page[0]))} ({small_page[1]} queries, "
        f"{small_page[2]}): {ratio:.2f}x"
    )


def _bytes(size: str) -> int:
    return int(size.removesuffix(" B").replace(",", ""))


FLOOR_SQL = (
    "SELECT id, parent_id, author_name, author_url, created_at, body_html"
    " FROM forum_comment WHERE post_id = %s AND status = 'approved'"
    " ORDER BY tree_id, lft"
)


def _give_votes(post: Post, rng: random.Random) -> None:
    """Scores for every comment, as a busy thread has: most few, some many.

    Set on the stored counters directly (benchmark data, like the thread
    itself): the page reads the counters, never the Vote rows.
    """
    ids = list(Comment.objects.filter(post=post).values_list("pk", flat=True))
    by_score: dict[tuple[int, int], list[int]] = {}
    for pk in ids:
        up = int(rng.paretovariate(1.2)) - 1
        by_score.setdefault((up, rng.randrange(0, up + 3)), []).append(pk)
    for (up, down), pks in by_score.items():
        Comment.objects.filter(pk__in=pks).update(votes_up=up, votes_down=down)


def _placeholder() -> str:
    return "?" if connection.vendor == "sqlite" else "%s"


def _floor(post_id: int) -> str:
    """The least any server could do: fetch the rows, escape, join."""
    connection.ensure_connection()
    cursor = (
        connection.connection.cursor()
    )  # the driver's own (sqlite3's has no `with`)
    try:
        cursor.execute(FLOOR_SQL.replace("%s", _placeholder()), (post_id,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    escape = html.escape
    return "".join(
        f'<li id="comment-{pk}"><b>{escape(name)}</b> <a href="{escape(url)}">'
        f"{created.isoformat()}</a>{body}</li>"
        for pk, _parent, name, url, created, body in rows
    )


def _report(size: int, figures: dict) -> None:
    """Print one size's table and ratios, in Markdown."""
    whole, reply = figures["whole"], figures["reply"]
    textbook, flat, one_tree = (figures[k] for k in ("textbook", "flat", "one_tree"))
    print(f"\n## {size:,} comments\n")
    print("| what | median | p95 | queries | size |\n|---|---|---|---|---|")
    for label, result in [
        ("thread page, whole thread, no cache", whole),
        ("thread page, whole thread, sorted best, no cache", figures["best"]),
        ("thread page, whole thread, thread cache warm", figures["warm"]),
        ("whole thread, just after a reply elsewhere", figures["replied"]),
        (
            f"thread page, page 1 of {settings.COMMENTS_PER_PAGE} threads",
            figures["paginated"],
        ),
        ("textbook {% recursetree %} (rendering only)", (textbook, "", "")),
        ("flat Django-template loop (rendering only)", (flat, "", "")),
        ("insert a reply deep in the thread", reply[:3]),
        ("same insert, whole post as ONE mptt tree", (one_tree, "", "")),
        ("floor: raw driver fetch + escaped join", (figures["floor"], "", "")),
        ("/healthz", figures["healthz"]),
        ("poll, nothing changed (304)", figures["unchanged"]),
        ("poll, one new reply (JSON)", figures["one_new"]),
    ]:
        samples, queries, size_ = result
        if not samples:
            continue  # skipped at this size
        print(
            f"| {label} | {_ms(_median(samples))} | {_ms(_p95(samples))} "
            f"| {queries} | {size_} |"
        )
    floor = _median(figures["floor"])
    print(
        f"\nwhole page / floor: {_median(whole[0]) / floor:.2f}x; "
        f"best / old order: {_median(figures['best'][0]) / _median(whole[0]):.2f}x; "
        f"warm page / floor: {_median(figures['warm'][0]) / floor:.2f}x; "
        f"after a reply / floor: {_median(figures['replied'][0]) / floor:.2f}x; "
        f"{_ratio('textbook / whole page', textbook, whole[0])}"
        f"{_ratio('flat loop / whole page', flat, whole[0])}"
        f"{_ratio('one tree / forest insert', one_tree, reply[0])}"
        f"rows rewritten per insert: median {reply[3]}, all in the reply's own "
        f"thread: {reply[4]}"
    )
    healthz = _median(figures["healthz"][0])
    print(
        f"poll unchanged / healthz: {_median(figures['unchanged'][0]) / healthz:.2f}x; "
        f"poll with one new reply / healthz: "
        f"{_median(figures['one_new'][0]) / healthz:.2f}x"
    )


def _ratio(label: str, part: list[float], whole: list[float]) -> str:
    return f"{label}: {_median(part) / _median(whole):.1f}x; " if part else ""


def _page(url: str, runs: int, *, warm: bool) -> tuple[list[float], int, str]:
    """Time GETs of a thread page: (samples, queries, bytes)."""
    client = Client(**READER)
    client.get(url)  # the session, content types and such: once per process
    if not warm:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).content
    queries = len(captured)  # now: the log is cleared by later requests
    samples = []
    for _ in range(runs):
        if not warm:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - started)
    return samples, queries, f"{len(body):,} B"


def _page_after_replies(
    post: Post, runs: int, rng: random.Random
) -> tuple[list[float], int, str]:
    """Time GETs of the whole page, each just after a reply in some conversation
    (not timed): the other conversations' HTML is still cached."""
    client, url = Client(), post.get_absolute_url()
    client.get(url)  # everything cached
    roots = list(Comment.objects.filter(post=post, parent=None).values_list("pk"))
    samples, queries = [], 0
    for _ in range(runs):
        (root,) = rng.choice(roots)
        services.comment_create(
            post=post, parent=Comment(pk=root), author_name="Bench", body=text(rng)
        )
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            body = client.get(url).content
            samples.append(time.perf_counter() - started)
        queries = len(captured)
    return samples, queries, f"{len(body):,} B"


def _polls(post: Post, rng: random.Random, runs: int) -> dict:
    """Time an open page's poll against /healthz, in the same process.

    The page cache keeps the post's version (as with Redis; in-process here,
    like every figure of this benchmark).
    """
    with override_settings(PAGE_CACHE_SECONDS=600):
        post.refresh_from_db()
        version = post.comments_version
        url = reverse("forum:thread-changes", kwargs={"slug": post.slug})
        client = Client()
        tag = client.get(url, {"v": version})["ETag"]
        unchanged = _requests(client, url, {"v": version}, runs, If_None_Match=tag)
        first = Comment.objects.filter(post=post, parent=None).order_by("tree_id")
        services.comment_create(
            post=post,
            parent=first.first(),  # on the page polled (page 1)
            author_name="Bench",
            body=text(rng),
        )
        one_new = _requests(client, url, {"v": version}, runs)
    return {
        "healthz": _requests(client, "/healthz", {}, runs),
        "unchanged": unchanged,
        "one_new": one_new,
    }


def _requests(client, url, query, runs, **headers) -> tuple[list[float], int, str]:
    """Time GETs of one URL: (samples, queries, bytes)."""
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url, query, headers=headers).content
    queries = len(captured)
    samples = _timed(lambda: client.get(url, query, headers=headers), runs)
    return samples, queries, f"{len(body):,} B"


def _inserts(post: Post, parents: list[Comment], rng: random.Random) -> tuple:
    """Time replies; count their queries and the rows each one rewrites."""
    samples, rewritten, own_thread = [], [], True
    for parent in parents:
        parent.refresh_from_db()
        # The insert shifts the rows at or right of the parent's right edge.
        shifted = Comment.objects.filter(tree_id=parent.tree_id, rght__gte=parent.rght)
        rewritten.append(shifted.count())
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            services.comment_create(
                post=post, parent=parent, author_name="Bench", body=text(rng)
            )
            samples.append(time.perf_counter() - started)
        shifts = [
            q["sql"] for q in captured.captured_queries if 'SET "lft"' in q["sql"]
        ]
        tree = f'"tree_id" = {parent.tree_id}'
        own_thread = own_thread and all(tree in sql for sql in shifts)
    statements = [q for q in captured.captured_queries if not _is_transaction(q)]
    return samples, len(statements), "", int(statistics.median(rewritten)), own_thread


def _is_transaction(query: dict) -> bool:
    return query["sql"].strip().upper() in {"BEGIN", "COMMIT", "BEGIN IMMEDIATE"}


def _one_tree_insert(size: int, rng: random.Random, inserts: int) -> list[float]:
    """Time replies to early comments when a whole post is one mptt tree."""
    post = build_thread(size, rng, slug=f"bench-one-tree-{size}", one_root=True)
    early = list(Comment.objects.filter(post=post, level=1).order_by("lft")[:inserts])
    return _timed_each(
        lambda parent: services.comment_create(
            post=post, parent=parent, author_name="Bench", body=text(rng)
        ),
        early,
    )


def _timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _timed_each(fn, items) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        samples.append(time.perf_counter() - started)
    return samples


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    main()
