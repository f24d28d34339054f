"""Benchmark big threads: render the thread page and insert replies, with figures.

    python manage.py bench_threads [--sizes 1000 10000] [--runs 7]

Runs in a throwaway database (parley_bench_<pid>, created and dropped here), so
it never touches real data. For each size it builds one post whose thread has
a realistic shape (about 30% top-level comments, the rest answering random
earlier ones, up to about 12 levels deep, ~300-character bodies), then
reports medians and p95s of:

- the thread page through the whole Django stack (test client), its SQL
  queries and bytes;
- the same comments rendered the textbook django-mptt way ({% recursetree %})
  and as a flat Django-template loop ({% for %} over `tree_info`), for ratios;
- inserting one reply deep inside the thread (services.comment_create), and
  the same insert if the whole post were ONE tree (the layout we did not pick).

Timings come from this machine and its load: compare ratios, not absolutes.
"""

import os
import random
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from forum import services
from forum.models import Comment, Post

VOCABULARY = (
    "the front line moved again overnight and nobody can say for certain what "
    "it means for the spring supply routes winter mud artillery morale reports "
    "analysts expect officials said according to sources near the town"
)
WORDS = VOCABULARY.split()

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


class Command(BaseCommand):
    help = "Benchmark thread rendering and reply inserts in a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--inserts", type=int, default=25)

    @override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            **settings.STORAGES,
            # Hashed names need collectstatic; URLs cost the same either way.
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        },
    )
    def handle(self, *args, sizes, runs, inserts, **options):
        old_name = connection.settings_dict["NAME"]
        if connection.vendor != "sqlite":  # SQLite benchmarks run in memory
            connection.settings_dict["TEST"]["NAME"] = f"parley_bench_{os.getpid()}"
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            self.stdout.write(
                f"database: {connection.vendor}; cores: {os.cpu_count()}; "
                f"runs: {runs}; medians and p95s of server time (Django test client)"
            )
            for size in sizes:
                self._bench(size, runs, inserts)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _bench(self, size: int, runs: int, inserts: int) -> None:
        rng = random.Random(size)
        post = build_thread(size, rng, slug=f"bench-{size}")
        url = post.get_absolute_url()
        with override_settings(COMMENTS_PER_PAGE=0):
            whole = _page(url, runs, warm=False)
            warm = _page(url, runs, warm=True)
        paginated = _page(url, runs, warm=False)
        nodes = Comment.objects.filter(post=post, status=Comment.Status.APPROVED)
        textbook = _timed(lambda: RECURSETREE.render(Context({"nodes": nodes})), runs)
        flat = _timed(lambda: FLAT_LOOP.render(Context({"nodes": nodes})), runs)
        deep = list(
            Comment.objects.filter(post=post).order_by("-level", "pk")[:inserts]
        )
        reply = _inserts(post, deep, rng)
        one_tree = _one_tree_insert(size, rng, inserts)
        self.stdout.write(f"\n## {size:,} comments\n")
        self.stdout.write(
            "| what | median | p95 | queries | size |\n|---|---|---|---|---|"
        )
        for label, result in [
            ("thread page, whole thread, no cache", whole),
            ("thread page, whole thread, thread cache warm", warm),
            (f"thread page, page 1 of {settings.COMMENTS_PER_PAGE} threads", paginated),
            ("textbook {% recursetree %} (rendering only)", (textbook, "", "")),
            ("flat Django-template loop (rendering only)", (flat, "", "")),
            ("insert a reply deep in the thread", reply[:3]),
            ("same insert, whole post as ONE mptt tree", (one_tree, "", "")),
        ]:
            samples, queries, size_ = result
            self.stdout.write(
                f"| {label} | {_ms(_median(samples))} | {_ms(_p95(samples))} "
                f"| {queries} | {size_} |"
            )
        self.stdout.write(
            f"\ntextbook / whole page: {_median(textbook) / _median(whole[0]):.1f}x; "
            f"flat loop / whole page: {_median(flat) / _median(whole[0]):.1f}x; "
            f"one tree / forest insert: {_median(one_tree) / _median(reply[0]):.1f}x; "
            f"rows rewritten per insert: median {reply[3]}, all in the reply's own "
            f"thread: {reply[4]}"
        )


def _page(url: str, runs: int, *, warm: bool) -> tuple[list[float], int, str]:
    """Time GETs of a thread page: (samples, queries, bytes)."""
    client = Client()
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
                post=post, parent=parent, author_name="Bench", body=_text(rng)
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


def _text(rng: random.Random, length: int = 300) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def build_thread(size: int, rng: random.Random, *, slug: str, one_root=False) -> Post:
    """Bulk-create a thread of `size` comments; number it with thread_rebuild."""
    post = services.post_create(
        title=slug, slug=slug, body="Benchmark.", author=_author()
    )
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()
    start = (last or 0) + 1
    levels: dict[int, int] = {}
    comments = []
    when = timezone.now() - timedelta(days=30)
    for pk in range(start, start + size):
        parent = None
        if pk > start and (one_root or rng.random() > 0.3):
            candidates = rng.sample(range(start, pk), min(3, pk - start))
            parent = min(candidates, key=lambda p: levels[p] >= 11)
            if one_root and rng.random() < 0.3:
                parent = start
        levels[pk] = levels[parent] + 1 if parent else 0
        when += timedelta(seconds=30)
        comments.append(
            Comment(
                pk=pk,
                post=post,
                parent_id=parent,
                author_name=f"Reader {pk % 97}",
                body=_text(rng),
                body_html=f"<p>{_text(rng)}</p>",
                status=Comment.Status.APPROVED,
                created_at=when,
                tree_id=0,
                lft=0,
                rght=0,
                level=0,
            )
        )
    with Comment.objects.disable_mptt_updates():
        Comment.objects.bulk_create(comments, batch_size=1000)
    services.thread_rebuild(post_id=post.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('forum_comment', 'id'), "
                "(SELECT MAX(id) FROM forum_comment))"
            )
            cursor.execute("ANALYZE forum_comment")
    return post


def _one_tree_insert(size: int, rng: random.Random, inserts: int) -> list[float]:
    """Time replies to early comments when a whole post is one mptt tree."""
    post = build_thread(size, rng, slug=f"bench-one-tree-{size}", one_root=True)
    early = list(Comment.objects.filter(post=post, level=1).order_by("lft")[:inserts])
    return _timed_each(
        lambda parent: services.comment_create(
            post=post, parent=parent, author_name="Bench", body=_text(rng)
        ),
        early,
    )


def _author():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user


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
