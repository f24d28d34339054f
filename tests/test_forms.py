import pytest
from bs4 import BeautifulSoup

from tests.factories import comment_data, make_post

pytestmark = pytest.mark.django_db


def test_field_errors_and_help_are_tied_to_their_inputs(client):
    post = make_post()
    response = client.post("/comments/post/", comment_data(post, email="nope"))
    page = BeautifulSoup(response.content, "html.parser")
    email = page.select_one("#commentform input[name=email]")
    described = email["aria-describedby"].split()
    assert email["aria-invalid"] == "true"
    assert {"id_email_error", "id_email_helptext"} <= set(described)
    for target in described:
        assert page.find(id=target) is not None, f"#{target} is missing"
    assert "valid email" in page.find(id="id_email_error").get_text()
