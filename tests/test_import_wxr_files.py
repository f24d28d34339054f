"""import_wxr and files: streaming, memory, broken files, progress, tree ids."""

import gc
import re
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from forum import tree_checks
from forum.models import TREE_ID_SEQUENCE, Comment, Post
from forum.wordpress import wxr
from forum.wordpress.importing import ImportReport, wxr_import
from tests.factories import make_comment
from tests.wxr_files import comment_xml, item_xml, write_large_wxr, write_wxr

pytestmark = pytest.mark.django_db


class Terminal(StringIO):
    def isatty(self):
        return True


def test_import_drops_control_characters_that_xml_forbids(tmp_path):
    path = tmp_path / "control.xml"
    write_wxr(path, item_xml(1, comment_xml(1, body="Bell\x07 and tab\x0b here.")))
    out = StringIO()
    call_command("import_wxr", str(path), stdout=out, stderr=StringIO())
    assert Comment.objects.get().body == "Bell and tab here."
    assert "Dropped 2 control character(s) XML does not allow." in out.getvalue()


def test_import_refuses_a_file_that_is_not_a_wordpress_export(tmp_path):
    path = tmp_path / "atom.xml"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    with pytest.raises(CommandError, match=r"not a WordPress export: <\{.*\}feed>"):
        call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())


def test_import_refuses_plain_rss_without_wordpress_data(tmp_path):
    path = tmp_path / "rss.xml"
    path.write_text("<rss><channel><item><title>t</title></item></channel></rss>")
    with pytest.raises(CommandError, match="no wp: elements"):
        call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())


def test_import_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_wxr", str(tmp_path / "nope.xml"))


def test_import_stops_at_broken_xml_keeping_the_posts_before_it(tmp_path):
    path = tmp_path / "cut.xml"
    write_wxr(path, item_xml(1), item_xml(2), item_xml(3))
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("<wp:post_id>3")] + "<wp:post_id>3<oops")
    out = StringIO()
    with pytest.raises(CommandError, match=r"broken XML: .*line \d+"):
        call_command("import_wxr", str(path), stdout=out, stderr=StringIO())
    assert sorted(Post.objects.values_list("wp_id", flat=True)) == [1, 2]
    assert out.getvalue().startswith("Imported 2 post(s)")


def test_import_draws_a_progress_bar_on_a_terminal(tmp_path):
    path = write_wxr(tmp_path / "a.xml", item_xml(1), item_xml(2))
    out = Terminal()
    call_command("import_wxr", path, stdout=out, stderr=StringIO())
    assert re.search(r"\r\[#* *\] +\d+%  1 items", out.getvalue())


def test_import_draws_no_progress_bar_into_a_file_or_pipe(tmp_path):
    path = write_wxr(tmp_path / "a.xml", item_xml(1), item_xml(2))
    out = StringIO()
    call_command("import_wxr", path, stdout=out, stderr=StringIO())
    assert "\r" not in out.getvalue()
    assert "[" not in out.getvalue()


def _peak_while(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _read_all(path) -> None:
    with open(path, "rb") as raw:
        for _ in wxr.read(wxr.Source(raw)):
            pass


def test_reading_a_big_export_takes_no_more_memory_than_a_small_one(tmp_path):
    small = write_large_wxr(tmp_path / "small.xml", posts=100)
    big = write_large_wxr(tmp_path / "big.xml", posts=800)
    small_peak = _peak_while(lambda: _read_all(small))
    big_peak = _peak_while(lambda: _read_all(big))
    size = (tmp_path / "big.xml").stat().st_size
    assert size > 5_000_000
    assert big_peak < small_peak * 1.25
    assert big_peak < size / 10


def test_importing_post_after_post_keeps_memory_flat(tmp_path):
    path = write_large_wxr(tmp_path / "big.xml", posts=60)
    samples = []

    def sample():  # every 20 posts, the memory still in use
        if Post.objects.count() % 20 == 0:
            gc.collect()
            samples.append(tracemalloc.get_traced_memory()[0])

    tracemalloc.start()
    try:
        with open(path, "rb") as raw:
            wxr_import(wxr.Source(raw), report=ImportReport(warn=print), on_item=sample)
    finally:
        tracemalloc.stop()
    assert len(samples) == 3
    # 40 posts (about 320 kB of XML) went in between the first and last sample.
    assert samples[-1] - samples[0] < 32 * 1024, samples


def test_imported_trees_take_their_ids_from_the_allocator(tmp_path):
    path = write_wxr(
        tmp_path / "a.xml",
        item_xml(1, comment_xml(1) + comment_xml(2, 1)),
        item_xml(2, comment_xml(3) + comment_xml(4)),
    )
    call_command("import_wxr", path, stdout=StringIO(), stderr=StringIO())
    imported = set(Comment.objects.values_list("tree_id", flat=True))
    assert len(imported) == 3
    later = make_comment(post=Post.objects.get(wp_id=2))
    assert later.tree_id not in imported
    assert tree_checks.find_problems() == []


@pytest.mark.postgresql
def test_the_tree_id_sequence_stays_ahead_of_imported_trees(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the tree id sequence exists on PostgreSQL only")
    path = write_wxr(tmp_path / "a.xml", item_xml(1, comment_xml(1) + comment_xml(2)))
    call_command("import_wxr", path, stdout=StringIO(), stderr=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM " + TREE_ID_SEQUENCE)
        (last,) = cursor.fetchone()
    assert last >= max(Comment.objects.values_list("tree_id", flat=True))
