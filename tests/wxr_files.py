"""WordPress exports for tests: small ones in tests/fixtures/, big ones generated.

The theme unit test export lives in ../shared (never copied here; from a git
worktree, the nearest shared/ above); tests that read it skip with a reason
when it is absent.
"""

from pathlib import Path

from django.conf import settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORDPRESS_DATA = Path("shared", "data", "wordpress")


def shared_wordpress_file(name: str) -> Path:
    """The file in ../shared/data/wordpress/, or in the nearest folder above that
    has one (a git worktree sits a level deeper than the main checkout)."""
    base = Path(settings.BASE_DIR).resolve()
    for folder in base.parents:
        if (folder / WORDPRESS_DATA / name).is_file():
            return folder / WORDPRESS_DATA / name
    return base.parent / WORDPRESS_DATA / name


THEME_UNIT_TEST = shared_wordpress_file("themeunittestdata.wordpress.xml")

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Generated</title>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login>gen</wp:author_login></wp:author>
"""


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def comment_xml(wp_id: int, parent: int = 0, *, body: str = "", approved="1") -> str:
    body = body or f"Comment number {wp_id}."
    return f"""<wp:comment>
  <wp:comment_id>{wp_id}</wp:comment_id>
  <wp:comment_author><![CDATA[Reader {wp_id}]]></wp:comment_author>
  <wp:comment_author_email>reader{wp_id}@example.com</wp:comment_author_email>
  <wp:comment_date_gmt>2020-01-01 00:{wp_id % 60:02d}:00</wp:comment_date_gmt>
  <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
  <wp:comment_approved>{approved}</wp:comment_approved>
  <wp:comment_parent>{parent}</wp:comment_parent>
</wp:comment>
"""


def item_xml(wp_id: int, comments: str = "", *, body: str = "", title="") -> str:
    return f"""<item>
  <title>{title or f"Generated post {wp_id}"}</title>
  <dc:creator>gen</dc:creator>
  <content:encoded><![CDATA[{body or f"Body of post {wp_id}."}]]></content:encoded>
  <wp:post_id>{wp_id}</wp:post_id>
  <wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>
  <wp:post_name>generated-{wp_id}</wp:post_name>
  <wp:status>publish</wp:status>
  <wp:post_type>post</wp:post_type>
  <wp:comment_status>open</wp:comment_status>
{comments}</item>
"""


def wxr_document(*items: str) -> str:
    return HEAD + "".join(items) + "</channel>\n</rss>\n"


def write_wxr(path: Path, *items: str) -> str:
    path.write_text(wxr_document(*items), encoding="utf-8")
    return str(path)


def write_large_wxr(path: Path, *, posts: int, comments: int = 5) -> str:
    """Write `posts` posts of ~4 kB, each with `comments` comments in a chain.

    Written piece by piece, so making a big file takes little memory either.
    """
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for post in range(1, posts + 1):
            first = post * 1000
            thread = "".join(
                comment_xml(first + i, first + i - 1 if i else 0, body=paragraph)
                for i in range(comments)
            )
            out.write(item_xml(post, thread, body=f"{paragraph}\n\n" * 5))
        out.write("</channel>\n</rss>\n")
    return str(path)
