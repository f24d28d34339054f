"""Votes: the rules in forum.services.votes, through the service itself."""

import pytest
from django.db import IntegrityError, transaction

from forum import services
from forum.models import Comment, Post, Vote
from forum.services.votes import BadVote, NoSuchComment, TooManyVotes, VoteRefused
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment():
    return make_comment(post=make_post())


@pytest.fixture
def reader():
    return make_user()


def _vote(comment, user, value, **extra):
    return services.vote_cast(comment_id=comment.pk, value=value, user=user, **extra)


def _counts(comment):
    comment.refresh_from_db(fields=["votes_up", "votes_down"])
    return comment.votes_up, comment.votes_down


def test_an_up_vote_is_stored_and_counted(comment, reader):
    result = _vote(comment, reader, 1)
    assert (result.score, result.value) == (1, 1)
    assert _counts(comment) == (1, 0)
    assert Vote.objects.get().voter == f"user:{reader.pk}"


def test_voting_again_changes_the_vote(comment, reader):
    _vote(comment, reader, 1)
    result = _vote(comment, reader, -1)
    assert (result.votes_up, result.votes_down, result.value) == (0, 1, -1)
    assert Vote.objects.get().value == -1


def test_voting_zero_takes_the_vote_back(comment, reader):
    _vote(comment, reader, -1)
    result = _vote(comment, reader, 0)
    assert (result.score, result.value) == (0, 0)
    assert _counts(comment) == (0, 0)
    assert not Vote.objects.exists()


def test_the_same_vote_twice_counts_once(comment, reader):
    _vote(comment, reader, 1)
    assert _vote(comment, reader, 1).votes_up == 1
    assert _counts(comment) == (1, 0)


def test_taking_back_a_vote_never_cast_changes_nothing(comment, reader):
    assert _vote(comment, reader, 0).score == 0


def test_readers_votes_add_up(comment):
    for value in (1, 1, -1):
        _vote(comment, make_user(), value)
    assert _counts(comment) == (2, 1)


def test_the_database_allows_one_vote_per_reader_per_comment(comment, reader):
    _vote(comment, reader, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(comment=comment, voter=f"user:{reader.pk}", value=-1)


def test_a_vote_leaves_the_thread_version_alone(comment, reader):
    before = Post.objects.get(pk=comment.post_id).comments_version
    _vote(comment, reader, 1)
    assert Post.objects.get(pk=comment.post_id).comments_version == before


def test_a_vote_costs_a_constant_number_of_queries(
    comment, reader, django_assert_max_num_queries
):
    # The rate limit's upsert (and, opening a window, its purge in a
    # savepoint: 3); the transaction's savepoint and release; the comment with
    # its post and locked ancestry; the reader's vote; the insert in its own
    # savepoint (3); the counters; the counts read back.
    with django_assert_max_num_queries(13):
        _vote(comment, reader, 1)


def test_nobody_votes_on_their_own_comment(reader):
    mine = make_comment(post=make_post(), user=reader)
    with pytest.raises(VoteRefused, match="your own"):
        _vote(mine, reader, 1)


def test_a_guest_cannot_vote_on_a_comment_this_browser_wrote(settings, comment):
    settings.VOTES = "everyone"
    with pytest.raises(VoteRefused, match="your own"):
        _vote(comment, None, 1, guest_id="g1", own_comments=frozenset({comment.pk}))


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.REMOVED, Comment.Status.SPAM]
)
def test_no_votes_on_comments_not_shown(status, reader):
    held = make_comment(post=make_post(), status=status)
    with pytest.raises(VoteRefused, match="shown"):
        _vote(held, reader, 1)


def test_no_votes_where_comments_are_closed(reader):
    closed = make_comment(post=make_post(comments_open=False))
    with pytest.raises(VoteRefused, match="closed"):
        _vote(closed, reader, 1)


def test_no_votes_on_a_draft_posts_comments(comment, reader):
    Post.objects.filter(pk=comment.post_id).update(status=Post.Status.DRAFT)
    with pytest.raises(NoSuchComment):
        _vote(comment, reader, 1)


def test_no_votes_under_a_locked_branch(comment, reader):
    reply = make_comment(post=comment.post, parent=comment)
    deeper = make_comment(post=comment.post, parent=reply)
    services.branch_lock(comment=comment, locked=True)
    with pytest.raises(VoteRefused, match="locked"):
        _vote(deeper, reader, 1)


