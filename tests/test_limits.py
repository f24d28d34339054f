"""Rate limits and one-time tokens hold across workers and hosts (forum/limits.py).

Without REDIS_URL the counts live in the database (LimitCounter), with it in
Redis. Threads with their own connections stand in for gunicorn workers;
child processes for other hosts.
"""

import json
import threading
from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum import limits
from forum.models import LimitCounter
from tests.processes import run_python
from tests.redis_server import REDIS_URL, needs_redis

PREVIEW = reverse("forum:comment-preview")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the test database of SQLite lives in this process",
)


def rate(times: int = 3, seconds: int = 60) -> limits.Rate:
    """A rate of its own, so no other test's hits count."""
    return limits.Rate(f"test-{uuid4().hex[:8]}", times, seconds)


@pytest.mark.django_db
def test_hits_within_the_rate_are_allowed_and_the_next_is_not():
    limit = rate(times=3)
    assert [limits.allow(limit, "192.0.2.1") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.django_db
def test_each_who_is_counted_apart():
    limit = rate(times=1)
    assert limits.allow(limit, "192.0.2.1")
    assert limits.allow(limit, "192.0.2.2")
    assert not limits.allow(limit, "192.0.2.1")


@pytest.mark.django_db
def test_a_new_window_starts_once_the_last_is_over():
    limit = rate(times=1)
    limits.allow(limit, "192.0.2.1")
    assert not limits.allow(limit, "192.0.2.1")
    LimitCounter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert limits.allow(limit, "192.0.2.1")
    assert LimitCounter.objects.get().count == 1


@pytest.mark.django_db
def test_expired_counters_are_purged_when_a_new_one_starts():
    limits.allow(rate(), "192.0.2.1")
    LimitCounter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    limits.allow(rate(), "192.0.2.2")
    assert LimitCounter.objects.count() == 1


@pytest.mark.django_db
def test_counters_keep_no_address_in_their_keys():
    limits.allow(rate(), "private@example.com")
    assert "example" not in LimitCounter.objects.get().key


@pytest.mark.django_db
def test_the_preview_limit_is_kept_in_the_database_not_in_a_worker(
    monkeypatch, settings
):
    # Each worker's local memory cache used to hold the count.
    monkeypatch.setattr("forum.limits.PREVIEWS", limits.Rate("preview", 2, 60))
    codes = [Client().post(PREVIEW, {"comment": "hi"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert LimitCounter.objects.get().count == 3


@pytest.mark.django_db
def test_a_redis_that_is_down_leaves_the_counting_to_the_database(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    limit = rate(times=1)
    assert limits.allow(limit, "192.0.2.1")
    assert not limits.allow(limit, "192.0.2.1")


# --- Across workers and hosts ----------------------------------------------------


@pytest.mark.postgresql
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_allow_exactly_the_rate():
    limit, workers, tries = rate(times=10), 8, 5
    barrier = threading.Barrier(workers, timeout=30)
    answers, lock = [], threading.Lock()

    def worker():
        try:
            barrier.wait()
            mine = [limits.allow(limit, "192.0.2.1") for _ in range(tries)]
        finally:
            connection.close()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == workers * tries
    assert answers.count(True) == 10


def _hit_in_another_process(limit: limits.Rate, who: str, **env) -> list[bool]:
    code = (
        "import json\nfrom forum import limits\n"
        f"rate = limits.Rate({limit.scope!r}, {limit.times}, {limit.seconds})\n"
        f"print(json.dumps([limits.allow(rate, {who!r}) for _ in range(2)]))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or ''}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.postgresql
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_another_process_on_the_same_database_shares_the_count():
    limit = rate(times=3)
    assert _hit_in_another_process(limit, "x", DATABASE_URL=_database_url()) == [
        True,
        True,
    ]
    assert limits.allow(limit, "x")
    assert not limits.allow(limit, "x")


@needs_redis
def test_two_processes_on_one_redis_share_the_count():
    limit = rate(times=3)
    assert _hit_in_another_process(limit, "x", REDIS_URL=REDIS_URL) == [True, True]
    assert _hit_in_another_process(limit, "x", REDIS_URL=REDIS_URL) == [True, False]
