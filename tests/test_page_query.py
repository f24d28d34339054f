"""The query for page N of a thread reads that page's conversations only (issue 14)."""

import pytest
from django.db import connection

from forum.models import Comment
from forum.thread_pages import page_roots_query, page_trees_query
from tests.factories import make_many_comments, make_post

pytestmark = pytest.mark.django_db


@pytest.mark.postgresql
def test_a_page_reads_the_top_level_comments_through_their_index():
    if connection.vendor != "postgresql":
        pytest.skip(
            "EXPLAIN's plan text and the planner are PostgreSQL's; SQLite "
            "plans differently and is not what production runs"
        )
    post = make_post()
    make_many_comments(post=post, count=4000)
    make_many_comments(post=make_post(), count=4000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE forum_comment")
    shown = Comment.objects.for_post(post).shown()
    for query in (page_roots_query, page_trees_query):  # counted, or stored count
        plan = query(shown, newest=False)[50:100].explain()
        assert "comment_roots_idx" in plan, plan
        assert "Seq Scan on forum_comment" not in plan, plan


def test_a_page_beyond_the_last_is_a_404_and_counts_stay_right(client, settings):
    settings.COMMENTS_PER_PAGE = 10
    post = make_post()
    make_many_comments(post=post, count=100)  # 25 top-level comments: 3 pages
    last = client.get(f"{post.get_absolute_url()}comment-page-3/")
    assert last.status_code == 200
    assert client.get(f"{post.get_absolute_url()}comment-page-4/").status_code == 404
    assert client.get(f"{post.get_absolute_url()}comment-page-0/").status_code == 404