def test_a_locked_branch_elsewhere_does_not_stop_votes(comment, reader):
    other = make_comment(post=comment.post)
    services.branch_lock(comment=other, locked=True)
    assert _vote(comment, reader, 1).score == 1


def test_an_unknown_comment_is_refused_as_missing(reader):
    with pytest.raises(NoSuchComment):
        services.vote_cast(comment_id=987654, value=1, user=reader)


@pytest.mark.parametrize("value", [2, -2, None])
def test_only_one_up_one_down_or_zero(comment, reader, value):
    with pytest.raises(BadVote):
        _vote(comment, reader, value)


def test_down_votes_can_be_turned_off(settings, comment, reader):
    settings.VOTES_DOWN = False
    with pytest.raises(BadVote, match="Down-votes are off"):
        _vote(comment, reader, -1)
    assert _vote(comment, reader, 1).score == 1


def test_voting_off_refuses_everyone(settings, comment, reader):
    settings.VOTES = "off"
    with pytest.raises(VoteRefused, match="off"):
        _vote(comment, reader, 1)


def test_guests_may_not_vote_by_default(comment):
    with pytest.raises(VoteRefused, match="Log in"):
        _vote(comment, None, 1, guest_id="g1")


def test_guests_vote_once_per_browser_where_everyone_may(settings, comment):
    settings.VOTES = "everyone"
    _vote(comment, None, 1, guest_id="g1", ip_address="203.0.113.5")
    _vote(comment, None, 1, guest_id="g1", ip_address="203.0.113.5")
    _vote(comment, None, -1, guest_id="g2", ip_address="203.0.113.5")
    assert _counts(comment) == (1, 1)
    assert Vote.objects.filter(voter="guest:g1").get().ip_address == "203.0.113.5"


def test_a_guests_votes_are_capped_per_ip_and_day(settings):
    settings.VOTES = "everyone"
    settings.VOTES_GUEST_DAILY_PER_IP = 2
    post = make_post()
    first, second, third = (make_comment(post=post) for _ in range(3))
    for n, target in enumerate((first, second)):
        _vote(target, None, 1, guest_id=f"g{n}", ip_address="203.0.113.9")
    with pytest.raises(TooManyVotes, match="today"):
        _vote(third, None, 1, guest_id="g9", ip_address="203.0.113.9")
    _vote(third, None, 1, guest_id="g9", ip_address="203.0.113.10")


def test_changing_a_guest_vote_does_not_count_against_the_cap(settings, comment):
    settings.VOTES = "everyone"
    settings.VOTES_GUEST_DAILY_PER_IP = 1
    _vote(comment, None, 1, guest_id="g1", ip_address="203.0.113.9")
    assert _vote(comment, None, -1, guest_id="g1", ip_address="203.0.113.9").value == -1


def test_votes_are_rate_limited_per_reader(settings, reader):
    settings.VOTES_PER_MINUTE = 2
    post = make_post()
    comments = [make_comment(post=post) for _ in range(3)]
    _vote(comments[0], reader, 1)
    _vote(comments[1], reader, 1)
    with pytest.raises(TooManyVotes):
        _vote(comments[2], reader, 1)
    _vote(comments[2], make_user(), 1)  # someone else still may


def test_votes_reset_deletes_the_votes_and_zeroes_the_counts(comment):
    for value in (1, -1):
        _vote(comment, make_user(), value)
    assert services.votes_reset(comments=[comment]) == 1
    assert _counts(comment) == (0, 0)
    assert not Vote.objects.exists()


def test_pinning_takes_top_level_comments_only(comment):
    reply = make_comment(post=comment.post, parent=comment)
    assert services.comment_pin(comments=[comment, reply], pinned=True) == 1
    comment.refresh_from_db()
    reply.refresh_from_db()
    assert (comment.is_pinned, reply.is_pinned) == (True, False)


def test_pinning_changes_the_threads_version(comment):
    before = Post.objects.get(pk=comment.post_id).comments_version
    services.comment_pin(comments=[comment], pinned=True)
    assert Post.objects.get(pk=comment.post_id).comments_version == before + 1
