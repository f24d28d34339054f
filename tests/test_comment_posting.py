"""Posting a comment through the real views: the form, success, bad input."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import Comment, Post
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

URL = "/comments/post/"
URLENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def trusting(settings):
    """Approve guests' first comments and drop flood control."""
    settings.COMMENT_HOLD_FIRST = False
    settings.COMMENT_FLOOD_SECONDS = 0


def submit(client, post, meta=None, **overrides):
    """Post the comment form; `meta` holds request headers and REMOTE_ADDR."""
    return client.post(URL, comment_data(post, **overrides), **(meta or {}))


def field_error(response, field: str) -> str:
    error = soup(response).select_one(
        f"#commentform .comment-form-{field} .field-error"
    )
    return error.get_text(" ", strip=True) if error else ""


def form_error(response) -> str:
    errors = soup(response).select_one("#commentform .form-errors")
    return errors.get_text(" ", strip=True) if errors else ""


def kept_text(response) -> str:
    """The comment text re-rendered in the form's textarea."""
    textarea = soup(response).select_one("#commentform textarea[name=comment]")
    return textarea.get_text().removeprefix("\n")


# --- The form ---------------------------------------------------------------


def test_post_page_has_one_form_with_wordpress_field_names(client):
    post = make_post()
    page = soup(client.get(post.get_absolute_url()))
    [form] = page.select("form#commentform")
    assert (form["method"], form["action"]) == ("post", URL)
    names = {field["name"] for field in form.select("[name]")}
    assert {"comment", "author", "email", "url", "comment_parent"} <= names
    assert form.select_one("[name=comment_parent]")["value"] == "0"
    assert form.select_one("[name=comment_post_ID]")["value"] == str(post.pk)
    assert (
        page.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Leave a Reply")
    )


def test_logged_in_user_is_not_asked_for_name_or_email(client):
    client.force_login(make_user(first_name="Eda", last_name="Tor"))
    form = soup(client.get(make_post().get_absolute_url())).select_one("#commentform")
    names = {field["name"] for field in form.select("[name]")}
    assert not names & {"author", "email", "url", "cookies_consent"}
    assert "Logged in as Eda Tor." in form.get_text()


def test_reply_link_points_to_replytocom_without_javascript(client):
    post = make_post()
    comment = make_comment(post=post)
    link = soup(client.get(post.get_absolute_url())).select_one(".comment-reply-link")
    assert link["href"] == f"{post.get_absolute_url()}?replytocom={comment.pk}#respond"


