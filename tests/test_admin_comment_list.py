"""How the admin shows comments: the list's cells, titles, and the site's name.

As a moderator (tests/admin_client.py). How the list looks in a browser (its
width at 1280 px, bold text drawn bold) is in tests/test_browser_admin.py.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Comment, CommentReport, Subscription
from forum.services import notifications
from tests.admin_client import CHANGELIST, act, change_url, row
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    """Moderators don't see subscriptions: a superuser looks at those lists."""
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def cell(response, comment, name):
    return row(response, comment).select_one(f".field-{name}")


# --- The comment list -----------------------------------------------------------------


def test_changelist_has_text_author_post_status_and_date_columns(mod):
    make_comment(post=make_post())
    headers = soup(mod.get(CHANGELIST)).select("#result_list thead th")
    assert [th["class"][-1] for th in headers] == [
        "action-checkbox-column",
        "column-excerpt",
        "column-author",
        "column-where",
        "column-status",
        "column-votes",
        "column-created_at",
    ]


def test_changelist_author_cell_holds_name_email_and_ip(mod):
    comment = make_comment(
        post=make_post(),
        author_name="Ben Reader",
        author_email="ben@example.com",
        ip_address="198.51.100.4",
    )
    author = cell(mod.get(CHANGELIST), comment, "author")
    assert [span.get_text() for span in author.select("span")] == [
        "Ben Reader",
        "ben@example.com",
        "198.51.100.4",
    ]


def test_changelist_post_cell_names_the_post_and_the_parents_author(mod):
    post = make_post(title="Frontline report")
    root = make_comment(post=post, author_name="Ada")
    reply = make_comment(post=post, parent=root)
    response = mod.get(CHANGELIST)
    where = cell(response, reply, "where")
    assert where.get_text(" ", strip=True) == "Frontline report in reply to Ada"
    assert where.a["href"] == f"{CHANGELIST}?post__id__exact={post.pk}"
    assert cell(response, root, "where").get_text(strip=True) == "Frontline report"


def test_changelist_date_opens_the_comment(mod):
    comment = make_comment(post=make_post())
    date = cell(mod.get(CHANGELIST), comment, "created_at")
    assert date.a["href"].startswith(change_url(comment))
    assert str(comment.created_at.year) in date.get_text()


def test_changelist_shows_comment_text_as_readers_see_it(mod):
    comment = make_comment(post=make_post(), body="Some **raw** words\n\n> quoted")
    excerpt = cell(mod.get(CHANGELIST), comment, "excerpt")
    assert excerpt.select_one("strong").get_text() == "raw"
    assert excerpt.select_one("blockquote").get_text(strip=True) == "quoted"
    assert "**" not in excerpt.get_text()


def test_changelist_cuts_long_text_short_and_closes_its_tags(mod):
    comment = make_comment(post=make_post(), body=f"**{'word ' * 199}word**")
    excerpt = cell(mod.get(CHANGELIST), comment, "excerpt")
    text = excerpt.select_one("strong").get_text()
    assert len(text) <= 300
    assert text.endswith("…")


def test_changelist_shows_a_script_in_a_body_as_text(mod):
    comment = make_comment(post=make_post(), body="<script>alert(1)</script>")
    excerpt = cell(mod.get(CHANGELIST), comment, "excerpt")
    assert excerpt.select("script") == []
    assert excerpt.get_text(strip=True) == "<script>alert(1)</script>"


def test_changelist_sanitizes_html_stored_by_other_means(mod):
    comment = make_comment(post=make_post())
    Comment.objects.filter(pk=comment.pk).update(
        body_html='<p onclick="x()">Hi</p><script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">link</a>'
    )
    excerpt = cell(mod.get(CHANGELIST), comment, "excerpt")
    assert excerpt.select("script, img, [onclick]") == []
    assert excerpt.a.get("href") is None
    assert excerpt.get_text(strip=True) == "Hilink"


