"""import_wxr with messy real-world exports: old WXR 1.0 files, merged exports
whose posts share ids, comments that lack elements, and files that are no
WordPress export at all."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from forum import tree_checks
from forum.models import Category, Comment, Post
from tests.wxr_files import HEAD, comment_xml, fixture, item_xml, write_wxr

pytestmark = pytest.mark.django_db

OLD = fixture("wxr-1.0-no-version.xml")
MERGED = fixture("wxr-1.2-merged.xml")
MESSY = fixture("wxr-1.1-messy-comments.xml")
BLOG = fixture("wxr-1.1-blog.xml")


def import_wxr(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_wxr", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict:
    """Every row an import writes, as the database has it."""
    return {
        "posts": list(Post.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("pk").values()),
    }


def thread(post: Post) -> list[tuple[str, int]]:
    """The post's comments in tree order, as (text, level)."""
    return [(c.body, c.level) for c in Comment.objects.filter(post=post)]


# --- WXR 1.0 without wp:wxr_version, items without wp: elements ------------


def test_import_reads_wxr_1_0_without_a_version_number():
    out, _ = import_wxr(OLD)
    assert out.startswith("Imported 4 post(s), 1 comment(s)")
    assert Post.objects.get(wp_id=1).title == "First WordPress post"
    assert Comment.objects.get(post__wp_id=1).body == "Welcome back."


def test_import_takes_an_item_without_wp_elements_as_a_published_post():
    import_wxr(OLD)
    post = Post.objects.get(title="Pasted from elsewhere")
    assert post.status == Post.Status.PUBLISHED
    assert post.slug == "pasted-from-elsewhere"
    assert post.published_at == datetime(2007, 12, 31, 22, 30, tzinfo=UTC)  # pubDate
    assert post.author.username == "carol"
    assert "<p>A post with no <em>wp:</em> elements.</p>" in post.body_html
    assert [c.name for c in post.categories.all()] == ["Travel"]


def test_import_prefers_content_encoded_to_the_description():
    import_wxr(OLD)
    post = Post.objects.get(title="Pasted at the end")
    assert "The full text, which wins over the description." in post.body_html
    assert "Short text" not in post.body_html


def test_import_reads_a_plain_rss_category_and_wordpress_s_copy_of_it_as_one():
    import_wxr(OLD)
    assert Category.objects.count() == 1
    assert [c.slug for c in Post.objects.get(wp_id=1).categories.all()] == ["travel"]


def test_import_says_which_posts_had_no_wordpress_id():
    _, err = import_wxr(OLD)
    assert "Post “Pasted from elsewhere”: no wp:post_id; imported all the same" in err
    assert "Post “Pasted at the end”: no wp:post_id" in err


def test_import_of_wxr_1_0_again_imports_nothing():
    import_wxr(OLD)
    before = snapshot()
    out, _ = import_wxr(OLD)
    assert out.startswith("Imported 0 post(s) (4 already there), 0 comment(s) (1 ")
    assert snapshot() == before


def test_import_waits_for_the_first_wp_element_before_judging_the_file(tmp_path):
    # No wxr_version, no authors: the third item holds the first wp: element.
    plain = "<item><title>{}</title><guid>urn:{}</guid></item>\n"
    head = HEAD.replace("<wp:wxr_version>1.2</wp:wxr_version>", "")
    head = head[: head.index("  <wp:author>")]
    path = tmp_path / "late.xml"
    path.write_text(
        head
        + plain.format("Plain", 1)
        + plain.format("Also", 2)
        + item_xml(3)
        + "</channel></rss>",
        encoding="utf-8",
    )
    import_wxr(str(path))
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Also",
        "Generated post 3",
        "Plain",
    ]


# --- Files that are no WordPress export ------------------------------------

