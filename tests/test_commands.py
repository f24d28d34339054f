"""Management commands, called as an operator would call them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forum import trees
from forum.models import Comment
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db


def _thread(post, replies=2) -> list[Comment]:
    """A root and a chain of replies under it, through the service."""
    chain = [make_comment(post=post)]
    for _ in range(replies):
        chain.append(make_comment(post=post, parent=chain[-1]))
    return chain


def _check_threads(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_threads", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_threads_reports_sound_trees():
    _thread(make_post())
    out, err = _check_threads()
    assert out == "All comment trees are sound (3 comments).\n"
    assert err == ""


def test_check_threads_exits_1_listing_the_problems_of_a_corrupt_tree():
    root, reply, _ = _thread(make_post())
    Comment.objects.filter(pk=reply.pk).update(lft=reply.rght + 10)
    err = StringIO()
    with pytest.raises(CommandError, match=r"check\(s\) failed") as failure:
        call_command("check_threads", stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    problems = trees.find_problems()
    assert problems
    assert err.getvalue().splitlines() == [f"  {problem}" for problem in problems]
    assert f"lft/rght interval is not sane: tree ids {root.tree_id}; comments " in (
        err.getvalue()
    )
    assert str(reply.pk) in err.getvalue()


def test_check_threads_repair_rebuilds_only_the_broken_posts():
    broken, sound = make_post(), make_post()
    _, reply, _ = _thread(broken)
    _thread(sound)
    Comment.objects.filter(pk=reply.pk).update(lft=reply.rght + 10)
    before = list(Comment.objects.for_post(sound).values_list("pk", "tree_id", "lft"))
    out, err = _check_threads("--repair")
    assert f"Post {broken.pk}: rebuilt, 3 comment(s) changed." in out
    assert f"Post {sound.pk}:" not in out
    assert out.endswith("All comment trees are sound (6 comments).\n")
    assert "lft/rght interval is not sane" in err
    assert trees.find_problems() == []
    after = list(Comment.objects.for_post(sound).values_list("pk", "tree_id", "lft"))
    assert after == before
