"""Posting a comment that goes in: its permalink, its place in the thread, its cost."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.models import Comment
from tests.commenting import URL, URLENCODED, submit
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


def test_comment_redirects_to_its_permalink(client, relaxed_posting, guests_trusted):
    post = make_post()
    response = submit(client, post, comment="Hello there.", url="anna.example")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.body, comment.author_name, comment.author_email) == (
        "Hello there.",
        "Anna Reader",
        "anna@example.com",
    )
    assert comment.author_url == "https://anna.example"
    assert comment.ip_address == "127.0.0.1"


def test_reply_appears_nested_under_its_parent(client, relaxed_posting, guests_trusted):
    post = make_post()
    root = make_comment(post=post)
    other = make_comment(post=post)
    submit(client, post, comment_parent=str(root.pk))
    reply = Comment.objects.get(parent=root)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{root.pk} > ol.children > #comment-{reply.pk}")
    assert not page.select_one(f"#comment-{other.pk} #comment-{reply.pk}")


def test_new_top_level_comment_appears_last(client, relaxed_posting, guests_trusted):
    post = make_post()
    first, second = make_comment(post=post), make_comment(post=post)
    make_comment(post=post, parent=first)
    submit(client, post)
    new = Comment.objects.latest("pk")
    page = soup(client.get(post.get_absolute_url()))
    top = [li["id"] for li in page.select("ol.comment-list > li")]
    assert top == [f"comment-{c.pk}" for c in (first, second, new)]


def test_browser_round_trip_with_csrf_and_a_urlencoded_form(
    relaxed_posting, guests_trusted
):
    browser = Client(enforce_csrf_checks=True)
    post = make_post()
    form = soup(browser.get(post.get_absolute_url())).select_one("#commentform")
    data = {field["name"]: field.get("value", "") for field in form.select("input")}
    del data["cookies_consent"]
    data.update(comment="Hello from a browser", author="Anna", email="a@example.com")
    response = browser.post(form["action"], urlencode(data), content_type=URLENCODED)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = soup(browser.get(post.get_absolute_url()))
    shown = page.select_one(f"#comment-{comment.pk} .comment-content").get_text()
    assert shown.strip() == "Hello from a browser"


def test_logged_in_users_comment_uses_their_name(
    client, relaxed_posting, guests_trusted
):
    user = make_user(first_name="Eda", last_name="Tor", email="eda@example.com")
    client.force_login(user)
    post = make_post()
    data = {k: v for k, v in comment_data(post).items() if k not in {"author", "email"}}
    assert client.post(URL, data).status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name, comment.author_email) == (
        user,
        "Eda Tor",
        "eda@example.com",
    )


def test_logged_in_user_with_a_long_name_can_comment(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="long", password="pw", first_name="A" * 80, last_name="B" * 80
    )
    client.force_login(user)
    post = make_post()
    data = comment_data(post)
    del data["author"], data["email"]
    assert client.post("/comments/post/", data).status_code == 302
    assert len(Comment.objects.get().author_name) == 100


def _reply_queries(client, comments: int) -> int:
    post = make_post()
    parent = make_comment(post=post)
    for _ in range(comments - 1):
        make_comment(post=post, parent=parent)
    data = comment_data(post, comment_parent=str(parent.pk))
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/comments/post/", data).status_code == 302
    return len(queries)


def test_posting_a_reply_costs_the_same_queries_in_a_big_thread(
    client, relaxed_posting
):
    small = _reply_queries(Client(), 3)
    big = _reply_queries(Client(), 200)
    assert small == big
    assert small <= 20
