"""Read replicas: anonymous page reads from a replica, the rest from the primary.

`ReadReplicaMiddleware` decides per request and `PrimaryReplicaRouter` applies
it. A request reads from a replica only if it is a safe method (GET, HEAD...)
from a browser with no session (so not signed in, and with no pending comment
to see) that has not written in the last DATABASE_REPLICA_LAG_SECONDS (a
cookie set by every unsafe request: read-your-writes). Everything else, and
everything outside a request (commands, shells), uses the primary. Every
write goes to the primary.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY_COOKIE = "parley_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The alias this request's reads may use; None outside a request.
_read_alias: ContextVar[str | None] = ContextVar("parley_read_alias", default=None)


@contextmanager
def reads_from(alias: str) -> Iterator[None]:
    """Route reads (outside transactions on the primary) to `alias` meanwhile."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        alias = _read_alias.get()
        if alias is None or alias == DEFAULT_DB_ALIAS:
            return None  # Django's own choice: the instance's database, or default
        # A transaction on the primary reads the primary: select_for_update()
        # and the tree writes in forum.services read what they lock, and a
        # replica can't see the transaction's own uncommitted rows.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS  # related rows of what we just wrote
        return alias

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        same_data = {DEFAULT_DB_ALIAS, *settings.READ_REPLICAS}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # Replicas get the schema by replication from the primary.
        return False if db in settings.READ_REPLICAS else None


class ReadReplicaMiddleware:
    """Pick this request's read database; pin a browser that writes to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = settings.READ_REPLICAS
        if not replicas:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        primary = (
            not safe
            or PRIMARY_COOKIE in request.COOKIES
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        with reads_from(DEFAULT_DB_ALIAS if primary else random.choice(replicas)):
            response = self.get_response(request)
        if not safe:
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_LAG_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
