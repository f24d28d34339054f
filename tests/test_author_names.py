"""No control characters in an author's name.

A line break in a name went into every notification's subject about the
comment, where Django refuses it: each of those emails failed.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from forum import services
from forum.models import Comment, Subscription
from tests.admin_client import change_url
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_posting", "guests_trusted"),
]

URL = "/comments/post/"
REFUSED = [
    "Ann\nBcc: everyone@example.com",
    "An\rn",
    "Ann\tTab",
    "Ann\x7f",  # DEL, a Cc control
    "\u202eevil",  # right-to-left override, a Cf format character
    "Ann\u200b",  # zero-width space
]


@pytest.mark.parametrize("name", REFUSED)
def test_the_comment_form_refuses_control_characters_in_the_name(client, name):
    post = make_post()
    response = client.post(URL, comment_data(post, author=name, comment="Kept."))
    page = soup(response)
    assert response.status_code == 400
    error = page.select_one("#commentform .comment-form-author .field-error")
    assert "control characters" in error.get_text()
    assert page.select_one("textarea[name=comment]").get_text().strip() == "Kept."
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Mehr\u200cnaz", "José Ñúñez", "李小龍"])
def test_names_in_any_script_are_taken(client, name):
    post = make_post()
    assert client.post(URL, comment_data(post, author=name)).status_code == 302
    assert Comment.objects.get().author_name == name


def test_the_service_refuses_a_line_break_in_the_name_too():
    with pytest.raises(ValidationError) as refused:
        services.comment_submit(
            post=make_post(),
            body="Hello.",
            parent_id=None,
            author_name="Ann\nB",
            author_email="ann@example.com",
        )
    assert "author_name" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_a_moderator_cannot_type_a_line_break_into_a_name(mod):
    comment = make_comment(post=make_post(), author_name="Ann")
    data = {
        "status": comment.status,
        "author_name": "Ann\nBcc: x@example.com",
        "author_email": comment.author_email,
        "author_url": "",
        "body": comment.body,
        **_empty_inlines(),
    }
    response = mod.post(change_url(comment), data)
    assert response.status_code == 200
    assert "control characters" in response.content.decode()
    comment.refresh_from_db()
    assert comment.author_name == "Ann"


def _empty_inlines() -> dict:
    return {
        f"{prefix}-{field}": "0"
        for prefix in ("status_changes", "revisions", "reports")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }


def test_an_accounts_name_with_a_line_break_is_cleaned_and_mail_still_goes(
    client, django_capture_on_commit_callbacks
):
    post = make_post()
    make_comment(post=post, author_email="ann@example.com")
    services.comment_submit(
        post=post,
        body="Ann follows.",
        parent_id=None,
        author_name="Ann",
        author_email="ann@example.com",
        ip_address="192.0.2.1",
        notify_post=True,
    )
    Subscription.objects.update(confirmed_at=timezone.now())
    mail.outbox.clear()
    writer = Client()
    writer.force_login(make_user(first_name="Mallory\nBcc:", last_name="X"))
    with django_capture_on_commit_callbacks(execute=True):
        data = comment_data(post)
        del data["author"], data["email"]
        assert writer.post(URL, data).status_code == 302
    assert Comment.objects.latest("pk").author_name == "Mallory Bcc: X"
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
