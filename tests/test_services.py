import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import services, tree_checks
from forum.models import Comment, Post
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db


def _refresh(*comments):
    for comment in comments:
        comment.refresh_from_db()


def test_comment_create_reply_nests_under_parent():
    post = make_post()
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    _refresh(root, reply)
    assert reply.parent == root
    assert (reply.tree_id, reply.level) == (root.tree_id, 1)
    assert root.lft < reply.lft < reply.rght < root.rght


def test_comment_create_appends_replies_in_chronological_order():
    post = make_post()
    root = make_comment(post=post)
    first = make_comment(post=post, parent=root)
    second = make_comment(post=post, parent=root)
    _refresh(root, first, second)
    assert first.rght < second.lft
    assert list(root.get_children()) == [first, second]


def test_comment_create_rewrites_only_its_own_thread():
    post = make_post()
    root = make_comment(post=post)
    other = make_comment(post=post)
    other_reply = make_comment(post=post, parent=other)
    before = list(
        Comment.objects.filter(tree_id=other.tree_id).values_list("lft", "rght")
    )
    make_comment(post=post, parent=root)
    after = list(
        Comment.objects.filter(tree_id=other.tree_id).values_list("lft", "rght")
    )
    assert before == after
    assert other_reply.tree_id == other.tree_id


def test_comment_create_rejects_a_parent_on_another_post():
    parent = make_comment(post=make_post())
    with pytest.raises(ValidationError, match="another post"):
        make_comment(post=make_post(), parent=parent)
    assert Comment.objects.count() == 1


def test_comment_create_caps_depth_by_attaching_to_the_deepest_ancestor(settings):
    settings.COMMENT_MAX_DEPTH = 2
    post = make_post()
    root = make_comment(post=post)
    child = make_comment(post=post, parent=root)
    grandchild = make_comment(post=post, parent=child)
    too_deep = make_comment(post=post, parent=grandchild)
    assert grandchild.level == 2
    assert too_deep.parent == child
    assert too_deep.level == 2
    assert tree_checks.find_problems() == []


def test_comment_create_bumps_the_thread_version():
    post = make_post()
    make_comment(post=post)
    make_comment(post=post)
    assert Post.objects.get(pk=post.pk).comments_version == 2


@pytest.mark.django_db(transaction=True)  # the service's transaction is the outermost
def test_comment_create_reply_costs_seven_queries():
    post = make_post()
    root = make_comment(post=post)
    with CaptureQueriesContext(connection) as captured:  # after commit too
        make_comment(post=post, parent=root)
    statements = [
        q["sql"].split()[0]
        for q in captured.captured_queries
        if not q["sql"].startswith(("BEGIN", "COMMIT"))  # SQLite logs these
    ]
    # lock the post, read the parent, does anyone follow it (no: nothing to
    # do after commit), make room, insert, bump the version and the counters,
    # bump its conversation's version (forum.conversations)
    assert statements == [
        *("SELECT", "SELECT", "SELECT", "UPDATE", "INSERT", "UPDATE", "UPDATE")
    ]


def test_comment_create_renders_and_stores_html():
    comment = make_comment(post=make_post(), body="*hi* <script>x</script>")
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.body == "*hi* <script>x</script>"
    assert stored.body_html == "<p><em>hi</em> &lt;script&gt;x&lt;/script&gt;</p>"


def _corrupt(comment, **fields):
    Comment.objects.filter(pk=comment.pk).update(**fields)


def test_thread_rebuild_repairs_broken_intervals():
    post = make_post()
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    make_comment(post=post, parent=reply)
    _corrupt(reply, lft=40, rght=41, level=7)
    assert tree_checks.find_problems()
    changed = services.thread_rebuild(post_id=post.pk)
    assert changed == 3  # new tree id for the thread
    assert tree_checks.find_problems() == []
    reply.refresh_from_db()
    assert reply.level == 1


def test_thread_rebuild_gives_duplicate_tree_ids_their_own_trees():
    post = make_post()
    first = make_comment(post=post)
    second = make_comment(post=post)
    make_comment(post=post, parent=second)
    Comment.objects.filter(tree_id=second.tree_id).update(tree_id=first.tree_id)
    assert tree_checks.find_problems()
    services.thread_rebuild(post_id=post.pk)
    assert tree_checks.find_problems() == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.tree_id < second.tree_id  # reading order kept


def test_thread_rebuild_breaks_a_cycle_of_parent_links():
    post = make_post()
    root = make_comment(post=post)
    child = make_comment(post=post, parent=root)
    _corrupt(root, parent=child)  # root -> child -> root
    services.thread_rebuild(post_id=post.pk)
    assert tree_checks.find_problems() == []
    root.refresh_from_db()
    assert root.parent_id is None
    assert Comment.objects.count() == 2


def test_find_problems_reports_a_reply_on_another_post():
    parent = make_comment(post=make_post())
    reply = make_comment(post=parent.post, parent=parent)
    _corrupt(reply, post=make_post())
    assert [p.check for p in tree_checks.find_problems()] == [
        "reply is on another post than its parent"
    ]