@pytest.fixture
def chain():
    """A post with a chain of eight comments, each replying to the one before."""
    post = make_post()
    comments = [make_comment(post=post)]
    for _ in range(7):
        comments.append(make_comment(post=post, parent=comments[-1]))
    return post, comments


def test_changelist_marks_depth_capped_at_six(mod, chain):
    post, comments = chain
    response = mod.get(CHANGELIST, {"post__id__exact": post.pk})
    depths = [
        cell(response, c, "excerpt").select_one(".comment-excerpt")["class"][-1]
        for c in comments
    ]
    assert depths == [f"depth-{n}" for n in (0, 1, 2, 3, 4, 5, 6, 6)]


@pytest.mark.parametrize(
    ("query", "as_threads"),
    [
        ({}, False),
        ({"post__id__exact": "{post}"}, True),
        ({"post__id__exact": "{post}", "o": "5"}, False),
        ({"post__id__exact": "{post}", "status__exact": "pending"}, False),
    ],
)
def test_changelist_indents_replies_only_when_it_reads_as_threads(
    mod, chain, query, as_threads
):
    post, comments = chain
    query = {k: v.format(post=post.pk) for k, v in query.items()}
    body = soup(mod.get(CHANGELIST, query)).body
    assert ("comments-as-threads" in body["class"]) is as_threads


def test_changelist_has_no_navigation_sidebar(mod):
    assert soup(mod.get(CHANGELIST)).select("#nav-sidebar") == []


# --- Naming a comment -----------------------------------------------------------------


def test_comment_is_named_by_its_author_and_post_title():
    post = make_post(title="Frontline report")
    comment = make_comment(post=post, author_name="Ada", body="**raw** >")
    assert str(comment) == "Ada on Frontline report"


def test_comment_change_page_title_names_author_and_post(mod):
    comment = make_comment(post=make_post(title="Frontline report"), author_name="Ada")
    page = soup(mod.get(change_url(comment)))
    assert page.select_one("#content h2").get_text() == "Ada on Frontline report"
    assert page.title.get_text().startswith("Ada on Frontline report | ")


def test_admin_history_names_the_comment_by_author_and_post(mod):
    comment = make_comment(post=make_post(title="Frontline report"), author_name="Ada")
    act(mod, "remove_comments", [comment])
    entry = LogEntry.objects.get(object_id=str(comment.pk))
    assert entry.object_repr == "Ada on Frontline report"


def list_queries(client, url) -> int:
    client.get(url)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def report_on_new_posts(count: int) -> None:
    for n in range(count):
        comment = make_comment(post=make_post())
        services.comment_report(
            comment=comment, reason="spam", ip_address=f"192.0.2.{n + 1}"
        )


def test_report_list_queries_do_not_grow_with_the_comments_posts(superuser_client):
    url = reverse("admin:forum_commentreport_changelist")
    report_on_new_posts(1)
    one = list_queries(superuser_client, url)
    report_on_new_posts(5)
    assert CommentReport.objects.count() == 6
    assert list_queries(superuser_client, url) == one


def subscribe_on_new_posts(count: int) -> None:
    for _ in range(count):
        comment = make_comment(post=make_post())
        notifications.subscribe(comment=comment, replies=True, whole_post=False)


def test_subscription_list_queries_do_not_grow_with_the_comments_posts(
    superuser_client,
):
    url = reverse("admin:forum_subscription_changelist")
    subscribe_on_new_posts(1)
    one = list_queries(superuser_client, url)
    subscribe_on_new_posts(5)
    assert Subscription.objects.count() == 6
    assert list_queries(superuser_client, url) == one


# --- The site's name ------------------------------------------------------------------


def test_admin_header_and_tab_title_name_the_site(mod, settings):
    settings.SITE_NAME = "Dispatches"
    page = soup(mod.get(reverse("admin:index")))
    assert page.select_one("#site-name").get_text(strip=True) == "Dispatches moderation"
    assert page.title.get_text() == "Moderation and content | Dispatches moderation"
