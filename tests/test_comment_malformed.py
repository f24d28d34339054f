"""Malformed comment requests: a readable 400 page, never a 500."""

import pytest

from forum.models import Comment
from tests.commenting import URL, URLENCODED, field_error, submit
from tests.factories import comment_data, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


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


def test_percent_encoded_utf8_is_accepted(client, relaxed_posting, guests_trusted):
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


def test_nul_bytes_in_the_user_agent_are_not_stored(
    client, relaxed_posting, guests_trusted
):
    response = submit(client, make_post(), meta={"HTTP_USER_AGENT": "Bot\x00/1.0"})
    assert response.status_code == 302
    assert Comment.objects.get().user_agent == "Bot/1.0"


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