OTHER_PLATFORM_RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Another platform</title><link>https://other.example/</link>
<item><title>One</title><link>https://other.example/1</link>
<dc:creator>someone</dc:creator><description>Text</description></item>
<item><title>Two</title><link>https://other.example/2</link></item>
</channel></rss>"""

NOT_WORDPRESS = {
    "rss of another platform": (OTHER_PLATFORM_RSS, "no wp: elements"),
    "rss without items": ("<rss><channel><title>t</title></channel></rss>", "no wp:"),
    "atom": (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry>'
        "</feed>",
        r"<\{http://www.w3.org/2005/Atom\}feed> is not RSS",
    ),
    "other xml": ('<?xml version="1.0"?><data><row>1</row></data>', "<data> is not"),
    "html": (
        "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>x</title></head>"
        "<body><p>Hello<br></body></html>",
        "<html> is not RSS",
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not XML"),
    "empty": ("", "not XML"),
}


@pytest.mark.parametrize("kind", NOT_WORDPRESS)
def test_import_refuses_a_file_that_is_no_wordpress_export(tmp_path, kind):
    content, message = NOT_WORDPRESS[kind]
    path = tmp_path / "file"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=f"not a WordPress export.*{message}"):
        import_wxr(str(path))
    assert not Post.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Category.objects.exists()


# --- Items that share a wp:post_id -----------------------------------------


def test_import_keeps_two_items_with_the_same_post_id_as_two_posts():
    out, _ = import_wxr(MERGED)
    assert out.startswith("Imported 4 post(s), 6 comment(s)")
    posts = Post.objects.order_by("published_at")
    assert [(p.wp_id, p.title, p.slug) for p in posts] == [
        (1, "Hello world!", "hello-world"),
        (5, "Alpha", "alpha"),
        (1, "Hello world!", "hello-world-1"),
        (5, "Beta", "beta"),
    ]


def test_import_warns_about_each_item_whose_post_id_is_taken():
    _, err = import_wxr(MERGED)
    assert (
        "Post 1 “Hello world!”: another post has the same wp:post_id; "
        "imported as a post of its own."
    ) in err
    assert "Post 5 “Beta”: another post has the same wp:post_id" in err
    assert "Post 5 “Alpha”" not in err


def test_import_gives_each_post_sharing_an_id_its_own_comments():
    import_wxr(MERGED)
    blog_a, blog_b = Post.objects.filter(wp_id=1).order_by("published_at")
    assert thread(blog_a) == [
        ("Hi, this is a comment on blog A.", 0),
        ("A reply on blog A.", 1),
    ]
    assert thread(blog_b) == [
        ("Hi, this is a comment on blog B.", 0),
        ("A reply on blog B.", 1),
        ("A reply to the reply on blog B.", 2),
    ]
    assert thread(Post.objects.get(title="Beta")) == [("First on Beta.", 0)]
    assert tree_checks.find_problems() == []


def test_import_of_a_merged_export_again_imports_nothing():
    import_wxr(MERGED)
    before = snapshot()
    out, err = import_wxr(MERGED)
    assert out.startswith("Imported 0 post(s) (4 already there), 0 comment(s) (6 ")
    assert "another post has the same wp:post_id" not in err
    assert snapshot() == before


def test_import_keeps_an_item_repeated_word_for_word_as_posts_of_their_own(tmp_path):
    same = item_xml(9, comment_xml(1) + comment_xml(2, 1))
    path = write_wxr(tmp_path / "thrice.xml", same, same, same)
    import_wxr(path)
    assert Post.objects.filter(wp_id=9).count() == 3
    assert Comment.objects.count() == 6
    before = snapshot()
    out, _ = import_wxr(path)
    assert out.startswith("Imported 0 post(s) (3 already there)")
    assert snapshot() == before


def test_import_adds_the_new_comments_of_a_post_that_shares_its_id(tmp_path):
    first, second = item_xml(1, title="One"), item_xml(1, title="Two")
    import_wxr(write_wxr(tmp_path / "a.xml", first, second))
    later = item_xml(1, comment_xml(7), title="Two")
    out, _ = import_wxr(write_wxr(tmp_path / "b.xml", first, later))
    assert "0 post(s) (2 already there), 1 comment(s)" in out
    assert Comment.objects.get().post.title == "Two"


def test_import_keeps_another_blogs_post_with_a_taken_id_apart(tmp_path):
    import_wxr(BLOG)
    other = item_xml(101, comment_xml(500), title="Other blog")
    path = write_wxr(tmp_path / "other.xml", other)
    _, err = import_wxr(path)
    assert "Post 101 “Other blog”: another post has the same wp:post_id" in err
    mine, theirs = Post.objects.filter(wp_id=101).order_by("pk")
    assert (mine.title, theirs.title) == ("Hello world", "Other blog")
    assert not mine.comments.filter(wp_id=500).exists()
    assert theirs.comments.get().wp_id == 500
    out, _ = import_wxr(path)
    assert out.startswith("Imported 0 post(s) (1 already there)")


# --- Messy comments ---------------------------------------------------------


def messy_comments() -> dict[int, Comment]:
    return {c.wp_id: c for c in Comment.objects.filter(post__wp_id=70)}


def test_import_takes_every_messy_comment():
    out, _ = import_wxr(MESSY)
    assert out.startswith("Imported 1 post(s), 5 comment(s)")
    assert set(messy_comments()) == {71, 72, 73, 74, 75}


def test_import_trims_whitespace_and_newlines_around_addresses():
    import_wxr(MESSY)
    comments = messy_comments()
    assert comments[71].author_email == "wendy@example.com"
    assert comments[72].author_email == "nina@example.com"
    assert comments[73].author_email == "abe@example.com"


def test_import_takes_a_comment_without_a_type_as_a_comment():
    out, _ = import_wxr(MESSY)
    assert messy_comments()[71].status == Comment.Status.APPROVED
    assert "pingback" not in out


def test_import_dates_a_comment_without_a_date_with_its_post():
    import_wxr(MESSY)
    comments = messy_comments()
    published = Post.objects.get(wp_id=70).published_at
    assert published == datetime(2019, 6, 1, 8, 0, tzinfo=UTC)
    assert comments[72].created_at == published
    assert comments[74].created_at == published
    assert comments[72].parent == comments[71]


def test_import_approves_a_comment_without_an_approval_status():
    _, err = import_wxr(MESSY)
    comments = messy_comments()
    assert comments[73].status == Comment.Status.APPROVED
    assert comments[74].status == Comment.Status.APPROVED
    assert comments[75].status == Comment.Status.PENDING  # "0" still holds it
    assert (
        "Post 70: comments 73, 74 have no approval status; imported as approved."
        in (err)
    )


def test_import_reuses_comment_ids_across_posts():
    import_wxr(MESSY)
    import_wxr(MERGED)
    assert Comment.objects.filter(wp_id=1).count() == 3
    assert Comment.objects.filter(wp_id=71).count() == 1


def test_import_finds_posts_imported_before_keys_by_their_id():
    import_wxr(BLOG)
    keys = dict(Post.objects.values_list("pk", "wp_key"))
    Post.objects.update(wp_key="")  # as migration 0011 leaves earlier imports
    out, _ = import_wxr(BLOG)
    assert out.startswith("Imported 0 post(s) (9 already there), 0 comment(s)")
    assert dict(Post.objects.values_list("pk", "wp_key")) == keys


def test_import_takes_an_item_with_an_empty_post_type_as_a_post(tmp_path):
    item = item_xml(8).replace("<wp:post_type>post</wp:post_type>", "<wp:post_type/>")
    import_wxr(write_wxr(tmp_path / "a.xml", item))
    assert Post.objects.get().wp_id == 8
