"""import_wxr with small exports of our own (tests/fixtures/): what goes in, how."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import tree_checks
from forum.models import Category, Comment, Post
from tests.factories import make_user
from tests.wxr_files import comment_xml, fixture, item_xml, write_wxr

pytestmark = pytest.mark.django_db

BLOG = fixture("wxr-1.1-blog.xml")


def import_wxr(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_wxr", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def comments_of(wp_post_id: int) -> dict[int, Comment]:
    return {c.wp_id: c for c in Comment.objects.filter(post__wp_id=wp_post_id)}


def test_import_creates_the_posts_with_title_slug_date_and_author():
    import_wxr(BLOG)
    post = Post.objects.get(wp_id=101)
    assert post.title == "Hello world"
    assert post.slug == "hello-world"
    assert post.published_at == datetime(2011, 1, 1, 9, 0, tzinfo=UTC)
    assert post.author.username == "alice"
    assert "<p>Edit or delete it, then start blogging!</p>" in post.body_html


@pytest.mark.parametrize(
    ("wp_id", "status"),
    [
        (101, Post.Status.PUBLISHED),
        (102, Post.Status.DRAFT),  # draft
        (103, Post.Status.DRAFT),  # future
        (104, Post.Status.DRAFT),  # pending
        (105, Post.Status.DRAFT),  # private
    ],
)
def test_import_maps_wordpress_post_statuses(wp_id, status):
    import_wxr(BLOG)
    assert Post.objects.get(wp_id=wp_id).status == status


def test_import_keeps_a_password_protected_post_as_a_draft_and_says_so():
    _, err = import_wxr(BLOG)
    assert Post.objects.get(wp_id=106).status == Post.Status.DRAFT
    assert "Post 106 “Protected post”: password-protected in WordPress" in err


def test_import_maps_comment_status_open_and_closed():
    import_wxr(BLOG)
    assert Post.objects.get(wp_id=101).comments_open is True
    assert Post.objects.get(wp_id=113).comments_open is False


def test_import_uses_the_local_date_of_a_draft_without_a_gmt_date():
    import_wxr(BLOG)
    draft = Post.objects.get(wp_id=102)
    assert draft.published_at == datetime(2011, 2, 1, 10, 0, tzinfo=UTC)
    assert draft.slug == "draft-post"  # no post_name: made from the title


def test_import_gives_a_taken_slug_the_post_id_and_reports_it():
    _, err = import_wxr(BLOG)
    assert Post.objects.get(wp_id=113).slug == "hello-world-113"
    assert "the slug “hello-world” is taken; it is now “hello-world-113”" in err


def test_import_makes_titles_plain_text():
    import_wxr(BLOG)
    assert Post.objects.get(wp_id=112).title == "Markup in the title & entities"


def test_import_leaves_pages_attachments_and_trashed_posts_out():
    out, _ = import_wxr(BLOG)
    assert not Post.objects.filter(wp_id__in=[107, 108, 110]).exists()
    assert not Comment.objects.filter(wp_id=50).exists()
    assert "Left out: attachment × 1, page × 1, post (trash) × 1" in out


def test_import_keeps_wordpress_html_away_from_markdown():
    import_wxr(BLOG)
    html = Post.objects.get(wp_id=111).body_html
    assert "Five *stars* and 2 * 3 = 6, C:\\path\\to\\file, and __init__." in html
    assert "<p>    An indented line stays a line.</p>" in html
    assert "<code>" not in html and "<h1>" not in html and "<li>" not in html
    assert "<pre>line one\n\nline three</pre>" in html


def test_import_creates_authors_without_usable_passwords():
    import_wxr(BLOG)
    alice = get_user_model().objects.get(username="alice")
    assert (alice.email, alice.first_name, alice.last_name) == (
        "alice@example.com",
        "Alice",
        "Archer",
    )
    assert not alice.has_usable_password()


def test_import_reuses_a_user_with_the_same_login():
    bob = make_user(username="bob", password="kept")
    import_wxr(BLOG)
    assert Post.objects.get(wp_id=113).author == bob
    bob.refresh_from_db()
    assert bob.check_password("kept")


def test_import_creates_categories_and_assigns_them():
    import_wxr(BLOG)
    post = Post.objects.get(wp_id=101)
    names = sorted(c.name for c in post.categories.all())
    assert names == ["Books & Films", "News"]
    assert Category.objects.get(name="Books & Films").slug == "books-films"


def test_import_reuses_a_category_with_the_same_slug():
    news = Category.objects.create(name="Latest news", slug="news")
    import_wxr(BLOG)
    assert news in Post.objects.get(wp_id=101).categories.all()
    assert Category.objects.filter(slug="news").count() == 1


def test_import_threads_comments_by_their_parents():
    import_wxr(BLOG)
    comments = comments_of(101)
    assert comments[2].parent == comments[1]
    assert comments[3].parent == comments[2]
    assert [comments[n].level for n in (1, 2, 3)] == [0, 1, 2]
    assert comments[1].tree_id == comments[3].tree_id


@pytest.mark.parametrize(
    ("wp_id", "status", "reason"),
    [
        (1, Comment.Status.APPROVED, ""),
        (4, Comment.Status.PENDING, "held in WordPress"),
        (5, Comment.Status.SPAM, "spam in WordPress"),
        (6, Comment.Status.REMOVED, "in WordPress's trash"),
    ],
)
def test_import_maps_comment_statuses(wp_id, status, reason):
    import_wxr(BLOG)
    comment = comments_of(101)[wp_id]
    assert (comment.status, comment.status_reason) == (status, reason)


def test_import_keeps_comment_author_details_and_gmt_date():
    import_wxr(BLOG)
    anna = comments_of(101)[1]
    assert anna.author_name == "Anna Reader"
    assert anna.author_email == "anna@example.com"
    assert anna.author_url == "http://anna.example.org/"
    assert anna.ip_address == "192.0.2.1"
    assert anna.created_at == datetime(2011, 1, 2, 10, 0, tzinfo=UTC)
    assert anna.body_html == "<p>First!</p>\n<p>A second paragraph.</p>"


def test_import_drops_unsafe_urls_and_invalid_ips():
    import_wxr(BLOG)
    ben = comments_of(101)[2]
    assert (ben.author_url, ben.ip_address) == ("", None)


def test_import_links_a_comment_to_its_wordpress_user():
    import_wxr(BLOG)
    assert comments_of(101)[3].user.username == "alice"
    assert comments_of(101)[1].user is None


def test_import_sanitizes_comment_html():
    import_wxr(BLOG)
    html = comments_of(101)[10].body_html
    for unsafe in ("<script", "onclick", "style=", "javascript:", "<iframe", "onerror"):
        assert unsafe not in html
    assert '<a href="https://ok.example/" rel="nofollow ugc noopener">there</a>' in html
    assert '<img src="https://img.example/a.png" alt="a picture">' in html
    assert "<script>" in comments_of(101)[10].body  # the source is kept as it was


def test_import_makes_a_comment_whose_parent_is_missing_top_level():
    _, err = import_wxr(BLOG)
    orphan = comments_of(101)[7]
    assert (orphan.parent, orphan.level) == (None, 0)
    assert "Post 101: comment 7's parent 99 is not in the export: top-level." in err


def test_import_leaves_pings_out_by_default():
    out, _ = import_wxr(BLOG)
    assert set(comments_of(101)) == {1, 2, 3, 4, 5, 6, 7, 10}
    assert "pingback/trackback × 2" in out


def test_import_with_pings_imports_pingbacks_and_trackbacks():
    import_wxr(BLOG, "--with-pings")
    ping = comments_of(101)[8]
    assert ping.author_name == "Ping 1 « What’s up"
    assert ping.author_email == ""
    assert 9 in comments_of(101)


def test_import_reads_wxr_1_0_with_creators_instead_of_authors():
    import_wxr(fixture("wxr-1.0-unicode.xml"))
    post = Post.objects.get(wp_id=7)
    assert post.title == "Καλημέρα κόσμε 👋"
    assert post.author.username == "nikos"
    assert post.slug == "post-7"  # a Greek slug has no ASCII letters
    assert "Πρώτη ανάρτηση με <strong>έντονα</strong> γράμματα." in post.body_html
    assert [c.name for c in post.categories.all()] == ["Γενικά"]
    assert post.categories.get().slug.startswith("category-")


def test_import_reads_cdata_and_entities_alike():
    import_wxr(fixture("wxr-1.0-unicode.xml"))
    comments = comments_of(7)
    assert comments[30].author_name == "Γιάννης Παπαδόπουλος"
    assert comments[30].body_html == "<p>Σίγουρα θα σχολιάσουμε! 🎉</p>"
    assert comments[30].status == Comment.Status.APPROVED
    assert comments[31].author_name == "Maria & Co"
    assert comments[31].body_html == "<p>Reply with <em>markup</em> as entities.</p>"
    assert comments[31].parent == comments[30]
    # No GMT date: the local one.
    assert comments[31].created_at == datetime(2008, 6, 2, 13, 0, tzinfo=UTC)


def test_import_skips_a_bad_post_whole_and_imports_the_rest():
    with pytest.raises(CommandError, match=r"1 post\(s\) could not be imported"):
        import_wxr(fixture("wxr-1.2-bad-post.xml"))
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "First good post",
        "Last good post",
        "No id",  # imported all the same (test_import_wxr_messy.py)
    ]
    assert list(Comment.objects.values_list("wp_id", flat=True)) == [1]
    assert not Category.objects.filter(slug="only-on-the-broken-post").exists()


def test_import_reports_why_a_post_was_skipped():
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_wxr", fixture("wxr-1.2-bad-post.xml"), stdout=StringIO(), stderr=err
        )
    lines = err.getvalue().splitlines()
    assert "Post 202 “Broken post”: not imported: comment 2 appears twice" in lines


def test_import_cuts_a_loop_of_parent_links_at_its_oldest_comment():
    _, err = import_wxr(fixture("wxr-1.2-threads.xml"))
    comments = comments_of(300)
    assert comments[41].parent is None
    assert comments[42].parent == comments[41]
    assert comments[44].parent == comments[42]
    assert comments[43].parent is None
    assert "comment 41's parent links form a loop: top-level." in err
    assert "comment 43's parent links form a loop: top-level." in err


def test_import_hangs_replies_past_the_depth_cap_under_the_deepest_ancestor(settings):
    settings.COMMENT_MAX_DEPTH = 2
    _, err = import_wxr(fixture("wxr-1.2-threads.xml"))
    comments = comments_of(300)
    assert [comments[n].level for n in (51, 52, 53, 54, 55)] == [0, 1, 2, 2, 2]
    assert comments[54].parent == comments[52]
    assert "2 replies nested deeper than COMMENT_MAX_DEPTH (2)" in err


def test_import_leaves_every_tree_sound():
    import_wxr(BLOG, "--with-pings")
    import_wxr(fixture("wxr-1.2-threads.xml"))
    assert tree_checks.find_problems() == []
    out = StringIO()
    call_command("check_threads", stdout=out)
    assert "All comment trees are sound" in out.getvalue()


def test_import_builds_each_generation_of_comments_with_one_insert(tmp_path):
    chain = "".join(comment_xml(n, n - 1 if n > 1 else 0) for n in range(1, 4))
    wide = "".join(comment_xml(n) for n in range(10, 40))
    path = write_wxr(tmp_path / "bulk.xml", item_xml(1, chain + wide))
    with CaptureQueriesContext(connection) as queries:
        import_wxr(path)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "forum_comment"')]
    assert len(inserts) == 3  # three generations for 33 comments
    assert Comment.objects.count() == 33


def test_import_counts_what_it_did():
    out, _ = import_wxr(BLOG)
    assert out.startswith(
        "Imported 9 post(s), 8 comment(s), 2 new categor(ies) and 2 new user(s) in "
    )


def test_import_again_imports_nothing_twice():
    import_wxr(BLOG)
    before = list(Comment.objects.values_list("pk", "tree_id", "lft", "rght"))
    versions = list(Post.objects.values_list("pk", "comments_version"))
    out, _ = import_wxr(BLOG)
    assert "Imported 0 post(s) (9 already there), 0 comment(s) (8 already there)" in out
    assert list(Comment.objects.values_list("pk", "tree_id", "lft", "rght")) == before
    assert list(Post.objects.values_list("pk", "comments_version")) == versions


def test_import_again_adds_only_the_new_comments(tmp_path):
    first = item_xml(1, comment_xml(1) + comment_xml(2, 1))
    import_wxr(write_wxr(tmp_path / "a.xml", first))
    later = item_xml(1, comment_xml(1) + comment_xml(2, 1) + comment_xml(3, 2))
    out, _ = import_wxr(write_wxr(tmp_path / "b.xml", later))
    assert "0 post(s) (1 already there), 1 comment(s) (2 already there)" in out
    comments = comments_of(1)
    assert (comments[3].parent, comments[3].level) == (comments[2], 2)
    assert tree_checks.find_problems() == []


def test_import_dry_run_saves_nothing_and_counts_the_same():
    out, _ = import_wxr(BLOG, "--dry-run")
    assert out.startswith("Would import 9 post(s), 8 comment(s), 2 new categor(ies)")
    assert out.endswith("Dry run: nothing was saved.\n")
    assert not Post.objects.exists()
    assert not Comment.objects.exists()
    assert not get_user_model().objects.exists()
