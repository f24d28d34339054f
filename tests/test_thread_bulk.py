"""thread_bulk_create: a thread built in bulk is numbered as replies would number it."""

import pytest

from forum import services
from forum.models import Comment, Post
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db


def _comment(parent=None, name="Reader") -> Comment:
    return Comment(parent=parent, author_name=name, body="Hi.", body_html="<p>Hi.</p>")


def test_bulk_thread_is_numbered_parents_first_with_fresh_tree_ids():
    post = make_post()
    earlier = make_comment(post=post)
    root = _comment(name="root")
    reply = _comment(root, "reply")
    nested = _comment(reply, "nested")
    under_earlier = _comment(earlier, "under earlier")
    version = post.comments_version

    made = services.thread_bulk_create(
        post=post, comments=[root, reply, nested, under_earlier]
    )

    assert made == 4
    shape = {
        c.author_name: (c.lft, c.rght, c.level, c.parent_id)
        for c in Comment.objects.filter(post=post)
    }
    assert shape["root"] == (1, 6, 0, None)
    assert shape["reply"] == (2, 5, 1, root.pk)
    assert shape["nested"] == (3, 4, 2, reply.pk)
    assert shape["under earlier"] == (2, 3, 1, earlier.pk)
    trees = Comment.objects.filter(post=post, level=0).values_list("tree_id", flat=True)
    assert len(set(trees)) == 2
    post.refresh_from_db()
    assert post.comments_version > version


def test_bulk_thread_refuses_a_reply_before_its_parent():
    post = make_post()
    root = _comment()
    with pytest.raises(ValueError, match="before its parent"):
        services.thread_bulk_create(post=post, comments=[_comment(root), root])
    assert not Comment.objects.filter(post=post).exists()


def test_bulk_thread_of_nothing_changes_nothing():
    post = make_post()
    assert services.thread_bulk_create(post=post, comments=[]) == 0
    assert Post.objects.get(pk=post.pk).comments_version == post.comments_version
