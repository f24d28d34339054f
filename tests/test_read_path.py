"""The thread read path's seams: the layout in the cache key and ETag, pages
that do not exist, and the rules that each have one owner (issue 13)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Comment, ThreadRow, display_name
from forum.thread_html import ThreadLayout
from forum.thread_pages import NoSuchPage, Place, load_slice
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


def _chain(post, length):
    """A comment with `length` - 1 nested replies, each answering the last."""
    parent = None
    for _ in range(length):
        parent = make_comment(post=post, parent=parent)
    return parent


# ThreadLayout: one object for the settings that change the thread's HTML.


def test_layout_reads_every_setting_that_changes_the_thread(settings):
    settings.COMMENTS_PER_PAGE = 7
    settings.COMMENTS_ORDER = "newest"
    settings.COMMENT_DISPLAY_DEPTH = 3
    settings.AVATARS = "gravatar"
    settings.COMMENT_EDIT_MINUTES = 4
    layout = ThreadLayout.from_settings()
    assert (layout.per_page, layout.newest_first, layout.display_depth) == (7, True, 3)
    assert (layout.avatars, layout.edit_minutes) == ("gravatar", 4)


def test_a_layout_change_gives_the_page_a_new_etag(client, settings):
    post = make_post()
    _chain(post, 3)
    url = post.get_absolute_url()
    client.get(url)  # the CSRF cookie, part of the ETag
    first = client.get(url)
    settings.COMMENT_DISPLAY_DEPTH = 2
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_layout_change_renders_the_cached_thread_anew(client, settings):
    post = make_post()
    _chain(post, 3)
    url = post.get_absolute_url()
    assert not soup(client.get(url)).select(".continue-thread")  # now cached
    settings.COMMENT_DISPLAY_DEPTH = 2
    assert soup(client.get(url)).select(".continue-thread")


def test_comments_order_setting_reorders_the_cached_thread(client, settings):
    post = make_post()
    older, newer = make_comment(post=post), make_comment(post=post)
    url = post.get_absolute_url()

    def order():
        return [li["id"] for li in soup(client.get(url)).select("li.depth-1")]

    assert order() == [f"comment-{older.pk}", f"comment-{newer.pk}"]
    settings.COMMENTS_ORDER = "newest"
    assert order() == [f"comment-{newer.pk}", f"comment-{older.pk}"]


# Pages: NoSuchPage in the pages module, 404 from the views.


def test_load_slice_raises_no_such_page_past_the_last_page(settings):
    settings.COMMENTS_PER_PAGE = 2
    post = make_post()
    make_comment(post=post)
    layout = ThreadLayout.from_settings()
    with pytest.raises(NoSuchPage):
        load_slice(post, Place(page=2), frozenset(), layout)


def test_an_unpaginated_thread_has_no_second_page(settings):
    settings.COMMENTS_PER_PAGE = 0
    post = make_post()
    with pytest.raises(NoSuchPage):
        load_slice(post, Place(page=2), frozenset(), ThreadLayout.from_settings())


def test_a_page_past_the_last_is_404(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    post = make_post()
    make_comment(post=post)
    url = reverse("forum:post-comments-page", kwargs={"slug": post.slug, "page": 3})
    assert client.get(url).status_code == 404


def test_thread_rows_are_named(settings):
    post = make_post()
    comment = make_comment(post=post, author_name="Ana")
    (row,) = Comment.objects.for_post(post).thread_rows()
    assert isinstance(row, ThreadRow)
    assert (row.pk, row.parent_id, row.author_name) == (comment.pk, None, "Ana")


# Login to comment: the service refuses too, not only the view.


def test_comment_submit_refuses_a_guest_where_login_is_required(settings):
    settings.COMMENT_REQUIRE_LOGIN = True
    post = make_post()
    with pytest.raises(services.LoginRequired):
        services.comment_submit(
            post=post,
            body="Hello",
            parent_id=None,
            author_name="Guest",
            author_email="guest@example.com",
        )
    assert not Comment.objects.filter(post=post).exists()


def test_comment_submit_takes_a_signed_in_reader_where_login_is_required(settings):
    settings.COMMENT_REQUIRE_LOGIN = True
    settings.COMMENT_HOLD_FIRST = False
    post = make_post()
    user = make_user(email="member@example.com")
    comment = services.comment_submit(
        post=post, body="Hello", parent_id=None, user=user
    )
    assert comment.user == user


# One owner per rule on Comment and in models.


def test_contact_email_is_the_account_address_for_a_member():
    post = make_post()
    user = make_user(email="member@example.com")
    comment = make_comment(post=post, user=user, author_email="typed@example.com")
    assert comment.contact_email == "member@example.com"


def test_contact_email_is_the_address_given_for_a_guest():
    comment = make_comment(post=make_post(), author_email="guest@example.com")
    assert comment.contact_email == "guest@example.com"


def test_display_name_is_the_full_name_else_the_login():
    assert display_name(make_user(username="ana", first_name="Ana", last_name="B")) == (
        "Ana B"
    )
    assert display_name(make_user(username="bo")) == "bo"


def test_post_page_names_its_author_by_display_name(client):
    author = make_user(username="ana-login", first_name="Ana", last_name="Lopez")
    post = make_post(author=author)
    assert soup(client.get(post.get_absolute_url())).select_one(
        ".entry-meta .author"
    ).get_text() == ("Ana Lopez")


def test_edit_window_closes_edit_minutes_after_posting(settings):
    settings.COMMENT_EDIT_MINUTES = 10
    comment = make_comment(post=make_post())
    assert comment.editable_until == comment.created_at + timedelta(minutes=10)
    assert comment.is_changeable()


def test_a_comment_past_its_edit_window_is_not_changeable(settings):
    settings.COMMENT_EDIT_MINUTES = 10
    comment = make_comment(
        post=make_post(), created_at=timezone.now() - timedelta(minutes=11)
    )
    assert comment.has_changeable_status
    assert not comment.is_changeable()


def test_a_removed_comment_is_not_changeable_in_its_window():
    comment = make_comment(post=make_post(), status=Comment.Status.REMOVED)
    assert not comment.has_changeable_status
    assert not comment.is_changeable()


def test_moderator_edit_changes_fields_and_status_in_one_service(moderator):
    comment = make_comment(post=make_post(), body="Before")
    services.comment_moderator_edit(
        comment=comment,
        fields={"body": "After", "status": Comment.Status.PENDING},
        moderator=moderator,
    )
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("After", Comment.Status.PENDING)
    assert comment.status_changes.filter(reason="changed on its admin page").exists()
