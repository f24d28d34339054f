"""Rate limits and one-time tokens that hold across every worker and host.

`allow(rate, who)` counts one hit by `who` (an IP, an address, a token) and
says whether it is still within the rate. A window opens at a key's first
hit and lasts `rate.seconds`; a one-time token is a key whose window is the
token's lifetime and whose `times` is how often it may be used.

The counts live where every gunicorn worker on every host sees them: in
Redis (Django's cache, an atomic INCR) when REDIS_URL is set, else in the
database (LimitCounter, one atomic upsert per hit). If Redis fails, the
database counts instead: a limit never lapses because a cache is down.
Keys are hashed, so no address or IP is stored in them; an unknown IP
(None) is counted as one.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from forum.models import LimitCounter

logger = logging.getLogger(__name__)

# One statement on PostgreSQL and SQLite alike: insert the key's first hit,
# or add one to its count (starting a new window if the old one is over).
UPSERT = f"""
    INSERT INTO {LimitCounter._meta.db_table} AS c ("key", "count", "expires_at")
    VALUES (%s, 1, %s)
    ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN c."expires_at" <= %s THEN 1 ELSE c."count" + 1 END,
        "expires_at" = CASE WHEN c."expires_at" <= %s
            THEN excluded."expires_at" ELSE c."expires_at" END
    RETURNING "count"
"""


@dataclass(frozen=True)
class Rate:
    """At most `times` hits per `seconds`, counted per `scope` and per who."""

    scope: str
    times: int
    seconds: int


# Previews write nothing (flood control never sees them), but each one runs
# the Markdown parser: a few a minute is all a person needs.
PREVIEWS = Rate("preview", 30, 60)
SIGNUPS = Rate("signup", 5, 3600)
PRIVACY_MAILS_TO_ADDRESS = Rate("privacy-to", 3, 3600)
PRIVACY_MAILS_FROM_IP = Rate("privacy-ip", 10, 3600)
# Confirmation emails one address may be sent: comments naming it can't
# fill its inbox (past this, subscriptions wait for a later comment's link).
CONFIRMATIONS_TO_ADDRESS = Rate("confirm-to", 3, 3600)


class Limited(Exception):
    """A rate was exceeded; try again after `retry_after` seconds."""

    def __init__(self, rate: Rate):
        super().__init__(f"more than {rate.times} {rate.scope} in {rate.seconds}s")
        self.retry_after = rate.seconds


def allow(rate: Rate, who: str | None) -> bool:
    """Count one hit by `who`; return True while it is within the rate."""
    return hits(rate, who) <= rate.times


def check(rate: Rate, who: str | None) -> None:
    """Count one hit by `who`; raise Limited once it is past the rate."""
    if not allow(rate, who):
        raise Limited(rate)


def hits(rate: Rate, who: str | None) -> int:
    """Count one hit by `who` and return the hits in its current window."""
    digest = hashlib.sha256(str(who).encode()).hexdigest()[:40]
    key = f"limit:{rate.scope}:{digest}"
    if settings.REDIS_URL:
        try:
            return _count_in_cache(key, rate.seconds)
        except Exception:  # Redis down or slow: the database still counts
            logger.warning("Rate limit %s counted in the database", rate.scope)
    return _count_in_database(key, rate.seconds)


def _count_in_cache(key: str, seconds: int) -> int:
    cache.add(key, 0, seconds)  # SET NX: the window opens at the first hit
    count = cache.incr(key)
    if count == 1:
        # The key may have expired between add and incr, and INCR then makes
        # one without an expiry: give the new window its end.
        cache.touch(key, seconds)
    return count


def _count_in_database(key: str, seconds: int) -> int:
    """Count a hit in one atomic upsert: concurrent hits queue on the row."""
    now = timezone.now()
    connection = connections[router.db_for_write(LimitCounter)]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        ends = adapt(now + timedelta(seconds=seconds))
        cursor.execute(UPSERT, [key, ends, adapt(now), adapt(now)])
        (count,) = cursor.fetchone()
    if count == 1:  # a new key or window: time to sweep out expired ones
        _purge(now)
    return count


def _purge(now) -> None:
    """Delete expired counters: run once per new key, it finds few each time."""
    try:
        with transaction.atomic():
            LimitCounter.objects.filter(expires_at__lte=now).delete()
    except DatabaseError:  # another worker is purging the same rows
        logger.info("Expired limit counters left for the next purge")
