"""WordPress's theme unit test export goes in with the counts its README gives.

The file is ../shared/data/wordpress/themeunittestdata.wordpress.xml (test
data only, never copied into the project); its README lists what it holds.
"""

import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from forum import tree_checks
from forum.models import Category, Comment, Post
from tests.html import soup
from tests.wxr_files import THEME_UNIT_TEST

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not THEME_UNIT_TEST.is_file(),
        reason=f"the theme unit test export is not at {THEME_UNIT_TEST}",
    ),
]

# "Template: Comments": ten levels, top level first (README, "max nesting depth").
DEEPEST_CHAIN = [904, 905, 906, 907, 910, 911, 912, 913, 914, 915]


WP = "{https://wordpress.org/export/1.2/}"


def published_in_the_file() -> dict[int, list[dict[str, str]]]:
    """{post id: its approved comments' fields}, for each published post, read
    with plain ElementTree (not forum.wordpress.wxr) so the importer is checked against
    the file itself."""
    found = {}
    for item in ET.parse(THEME_UNIT_TEST).iterfind("channel/item"):
        if (item.findtext(f"{WP}post_type"), item.findtext(f"{WP}status")) != (
            "post",
            "publish",
        ):
            continue
        comments = [
            {child.tag.removeprefix(WP): child.text or "" for child in comment}
            for comment in item.iterfind(f"{WP}comment")
        ]
        approved = [c for c in comments if c["comment_approved"].strip() == "1"]
        found[int(item.findtext(f"{WP}post_id"))] = approved
    return found


def import_theme_data(*args) -> str:
    out = StringIO()
    call_command(
        "import_wxr", str(THEME_UNIT_TEST), *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def snapshot() -> dict:
    """Every imported row, as the database has it."""
    return {
        "posts": list(Post.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values()),
        "post categories": list(
            Post.categories.through.objects.order_by("pk").values_list(
                "post_id", "category_id"
            )
        ),
        "users": list(get_user_model().objects.order_by("pk").values()),
    }


def test_theme_data_imports_the_58_posts_and_their_24_comments():
    out = import_theme_data()
    assert Post.objects.count() == 58
    assert Comment.objects.count() == 24  # 28 on posts, less 4 pings
    assert out.startswith("Imported 58 post(s), 24 comment(s)")
    assert "pingback/trackback × 4" in out


def test_theme_data_with_pings_imports_all_28_comments_on_posts():
    import_theme_data("--with-pings")
    assert Comment.objects.count() == 28
    assert Comment.objects.filter(post__wp_id=1149).count() == 5


def test_theme_data_leaves_pages_attachments_and_menu_items_out():
    out = import_theme_data()
    assert "Left out: attachment × 37, nav_menu_item × 70, page × 21" in out


def test_theme_data_template_comments_has_20_comments_9_replies_1_pending():
    import_theme_data()
    comments = Comment.objects.filter(post__title="Template: Comments")
    assert comments.count() == 20
    assert comments.filter(parent__isnull=False).count() == 9
    assert list(comments.filter(status="pending").values_list("wp_id", flat=True)) == [
        1015
    ]


def test_theme_data_nests_template_comments_ten_levels_deep():
    import_theme_data()
    chain = {c.wp_id: c for c in Comment.objects.filter(wp_id__in=DEEPEST_CHAIN)}
    assert [chain[n].level for n in DEEPEST_CHAIN] == list(range(10))
    for parent, child in zip(DEEPEST_CHAIN, DEEPEST_CHAIN[1:], strict=False):
        assert chain[child].parent_id == chain[parent].pk
    assert Comment.objects.order_by("-level").first().level == 9


def test_theme_data_statuses_and_drafts():
    import_theme_data()
    # The file: 30 approved (4 of them pings, 3 on pages), 3 pending (2 on pages).
    assert Comment.objects.filter(status="approved").count() == 23
    assert Comment.objects.filter(status="pending").count() == 1
    drafts = Post.objects.filter(status=Post.Status.DRAFT).values_list(
        "wp_id", flat=True
    )
    # Draft, Scheduled (future), and the password-protected post.
    assert sorted(drafts) == [1153, 1164, 1168]


def test_theme_data_keeps_unicode_and_the_html_of_comments():
    import_theme_data()
    greek = Comment.objects.get(wp_id=918)
    assert greek.author_name == "John Μαρία Doe Ντουε"
    assert "Σίγουρα θα σχολιάσουμε τα τεστς!" in greek.body_html
    tags = Comment.objects.get(wp_id=881).body_html
    for tag in ("<h1>", "<table>", "<pre>", "<dl>", "<abbr", "<sup>", "<del>"):
        assert tag in tags
    assert "<img src=" in Comment.objects.get(wp_id=917).body_html


def test_theme_data_leaves_every_tree_sound():
    import_theme_data("--with-pings")
    assert tree_checks.find_problems() == []
    out = StringIO()
    call_command("check_threads", stdout=out)
    assert out.getvalue() == "All comment trees are sound (28 comments).\n"


def test_importing_theme_data_twice_changes_nothing_the_second_time():
    import_theme_data()
    before = snapshot()
    out = import_theme_data()
    assert out.startswith(
        "Imported 0 post(s) (58 already there), 0 comment(s) (24 already there), "
        "0 new categor(ies) and 0 new user(s)"
    )
    assert snapshot() == before


def test_theme_data_every_published_post_and_approved_comment_comes_in():
    import_theme_data("--with-pings")
    published = published_in_the_file()
    posts = {p.wp_id: p for p in Post.objects.filter(wp_id__in=published)}
    assert sorted(posts) == sorted(published)
    # Published, but for the password-protected post (a draft, and said so).
    drafts = [n for n, p in posts.items() if p.status != Post.Status.PUBLISHED]
    assert drafts == [1168]
    for wp_id, comments in published.items():
        imported = {c.wp_id: c for c in Comment.objects.filter(post=posts[wp_id])}
        for fields in comments:
            comment = imported[int(fields["comment_id"])]
            assert comment.status == Comment.Status.APPROVED
            parent = int(fields["comment_parent"])
            assert (comment.parent.wp_id if comment.parent else 0) == parent


def test_theme_data_thread_page_renders_the_ten_levels(client, settings):
    settings.COMMENT_DISPLAY_DEPTH = 0  # every level on the post's page
    import_theme_data()
    page = soup(client.get("/posts/template-comments/"))
    deepest = Comment.objects.get(wp_id=915)
    assert "depth-10" in page.select_one(f"#comment-{deepest.pk}")["class"]
