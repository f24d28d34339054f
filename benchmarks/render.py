"""Time the flat thread renderer alone, per comment, in a language.

    python -m benchmarks.render [--comments 10000] [--runs 9] [--language uk]

No database: synthetic rows (ThreadRow) in a fixed shape, rendered by
forum.thread_html.render_thread under the language, as a page would. Prints
the median and p95 microseconds per comment. Run it from two checkouts to
compare renderers (docs/performance.md, "Languages").
"""

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta


def _rows(count: int):
    from forum.models import ThreadRow

    rng = random.Random(count)
    start = datetime(2022, 12, 28, 9, 52, tzinfo=UTC)
    rows, open_ids = [], []
    for pk in range(1, count + 1):
        depth = rng.choice([0, 1, 1, 2, 3]) if open_ids else 0
        open_ids = open_ids[:depth]
        parent = open_ids[-1] if open_ids else None
        rows.append(
            ThreadRow(
                pk,
                parent,
                f"Reader {pk % 97}",
                "",
                start + timedelta(minutes=pk),
                f"<p>Comment {pk}, a few words long.</p>",
                "approved",
                False,
                None,
                None,
            )
        )
        open_ids.append(pk)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render")
    parser.add_argument("--comments", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--language", default="en")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation

    from forum.thread_html import Links, ThreadLayout, render_thread

    rows = _rows(args.comments)
    links = Links(reply="/posts/bench/")
    samples = []
    with translation.override(args.language):
        render_thread(rows, links=links, layout=ThreadLayout())  # warm caches
        for _ in range(args.runs):
            started = time.perf_counter()
            render_thread(rows, links=links, layout=ThreadLayout())
            samples.append((time.perf_counter() - started) / args.comments * 1e6)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(
        f"language {args.language}: {args.comments:,} comments, "
        f"median {statistics.median(samples):.2f} µs/comment, "
        f"min {samples[0]:.2f}, p95 {p95:.2f}"
    )


if __name__ == "__main__":
    main()
