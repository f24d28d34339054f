"""Votes beside replies on PostgreSQL: no vote waits for the tree lock.

Threads stand in for gunicorn workers, each on its own connection. A vote
runs while another connection holds the post's tree lock (as a reply does
for its whole transaction), under a lock_timeout: had it waited for that
lock it would fail, not merely be slow. Then voters and repliers run
together on one post: every vote counted, the tree sound.
"""

import random
import threading

from django.db import connection, transaction

from forum import services, tree_checks
from forum.models import Comment, Vote
from forum.services.trees import lock_thread
from tests import racing
from tests.factories import make_comment, make_post, make_user

pytestmark = racing.MARKS

VOTERS = 4
REPLIERS = 3
VOTES_EACH = 20
REPLIES_EACH = 10


def _in_thread(work, errors):
    def run():
        try:
            connection.ensure_connection()
            work()
        except BaseException as error:  # reported by the test, not lost
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _vote_with_lock_timeout(comment, user):
    """Vote, failing at once (lock_timeout) if any lock has to be waited for."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        return services.vote_cast(comment_id=comment.pk, value=1, user=user)


def test_a_vote_goes_through_while_the_tree_lock_is_held(settings):
    settings.VOTES_PER_MINUTE = 1000
    post = make_post()
    comment = make_comment(post=post)
    voter = make_user()
    locked, done, errors, results = threading.Event(), threading.Event(), [], []

    def hold_the_tree_lock():
        with transaction.atomic():
            lock_thread(post.pk)
            locked.set()
            # Held until the vote is done (or clearly stuck).
            done.wait(timeout=30)

    def vote():
        assert locked.wait(timeout=30)
        results.append(_vote_with_lock_timeout(comment, voter))
        done.set()

    holder = _in_thread(hold_the_tree_lock, errors)
    voting = _in_thread(vote, errors)
    holder.start()
    voting.start()
    voting.join(timeout=60)
    done.set()
    holder.join(timeout=60)
    assert errors == []
    assert [r.score for r in results] == [1]


def test_concurrent_votes_and_replies_lose_nothing(settings):
    settings.VOTES_PER_MINUTE = 1000
    post = make_post()
    targets = [make_comment(post=post) for _ in range(3)]
    targets.append(make_comment(post=post, parent=targets[0]))
    voters = [make_user() for _ in range(VOTERS)]
    errors, cast = [], []
    cast_lock = threading.Lock()
    barrier = threading.Barrier(VOTERS + REPLIERS, timeout=30)

    def voter(index):
        rng = random.Random(index)
        barrier.wait()
        for _ in range(VOTES_EACH):
            comment, value = rng.choice(targets), rng.choice((1, -1, 0))
            services.vote_cast(comment_id=comment.pk, value=value, user=voters[index])
            with cast_lock:
                cast.append((index, comment.pk, value))

    def replier(index):
        rng = random.Random(100 + index)
        barrier.wait()
        for n in range(REPLIES_EACH):
            parent = Comment.objects.get(pk=rng.choice(targets).pk)
            make_comment(post=post, parent=parent, body=f"reply {index}/{n}")

    threads = [_in_thread(lambda i=i: voter(i), errors) for i in range(VOTERS)]
    threads += [_in_thread(lambda i=i: replier(i), errors) for i in range(REPLIERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert errors == []
    _assert_counts_match(targets, cast)
    assert tree_checks.find_problems() == []
    assert Comment.objects.count() == len(targets) + REPLIERS * REPLIES_EACH


def _assert_counts_match(targets, cast):
    """Each reader's last vote stands; the counters agree with the rows."""
    last = {}
    for index, pk, value in cast:
        last[index, pk] = value
    for comment in Comment.objects.filter(pk__in=[t.pk for t in targets]):
        values = [v for (_, pk), v in last.items() if pk == comment.pk]
        expected = (values.count(1), values.count(-1))
        rows = Vote.objects.filter(comment=comment)
        stored = (rows.filter(value=1).count(), rows.filter(value=-1).count())
        assert (comment.votes_up, comment.votes_down) == expected == stored
