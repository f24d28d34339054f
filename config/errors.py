"""The server error page: 503 with Retry-After while the database is down.

Django calls `handler500` for any exception a view or middleware lets
through, with the exception still being handled; one raised by the database
driver's connection (OperationalError, InterfaceError) means "try again
shortly", not "this page is broken".
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30


@requires_csrf_token
def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Answer 503 and Retry-After if the database failed, else Django's 500 page."""
    if not _database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request, template_name)
    # Rendered without a request or context processors: they may read the database.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_unavailable(error: BaseException | None) -> bool:
    """Return True if the error, or one it arose from, is the database's."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
