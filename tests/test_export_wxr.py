"""export_wxr writes WXR 1.2 that import_wxr (and WordPress) reads back."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import tree_checks
from forum.models import Category, Comment, Post
from tests.factories import make_category, make_comment, make_post, make_user
from tests.wxr_files import THEME_UNIT_TEST

pytestmark = pytest.mark.django_db

WP = "{http://wordpress.org/export/1.2/}"
Status = Comment.Status


def export(tmp_path) -> str:
    path = tmp_path / "export.xml"
    call_command("export_wxr", str(path), stdout=StringIO())
    return str(path)


def wipe() -> None:
    """Empty the blog, as a new site would be."""
    Post.objects.all().delete()  # and every comment
    Category.objects.all().delete()
    get_user_model().objects.all().delete()


def reimport(path) -> None:
    call_command("import_wxr", path, stdout=StringIO(), stderr=StringIO())


def shape() -> dict:
    """Posts by slug, each with its comments in reading order."""
    posts = {}
    for post in Post.objects.order_by("slug").prefetch_related("categories"):
        comments = Comment.objects.filter(post=post).order_by("tree_id", "lft")
        posts[post.slug] = {
            "post": (
                post.title,
                post.status,
                post.published_at.replace(microsecond=0),
                post.comments_open,
                post.author.username,
                sorted(c.slug for c in post.categories.all()),
                "".join(post.excerpt().split()),
            ),
            "comments": [
                (
                    c.author_name,
                    c.author_email,
                    c.author_url,
                    c.ip_address,
                    c.created_at.replace(microsecond=0),
                    c.status,
                    c.level,
                    c.parent.author_name if c.parent else None,
                    # Whitespace between block tags may change, nothing else.
                    "".join(c.body_html.split()),
                )
                for c in comments.select_related("parent")
            ],
        }
    return posts


def make_blog():
    writer = make_user(username="writer", first_name="Wri", last_name="Ter")
    news = make_category(name="News & views", slug="news")
    post = make_post(
        title="Round trip",
        body="Some *Markdown*, a [link](https://example.com/) and\n\n> a quote.",
        author=writer,
        categories=[news],
        comments_open=False,
    )
    make_post(title="A draft", status=Post.Status.DRAFT, author=writer)
    make_post(
        title="Scheduled",
        published_at=timezone.now() + timedelta(days=3),
        author=writer,
    )
    root = make_comment(
        post=post,
        author_name="Root",
        author_url="https://root.example/",
        ip_address="192.0.2.9",
        body="First line\nsecond line with *emphasis* and https://auto.example/",
    )
    reply = make_comment(post=post, parent=root, author_name="Reply", user=writer)
    make_comment(post=post, parent=reply, author_name="Held", status=Status.PENDING)
    make_comment(post=post, parent=root, author_name="Gone", status=Status.REMOVED)
    make_comment(post=post, author_name="Junk", status=Status.SPAM)
    return post


def test_export_writes_wxr_1_2():
    make_blog()
    out = StringIO()
    call_command("export_wxr", stdout=out, stderr=StringIO())
    channel = ET.fromstring(out.getvalue()).find("channel")
    assert channel.find(f"{WP}wxr_version").text == "1.2"
    items = channel.findall("item")
    assert len(items) == 3
    assert {i.find(f"{WP}status").text for i in items} == {"publish", "draft"}
    assert len(channel.findall(f"{WP}author")) == 1
    assert len(channel.findall(f"{WP}category")) == 1


def test_export_writes_comments_with_statuses_and_parents_first(tmp_path):
    make_blog()
    channel = ET.parse(export(tmp_path)).getroot().find("channel")
    post = next(
        i for i in channel.findall("item") if i.find("title").text == "Round trip"
    )
    comments = post.findall(f"{WP}comment")
    seen = {"0"}
    for comment in comments:
        assert comment.find(f"{WP}comment_parent").text in seen
        seen.add(comment.find(f"{WP}comment_id").text)
    approved = [c.find(f"{WP}comment_approved").text for c in comments]
    assert sorted(approved) == ["0", "1", "1", "spam", "trash"]


def test_export_round_trip_keeps_posts_comments_nesting_and_statuses(tmp_path):
    make_blog()
    before = shape()
    path = export(tmp_path)
    wipe()
    reimport(path)
    assert shape() == before
    assert tree_checks.find_problems() == []


def test_export_round_trip_keeps_who_wrote_a_comment(tmp_path):
    make_blog()
    path = export(tmp_path)
    wipe()
    reimport(path)
    assert Comment.objects.get(author_name="Reply").user.username == "writer"


def test_export_survives_cdata_terminators_and_control_characters(tmp_path):
    post = make_post(title="Brackets ]]> and a bell \x07")
    make_comment(post=post, body="Ends with ]]> and <b>tags</b>")
    path = export(tmp_path)
    wipe()
    reimport(path)
    assert Post.objects.get().title == "Brackets ]]> and a bell"
    assert (
        "Ends with ]]&gt; and &lt;b&gt;tags&lt;/b&gt;"
        in Comment.objects.get().body_html
    )


def test_export_to_standard_output_reports_on_standard_error():
    make_blog()
    out, err = StringIO(), StringIO()
    call_command("export_wxr", stdout=out, stderr=err)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8" ?>')
    assert out.getvalue().endswith("</rss>\n")
    assert err.getvalue() == (
        "Exported 3 post(s), 5 comment(s), 1 categor(ies) and 1 author(s).\n"
    )


def test_export_reads_posts_and_comments_in_a_fixed_number_of_queries(tmp_path):
    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            export(tmp_path)
        return len(queries)

    post = make_post()
    make_comment(post=post)
    few = queries_for_export()
    for _ in range(5):
        post = make_post()
        make_comment(post=make_comment(post=post).post)
    assert queries_for_export() == few


@pytest.mark.skipif(
    not THEME_UNIT_TEST.is_file(),
    reason=f"the theme unit test export is not at {THEME_UNIT_TEST}",
)
def test_export_round_trip_of_the_theme_unit_test_data(tmp_path):
    call_command(
        "import_wxr",
        str(THEME_UNIT_TEST),
        "--with-pings",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    before = shape()
    path = export(tmp_path)
    wipe()
    reimport(path)
    assert shape() == before
    assert Comment.objects.order_by("-level").first().level == 9
