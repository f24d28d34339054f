"""/healthz for load balancers: 200 when the database answers, 503 when not.

A cache that does not answer leaves pages working (slower, rendered without
it), so it does not fail the check: the body says the cache is degraded, and
why, for operators and monitoring.
"""

import logging

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"
HEALTH_KEY = "parley:healthz"

logger = logging.getLogger(__name__)


def database_answers(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Return True if the database behind `alias` runs a query."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: database %r does not answer: %s", alias, error)
        return False
    return True


def cache_problem() -> str | None:
    """Return why the cache does not answer (None if it does): one read."""
    try:
        cache.get(HEALTH_KEY)
    except Exception as error:  # Redis errors vary by client version
        logger.warning("Health check: the cache does not answer: %s", error)
        return f"{type(error).__name__}: {error}"
    return None


class HealthCheckMiddleware:
    """Answer GET /healthz before host validation and the HTTPS redirect.

    Load balancers probe each host by its IP address over plain HTTP: as a
    view, the probe would get a 400 (host not in ALLOWED_HOSTS) or a 301 to
    HTTPS instead of the database's state. The answer depends on nothing in
    the request, so skipping those checks for it is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # Only the primary: a lagging or lost replica must not take every app
        # server out of the load balancer at once.
        if not database_answers():
            response = HttpResponse(
                "database unavailable\n", content_type="text/plain", status=503
            )
        elif problem := cache_problem():
            response = HttpResponse(
                f"ok\ncache degraded: {problem}\n", content_type="text/plain"
            )
        else:
            response = HttpResponse("ok\n", content_type="text/plain")
        add_never_cache_headers(response)
        return response
