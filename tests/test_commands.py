"""Management commands, called as an operator would call them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forum import tree_checks
from forum.models import Category, Comment, Post
from tests.factories import make_comment, make_post
from tests.html import soup

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
    problems = tree_checks.find_problems()
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
    assert tree_checks.find_problems() == []
    after = list(Comment.objects.for_post(sound).values_list("pk", "tree_id", "lft"))
    assert after == before


# The seed thread (../shared/seed/README.md): (author, depth, parent's number).
SEED_SHAPE = [
    ("Mark Logan", 1, None),
    ("Fourth and Long", 1, None),
    ("borko", 2, 2),
    ("Fourth and Long", 3, 3),
    ("borko", 1, None),
    ("Sam", 1, None),
    ("TTG", 2, 6),
    ("Leith", 2, 6),
    ("borko", 3, 8),
    ("blue peacock", 4, 9),
    ("Fourth and Long", 1, None),
    ("different clue", 2, 11),
]


def _seed_page(client):
    call_command("load_demo", stdout=StringIO())
    post = Post.objects.get(slug="winter-offensive-stalls-at-bakhmut")
    return post, soup(client.get(post.get_absolute_url()))


def test_load_demo_reproduces_the_seed_thread_exactly(client):
    post, page = _seed_page(client)
    items = page.select("li.comment")
    numbers = {li["id"]: n for n, li in enumerate(items, start=1)}
    shape = []
    for li in items:
        depth = next(int(c[6:]) for c in li["class"] if c.startswith("depth-"))
        parent = li.find_parent("li", class_="comment")
        author = li.find("article").select_one(".fn").get_text()
        shape.append((author, depth, numbers[parent["id"]] if parent else None))
    assert shape == SEED_SHAPE
    assert len(page.select("ol.comment-list > li")) == 5


def test_load_demo_seed_post_is_closed_with_two_categories(client):
    post, page = _seed_page(client)
    assert page.select_one(".comments-title").get_text().startswith("12 Responses to “")
    assert page.select_one(".no-comments").get_text() == "Comments are closed."
    assert [c.name for c in post.categories.all()] == ["Russia", "Ukraine Crisis"]
    assert not post.accepts_comments()


def test_load_demo_adds_an_open_post():
    call_command("load_demo", stdout=StringIO())
    assert Post.objects.get(slug="welcome-to-parley").accepts_comments()


def test_load_demo_twice_creates_nothing_twice():
    call_command("load_demo", stdout=StringIO())
    counts = (Post.objects.count(), Comment.objects.count(), Category.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert (
        Post.objects.count(),
        Comment.objects.count(),
        Category.objects.count(),
    ) == counts
    assert "0 post(s) created" in out.getvalue()
    assert tree_checks.find_problems() == []
