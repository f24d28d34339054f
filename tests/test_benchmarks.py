"""The benchmarks still run (tiny sizes: these are not timed tests).

They run as `make bench` and `make loadtest` run them, in a subprocess
(`python -m benchmarks.threads`, `python -m benchmarks.loadtest`): each makes
and drops its own database on the server DATABASE_URL names.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def _run(module: str, *args) -> str:
    env = {**os.environ, "DJANGO_SECRET_KEY": "bench-test"}
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_bench_threads_reports_every_figure():
    report = _run(
        "benchmarks.threads",
        *("--sizes", "60", "80", "--runs", "1", "--inserts", "2"),
        *("--first-page-of", "1100"),
    )
    for label in (
        "whole thread, no cache",
        "whole thread, sorted best, no cache",
        "thread cache warm",
        "whole thread, just after a reply elsewhere",
        "textbook {% recursetree %}",
        "insert a reply deep in the thread",
        "whole post as ONE mptt tree",
        "floor: raw driver fetch + escaped join",
        "poll, nothing changed (304)",
    ):
        assert label in report
    assert re.search(r"\| poll, nothing changed \(304\) \| .* \| 0 \| 0 B \|", report)
    assert re.search(r"poll unchanged / healthz: \d+\.\d\dx", report)
    assert re.search(r"whole page / floor: \d+\.\d\dx", report)
    assert re.search(r"after a reply / floor: \d+\.\d\dx", report)
    assert re.search(r"first page, no cache, against 60 comments: 80: \d", report)
    assert re.search(
        r"the same 50 conversations: 1,100 comments .* 1,000 comments .*: \d", report
    )
    assert re.search(r"best / old order: \d+\.\d\dx", report)
    assert "all in the reply's own thread: True" in report


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the load test runs on PostgreSQL only"
)
@pytest.mark.skipif(
    not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)"
)
def test_load_test_runs_clean_against_gunicorn():
    report = _run(
        "benchmarks.loadtest",
        *("--seconds", "2", "--comments", "40", "--workers", "2"),
        *("--whole", "30", "--runs", "1"),
    )
    assert re.search(r"\| home page \| [\d,]+ \| \d+% \|", report)
    assert re.search(r"with replies [\d,]+/s \(\d+% of read-only\) and [1-9]", report)
    assert re.search(
        r"30-comment page whole over HTTP \(one worker\): uncached from a fresh "
        r"worker \d+ ms \(\d+\.\d\dx the floor\), warm \d+ ms",
        report,
    )
    assert re.search(
        r"with 20 votes/s asked: [\d,]+/s \(\d+% of read-only\), [1-9]\d* votes "
        r"cast \(\d+/s, \d+ ms p95\)",
        report,
    )
    assert "errors: 0" in report
    assert "comment trees: sound" in report
