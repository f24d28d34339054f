import pytest

from tests.factories import comment_data, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


def test_field_errors_and_help_are_tied_to_their_inputs(client):
    post = make_post()
    response = client.post("/comments/post/", comment_data(post, email="nope"))
    page = soup(response)
    email = page.select_one("#commentform input[name=email]")
    described = email["aria-describedby"].split()
    assert email["aria-invalid"] == "true"
    assert {"id_email_error", "id_email_helptext"} <= set(described)
    for target in described:
        assert page.find(id=target) is not None, f"#{target} is missing"
    assert "valid email" in page.find(id="id_email_error").get_text()


def test_a_form_open_for_over_a_week_asks_to_resend_and_keeps_the_text(client):
    from forum.models import Comment
    from tests.factories import aged_token

    post = make_post()
    data = comment_data(
        post, comment="Written slowly.", form_token=aged_token(post, 8 * 86400)
    )
    response = client.post("/comments/post/", data)
    page = soup(response)
    assert response.status_code == 400
    assert "open for more than a week" in page.select_one(".form-errors").get_text()
    assert (
        page.select_one("textarea[name=comment]").get_text().strip()
        == "Written slowly."
    )
    assert page.select_one("input[name=form_token]")["value"] != data["form_token"]
    assert not Comment.objects.exists()
