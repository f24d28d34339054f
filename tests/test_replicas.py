"""Read replicas: which database serves each read (config.routers).

The replica is an alias mirroring the test database, set up the way Django's
test runner sets up an alias with TEST["MIRROR"] (as DATABASE_REPLICA_URLS
aliases have): a second connection to the same database. So the tests are
transactional, and each checks which connection ran the queries.
"""

import copy

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from config.routers import PRIMARY_COOKIE, reads_from
from forum import services
from forum.models import Comment, Post
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.processes import settings_under

REPLICA = "replica_0"

pytestmark = pytest.mark.django_db(
    transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]
)


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """Add REPLICA as a test mirror of default, unless settings already have it."""
    added = REPLICA not in connections.settings
    if added:
        config = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
        config["TEST"] = {**config["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
        connections.settings[REPLICA] = config
        # What django.test.utils.setup_databases does for a mirror.
        connections[REPLICA].creation.set_as_test_mirror(
            connections[DEFAULT_DB_ALIAS].settings_dict
        )
    yield
    if added:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def replicas_on(settings, relaxed_posting, guests_trusted):
    # guests_trusted: approved at once, so no session for a pending comment.
    settings.READ_REPLICAS = [REPLICA]
    settings.DATABASE_REPLICA_LAG_SECONDS = 10


class Queries:
    """The queries each connection ran meanwhile."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


def test_anonymous_page_reads_come_from_the_replica(client):
    post = make_post()
    make_comment(post=post)
    with Queries() as queries:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert len(queries.replica) >= 2  # the post and its thread
    assert len(queries.primary) == 0


def test_a_post_writes_to_the_primary_only(client):
    post = make_post()
    with Queries() as queries:
        response = client.post("/comments/post/", comment_data(post))
    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1
    assert any("INSERT" in q["sql"] for q in queries.primary)
    assert len(queries.replica) == 0


def test_after_a_post_the_writer_reads_from_the_primary(client):
    post = make_post()
    response = client.post("/comments/post/", comment_data(post))
    cookie = response.cookies[PRIMARY_COOKIE]
    assert cookie["max-age"] == 10
    assert cookie["httponly"]
    with Queries() as queries:
        assert client.get(post.get_absolute_url()).status_code == 200
    assert len(queries.primary) >= 2
    assert len(queries.replica) == 0


def test_once_the_cookie_expires_reads_return_to_the_replica(client):
    post = make_post()
    client.post("/comments/post/", comment_data(post))
    del client.cookies[PRIMARY_COOKIE]  # what the browser does after max-age
    with Queries() as queries:
        client.get(post.get_absolute_url())
    assert len(queries.replica) >= 2
    assert len(queries.primary) == 0


def test_signed_in_readers_read_from_the_primary(client):
    post = make_post()
    client.force_login(make_user())
    with Queries() as queries:
        assert client.get(post.get_absolute_url()).status_code == 200
    assert len(queries.primary) >= 2
    assert len(queries.replica) == 0


def test_without_replicas_no_cookie_is_set(client, settings):
    settings.READ_REPLICAS = []
    response = client.post("/comments/post/", comment_data(make_post()))
    assert response.status_code == 302
    assert PRIMARY_COOKIE not in response.cookies


def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    post = make_post()
    with reads_from(REPLICA), Queries() as queries:
        Post.objects.get(pk=post.pk)
        assert len(queries.replica) == 1
        with transaction.atomic():
            Post.objects.select_for_update().get(pk=post.pk)
            Post.objects.get(pk=post.pk)
    assert len(queries.replica) == 1
    assert any("SELECT" in q["sql"] for q in queries.primary)


def test_a_locked_tree_write_under_replica_reads_runs_on_the_primary():
    post = make_post()
    parent = make_comment(post=post)
    with reads_from(REPLICA), Queries() as queries:
        reply = services.comment_create(
            post=post, parent=parent, body="Under the lock.", author_name="Ann"
        )
    assert len(queries.replica) == 0
    assert len(queries.primary) >= 4  # lock, parent, shift, insert...
    parent.refresh_from_db()
    reply.refresh_from_db()
    assert (reply.parent_id, reply.tree_id) == (parent.pk, parent.tree_id)
    assert parent.lft < reply.lft < reply.rght < parent.rght


def test_reads_outside_a_request_use_the_primary():
    post = make_post()
    with Queries() as queries:
        Post.objects.get(pk=post.pk)
    assert len(queries.primary) == 1
    assert len(queries.replica) == 0


def test_writes_and_migrations_never_target_a_replica():
    assert router.db_for_write(Post) == DEFAULT_DB_ALIAS
    with reads_from(REPLICA):
        assert router.db_for_write(Comment) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Post) == REPLICA
    assert router.allow_migrate(REPLICA, "forum") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "forum") is True


def test_replica_urls_become_mirrored_aliases():
    seen = settings_under(
        "DATABASES",
        "READ_REPLICAS",
        DATABASE_URL="postgres://parley@primary.internal:5432/parley",
        DATABASE_REPLICA_URLS=(
            "postgres://parley@replica-a.internal:5432/parley, "
            "postgres://parley@replica-b.internal:5432/parley"
        ),
    )
    assert seen["READ_REPLICAS"] == ["replica_0", "replica_1"]
    databases = seen["DATABASES"]
    assert [databases[a]["HOST"] for a in ("default", "replica_0", "replica_1")] == [
        "primary.internal",
        "replica-a.internal",
        "replica-b.internal",
    ]
    assert databases["replica_1"]["TEST"]["MIRROR"] == "default"


def test_without_replica_urls_there_is_only_the_primary():
    seen = settings_under("DATABASES", "READ_REPLICAS")
    assert list(seen["DATABASES"]) == ["default"]
    assert seen["READ_REPLICAS"] == []