def test_replytocom_renders_the_one_form_under_that_comment(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    make_comment(post=post)
    page = soup(client.get(f"{post.get_absolute_url()}?replytocom={anna.pk}"))
    assert len(page.select("form#commentform")) == 1
    respond = page.select_one(f"li#comment-{anna.pk} > #respond")
    assert respond.select_one("#reply-title").get_text(" ", strip=True) == (
        "Reply to Anna Cancel reply"
    )
    cancel = respond.select_one("#cancel-comment-reply-link")
    assert cancel["href"] == f"{post.get_absolute_url()}#respond"
    assert not cancel.has_attr("hidden")
    assert respond.select_one("[name=comment_parent]")["value"] == str(anna.pk)


def test_replytocom_an_unapproved_comment_leaves_the_form_at_the_bottom(client):
    post = make_post()
    held = make_comment(post=post, status=Comment.Status.PENDING)
    page = soup(client.get(f"{post.get_absolute_url()}?replytocom={held.pk}"))
    assert page.select_one("#comments > #respond #commentform")
    assert page.select_one("[name=comment_parent]")["value"] == "0"


# --- Success ----------------------------------------------------------------


def test_comment_redirects_to_its_permalink(client, trusting):
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


def test_reply_appears_nested_under_its_parent(client, trusting):
    post = make_post()
    root = make_comment(post=post)
    other = make_comment(post=post)
    submit(client, post, comment_parent=str(root.pk))
    reply = Comment.objects.get(parent=root)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{root.pk} > ol.children > #comment-{reply.pk}")
    assert not page.select_one(f"#comment-{other.pk} #comment-{reply.pk}")


def test_new_top_level_comment_appears_last(client, trusting):
    post = make_post()
    first, second = make_comment(post=post), make_comment(post=post)
    make_comment(post=post, parent=first)
    submit(client, post)
    new = Comment.objects.latest("pk")
    page = soup(client.get(post.get_absolute_url()))
    top = [li["id"] for li in page.select("ol.comment-list > li")]
    assert top == [f"comment-{c.pk}" for c in (first, second, new)]


def test_browser_round_trip_with_csrf_and_a_urlencoded_form(settings, trusting):
    settings.COMMENT_MIN_FILL_SECONDS = 0
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


def test_logged_in_users_comment_uses_their_name(client, trusting):
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


# --- Bad input: message beside the field, text kept, nothing stored ---------


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_or_blank_comment_is_refused(client, text):
    response = submit(client, make_post(), comment=text, author="Kept Name")
    assert response.status_code == 400
    assert field_error(response, "comment") == "Please type your comment."
    assert soup(response).select_one("[name=author]")["value"] == "Kept Name"
    assert not Comment.objects.exists()


def test_comment_over_the_length_limit_is_refused(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    response = submit(client, make_post(), comment="x" * 21)
    assert response.status_code == 400
    assert field_error(response, "comment") == (
        "Please shorten your comment to 20 characters or fewer."
    )
    assert kept_text(response) == "x" * 21
    assert not Comment.objects.exists()


def test_comment_at_the_length_limit_is_accepted(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    assert submit(client, make_post(), comment="x" * 20).status_code == 302
    assert Comment.objects.get().body == "x" * 20


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author", "", "Please enter your name."),
        ("author", "n" * 101, "Please shorten your name to 100 characters or fewer."),
        ("email", "", "Please enter your email address."),
        ("email", "anna@", "Please enter a valid email address"),
        ("url", "http://exa mple.com", "Please enter a valid web address"),
    ],
)
def test_invalid_author_details_are_refused_beside_the_field(
    client, field, value, message
):
    response = submit(client, make_post(), comment="Keep me.", **{field: value})
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    assert kept_text(response) == "Keep me."
    assert not Comment.objects.exists()


def test_invalid_reply_is_shown_again_under_the_comment_answered(client):
    post = make_post()
    anna = make_comment(post=post, author_name="Anna")
    response = submit(client, post, comment_parent=str(anna.pk), email="")
    page = soup(response)
    assert len(page.select("form#commentform")) == 1
    respond = page.select_one(f"li#comment-{anna.pk} > #respond")
    assert (
        respond.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Reply to Anna")
    )
    assert respond.select_one("[name=comment_parent]")["value"] == str(anna.pk)


def test_reply_to_a_missing_comment_is_refused(client):
    response = submit(client, make_post(), comment="Keep me.", comment_parent="999")
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert not Comment.objects.exists()


def test_refused_reply_is_offered_as_a_new_comment(client):
    response = submit(client, make_post(), comment_parent="999")
    page = soup(response)
    assert page.select_one("#comments > #respond [name=comment_parent]")["value"] == "0"
    assert (
        page.select_one("#reply-title")
        .get_text(" ", strip=True)
        .startswith("Leave a Reply")
    )


def test_reply_to_a_comment_on_another_post_is_refused(client):
    elsewhere = make_comment(post=make_post())
    response = submit(
        client, make_post(), comment="Keep me.", comment_parent=str(elsewhere.pk)
    )
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_reply_to_an_unapproved_comment_is_refused(client, status):
    post = make_post()
    held = make_comment(post=post, status=status)
    response = submit(client, post, comment="Keep me.", comment_parent=str(held.pk))
    assert response.status_code == 400
    assert form_error(response) == "The comment you are replying to is not available."
    assert kept_text(response) == "Keep me."
    assert Comment.objects.count() == 1


def test_comment_on_a_closed_post_is_refused_with_the_text_kept(client):
    post = make_post(comments_open=False)
    response = submit(client, post, comment="My forged words.")
    assert response.status_code == 403
    page = soup(response)
    assert page.select_one(".error-message").get_text() == (
        "Comments are closed on this post."
    )
    assert page.select_one("#kept-comment").get_text() == "My forged words."
    assert not Comment.objects.exists()


def test_invalid_form_on_a_closed_post_still_says_closed_and_keeps_text(client):
    post = make_post(comments_open=False)
    response = submit(client, post, comment="My words.", email="")
    assert response.status_code == 403
    assert soup(response).select_one("#kept-comment").get_text() == "My words."
    assert not Comment.objects.exists()


def test_comment_on_a_post_past_the_closing_age_is_refused(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    post = make_post(published_at=timezone.now() - timedelta(days=15))
    assert submit(client, post).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_comment_on_an_unpublished_post_is_refused(client, overrides):
    response = submit(client, make_post(**overrides), comment="Keep me.")
    assert response.status_code == 404
    page = soup(response)
    assert "not published" in page.select_one(".error-message").get_text()
    assert page.select_one("#kept-comment").get_text() == "Keep me."
    assert not Comment.objects.exists()


def test_saying_the_same_thing_twice_is_refused(client, trusting):
    post = make_post()
    submit(client, post, comment="Same words.")
    response = submit(client, post, comment="  Same words.  ")
    assert response.status_code == 400
    assert field_error(response, "comment") == "You've already said that."
    assert kept_text(response) == "  Same words.  "
    assert Comment.objects.count() == 1


def test_posting_again_within_the_flood_window_gets_a_429_page(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    submit(client, post)
    response = submit(client, post, comment="Too soon.")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15
    page = soup(response)
    assert "too quickly" in page.select_one(".error-message").get_text()
    assert page.select_one("#kept-comment").get_text() == "Too soon."
    assert Comment.objects.count() == 1


def test_flood_control_counts_per_ip(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    submit(client, post, meta={"REMOTE_ADDR": "192.0.2.1"}, email="a@example.com")
    other = submit(
        client, post, meta={"REMOTE_ADDR": "192.0.2.2"}, email="b@example.com"
    )
    assert other.status_code == 302
    assert Comment.objects.count() == 2


def test_flood_control_follows_a_logged_in_user_across_ips(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    client.force_login(make_user())
    post = make_post()
    submit(client, post, meta={"REMOTE_ADDR": "192.0.2.1"})
    assert submit(client, post, meta={"REMOTE_ADDR": "192.0.2.2"}).status_code == 429
    assert Comment.objects.count() == 1


# --- Malformed requests: a readable 400, never a 500 ------------------------


def assert_bad_request_page(response):
    assert response.status_code == 400
    assert soup(response).select_one("h1").get_text() == "Bad request"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("missing", ["comment", "comment_post_ID", "comment_parent"])
def test_missing_fields_get_a_400_page(client, missing):
    data = comment_data(make_post())
    del data[missing]
    assert_bad_request_page(client.post(URL, data))


def test_an_empty_post_gets_a_400_page(client):
    assert_bad_request_page(client.post(URL, {}))


@pytest.mark.parametrize("field", ["comment_parent", "comment_post_ID"])
@pytest.mark.parametrize("value", ["abc", "", "-1", "1.5", "1; DROP TABLE", "9" * 30])
def test_non_numeric_ids_get_a_400_page(client, field, value):
    response = client.post(URL, comment_data(make_post(), **{field: value}))
    assert_bad_request_page(response)


def test_a_body_over_the_upload_limit_gets_a_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = comment_data(make_post(), comment="x" * 20_000)
    assert_bad_request_page(client.post(URL, data))


@pytest.mark.parametrize("garbage", [b"%FF%FE%00", b"\xff\xfe", b"caf\xe9", b"%C3"])
def test_invalid_utf8_gets_a_400_page(client, garbage):
    post = make_post()
    body = (
        f"comment_post_ID={post.pk}&comment_parent=0&author=A&email=a%40example.com"
        f"&form_token={comment_data(post)['form_token']}&comment="
    ).encode() + garbage
    response = client.post(URL, body, content_type=URLENCODED)
    assert_bad_request_page(response)


def test_percent_encoded_utf8_is_accepted(client, trusting):
    post = make_post()
    body = (
        f"comment_post_ID={post.pk}&comment_parent=0&author=A&email=a%40example.com"
        f"&form_token={comment_data(post)['form_token']}&comment=caf%C3%A9+%E2%9C%93"
    )
    client.post(URL, body, content_type=URLENCODED)
    assert Comment.objects.get().body == "café ✓"


@pytest.mark.parametrize("field", ["comment", "author", "email", "url"])
def test_nul_bytes_in_a_visible_field_are_refused_beside_it(client, field):
    value = {"comment": "a\x00b", "author": "A\x00", "email": "a\x00@example.com"}
    response = submit(
        client, make_post(), **{field: value.get(field, "https://a.example/\x00")}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in field_error(response, field)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "field",
    ["comment_parent", "comment_post_ID", "form_token", "contact_me_by_fax_only"],
)
def test_nul_bytes_in_a_hidden_field_get_a_400_page(client, field):
    response = submit(client, make_post(), **{field: "1\x00"})
    assert_bad_request_page(response)


def test_nul_bytes_in_the_user_agent_are_not_stored(client, trusting):
    response = submit(client, make_post(), meta={"HTTP_USER_AGENT": "Bot\x00/1.0"})
    assert response.status_code == 302
    assert Comment.objects.get().user_agent == "Bot/1.0"


# --- TRUSTED_PROXIES --------------------------------------------------------


def proxied(remote_addr: str, forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": remote_addr, "HTTP_X_FORWARDED_FOR": forwarded_for}


def test_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    settings.TRUSTED_PROXIES = []
    submit(client, make_post(), meta=proxied("203.0.113.9", "198.51.100.1"))
    assert Comment.objects.get().ip_address == "203.0.113.9"


def test_forwarded_for_is_ignored_from_an_untrusted_peer(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    submit(client, make_post(), meta=proxied("203.0.113.9", "198.51.100.1"))
    assert Comment.objects.get().ip_address == "203.0.113.9"


def test_trusted_proxy_yields_the_rightmost_untrusted_hop(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    chain = "1.1.1.1, 198.51.100.7, 192.0.2.1, 10.0.0.5"
    submit(client, make_post(), meta=proxied("10.0.0.2", chain))
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_a_forwarded_ipv6_address_with_a_zone_is_stored_without_it(client, settings):
    # PostgreSQL's inet refuses "%zone", and a long one outgrows the column.
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    zoned = "fe80::1%" + "z" * 50
    response = submit(client, make_post(), meta=proxied("10.0.0.2", zoned))
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == "fe80::1"


def test_flood_control_tells_clients_behind_a_trusted_proxy_apart(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    for address in ("198.51.100.7", "198.51.100.8"):
        meta = proxied("10.0.0.2", address)
        response = submit(client, post, meta=meta, email=f"{address}@example.com")
        assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_multipart_body_that_is_not_utf8_is_a_400(client):
    post = make_post()
    boundary = "BOUNDARY"
    fields = comment_data(post)
    head = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n'
    parts = [
        head.format(boundary, name).encode()
        + (b"caf\xe9 \xff\xfe" if name == "comment" else value.encode())
        + b"\r\n"
        for name, value in fields.items()
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = client.post(
        "/comments/post/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


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


def test_sending_the_same_comment_twice_says_so_rather_than_flooding(client):
    post = make_post()
    data = comment_data(post, comment="Exactly this.")
    assert client.post("/comments/post/", data).status_code == 302
    again = client.post("/comments/post/", data)
    assert again.status_code == 400
    assert "already said that" in again.content.decode()
    assert Comment.objects.count() == 1


def _reply_queries(client, comments: int) -> int:
    post = make_post()
    parent = make_comment(post=post)
    for _ in range(comments - 1):
        make_comment(post=post, parent=parent)
    data = comment_data(post, comment_parent=str(parent.pk))
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/comments/post/", data).status_code == 302
    return len(queries)


def test_posting_a_reply_costs_the_same_queries_in_a_big_thread(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 0
    small = _reply_queries(Client(), 3)
    big = _reply_queries(Client(), 200)
    assert small == big
    assert small <= 20
