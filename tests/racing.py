"""Tests of concurrent writers: each writer on its own connection, on PostgreSQL.

SQLite serialises every writer, so nothing races there: these tests skip.
"""

import pytest
from django.db import connection

MARKS = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so nothing races",
    ),
    pytest.mark.django_db(transaction=True),
]


def races(test):
    """Mark one test as racing writers (a module uses `pytestmark = MARKS`)."""
    for mark in reversed(MARKS):
        test = mark(test)
    return test
