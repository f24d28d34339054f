"""Benchmark big threads: render the thread page and insert replies, with figures.

    python -m benchmarks.threads [--sizes 1000 10000] [--runs 7]   (make bench)

Runs in a throwaway database (parley_bench_<pid>, created and dropped here), so
it never touches real data. For each size it builds one post whose thread has
a realistic shape (benchmarks.data.build_thread), then reports medians and
p95s of:

- the thread page through the whole Django stack (test client), its SQL
  queries and bytes;
- the same comments rendered the textbook django-mptt way ({% recursetree %})
  and as a flat Django-template loop ({% for %} over `tree_info`), for ratios;
- inserting one reply deep inside the thread (services.comment_create), and
  the same insert if the whole post were ONE tree (the layout we did not pick);
- the floor: the same rows fetched by the raw driver (psycopg, no ORM) and
  joined into minimal escaped HTML, timed in the same run, so the whole page
  can be read as a multiple of it whatever the machine's speed.

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
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.threads")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inserts", type=int, default=25)
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
        for size in args.sizes:
            _report(size, _bench(size, args.runs, args.inserts))


READER = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _bench(size: int, runs: int, inserts: int) -> dict:
    """Every figure for one thread size, by name."""
    rng = random.Random(size)
    post = build_thread(size, rng, slug=f"bench-{size}")
    url = post.get_absolute_url()
    with override_settings(COMMENTS_PER_PAGE=0):
        whole = _page(url, runs, warm=False)
        warm = _page(url, runs, warm=True)
    nodes = Comment.objects.filter(post=post, status=Comment.Status.APPROVED)
    deep = list(Comment.objects.filter(post=post).order_by("-level", "pk")[:inserts])
    return {
        "whole": whole,
        "warm": warm,
        "paginated": _page(url, runs, warm=False),
        "textbook": _timed(lambda: RECURSETREE.render(Context({"nodes": nodes})), runs),
        "flat": _timed(lambda: FLAT_LOOP.render(Context({"nodes": nodes})), runs),
        "reply": _inserts(post, deep, rng),
        "one_tree": _one_tree_insert(size, rng, inserts),
        "floor": _timed(lambda: _floor(post.pk), runs),
    }


FLOOR_SQL = (
    "SELECT id, parent_id, author_name, author_url, created_at, body_html"
    " FROM forum_comment WHERE post_id = %s AND status = 'approved'"
    " ORDER BY tree_id, lft"
)


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
        ("thread page, whole thread, thread cache warm", figures["warm"]),
        (
            f"thread page, page 1 of {settings.COMMENTS_PER_PAGE} threads",
            figures["paginated"],
        ),
        ("textbook {% recursetree %} (rendering only)", (textbook, "", "")),
        ("flat Django-template loop (rendering only)", (flat, "", "")),
        ("insert a reply deep in the thread", reply[:3]),
        ("same insert, whole post as ONE mptt tree", (one_tree, "", "")),
        ("floor: raw driver fetch + escaped join", (figures["floor"], "", "")),
    ]:
        samples, queries, size_ = result
        print(
            f"| {label} | {_ms(_median(samples))} | {_ms(_p95(samples))} "
            f"| {queries} | {size_} |"
        )
    floor = _median(figures["floor"])
    print(
        f"\nwhole page / floor: {_median(whole[0]) / floor:.2f}x; "
        f"warm page / floor: {_median(figures['warm'][0]) / floor:.2f}x; "
        f"textbook / whole page: {_median(textbook) / _median(whole[0]):.1f}x; "
        f"flat loop / whole page: {_median(flat) / _median(whole[0]):.1f}x; "
        f"one tree / forest insert: {_median(one_tree) / _median(reply[0]):.1f}x; "
        f"rows rewritten per insert: median {reply[3]}, all in the reply's own "
        f"thread: {reply[4]}"
    )


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
