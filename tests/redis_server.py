"""The Redis server tests share, and the mark for tests that need one."""

import os
import socket

import pytest

# Database 11: tests may empty it, so never one a developer's `make run` uses.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _answers() -> bool:
    host, _, port = REDIS_URL.split("//")[1].split("/")[0].partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(
    not _answers(),
    reason=f"no Redis at {REDIS_URL} (set TEST_REDIS_URL to use another)",
)
