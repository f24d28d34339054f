"""Accounts, editing one's own comment, privacy self-service, no public emails."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from forum.dates import clock
from forum.models import Comment, CommentRevision, Subscription
from tests.factories import comment_data, make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings, relaxed_posting, guests_trusted):
    settings.SITE_URL = "https://blog.example"


def post_comment(client, post, **overrides) -> Comment:
    response = client.post("/comments/post/", comment_data(post, **overrides))
    assert response.status_code == 302
    return Comment.objects.get(pk=int(response["Location"].rsplit("#comment-", 1)[1]))


# --- Accounts -----------------------------------------------------------------


def test_signing_up_creates_an_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "reader",
            "email": "Reader@Mail.test",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="reader")
    assert user.email == "reader@mail.test"
    assert "_auth_user_id" in client.session
    welcome = soup(client.get(response["Location"])).select_one(".messages")
    assert "Welcome, reader. You are signed in." in welcome.get_text()


def test_signing_up_with_a_taken_email_says_so(client):
    make_user(email="taken@mail.test")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "other",
            "email": "taken@mail.test",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 400
    assert "already uses this address" in response.content.decode()


def test_log_in_and_out_with_our_pages(client):
    make_user(username="ann", password="a long pass phrase")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "Log in" in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "ann", "password": "a long pass phrase"}
    )
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def _send_back(client, url: str, fields: dict):
    """Post the page's form as a browser would: to its action, hidden fields kept."""
    form = soup(client.get(url)).select_one("form.comment-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return client.post(form.get("action") or url, {**data, **fields})


@pytest.mark.parametrize("form", ["login", "signup"])
def test_logging_in_or_signing_up_from_a_thread_returns_to_it(client, form):
    make_user(username="ann", password="a long pass phrase")
    thread = make_post().get_absolute_url()
    fields = {"username": "ann", "password": "a long pass phrase"}
    if form == "signup":
        fields = {"username": "bea", "email": "bea@mail.test"}
        fields.update(password1="a long pass phrase", password2="a long pass phrase")
    response = _send_back(client, f"/accounts/{form}/?next={thread}", fields)
    assert response.status_code == 302
    assert response["Location"] == thread


def test_password_reset_mails_a_working_link(client):
    make_user(username="ann", email="ann@mail.test", password="old pass phrase")
    client.post("/accounts/password_reset/", {"email": "ann@mail.test"})
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/reset/\S+", message.body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "new long phrase 42", "new_password2": "new long phrase 42"},
    )
    assert response.status_code == 302
    assert (
        get_user_model()
        .objects.get(username="ann")
        .check_password("new long phrase 42")
    )


def test_signed_in_readers_comment_without_name_and_email(client):
    client.force_login(
        make_user(first_name="Una", last_name="User", email="u@mail.test")
    )
    post = make_post()
    data = comment_data(post)
    del data["author"], data["email"]
    comment = post_comment(client, post, **data)
    assert (comment.author_name, comment.author_email) == ("Una User", "u@mail.test")


def test_a_setting_requires_signing_in_to_comment(client, settings):
    settings.COMMENT_REQUIRE_LOGIN = True
    post = make_post()
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one("#commentform") is None
    assert "must be" in page.select_one(".must-log-in").get_text()
    response = client.post("/comments/post/", comment_data(post, comment="Let me in."))
    assert response.status_code == 403
    assert "Let me in." in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_by_the_posts_author_and_moderators_are_marked(client):
    author = make_user(email="a@mail.test")
    moderator = make_user(is_staff=True, is_superuser=True, email="m@mail.test")
    post = make_post(author=author)
    by_author = make_comment(post=post, user=author)
    by_moderator = make_comment(post=post, user=moderator)
    by_reader = make_comment(post=post)
    page = soup(client.get(post.get_absolute_url()))
    assert (
        page.select_one(f"#comment-{by_author.pk} .badge-author").get_text() == "Author"
    )
    badge = page.select_one(f"#comment-{by_moderator.pk} .badge-moderator")
    assert badge.get_text() == "Moderator"
    assert page.select_one(f"#comment-{by_reader.pk} .comment-badge") is None


# --- Editing and deleting one's own comment -----------------------------------


def test_a_guest_edits_their_comment_in_the_same_browser(client):
    post = make_post()
    comment = post_comment(client, post, comment="Teh typo.")
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{comment.pk} .comment-edit-link")
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "The typo."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "The typo."
    assert comment.body_html == "<p>The typo.</p>"
    assert CommentRevision.objects.get(comment=comment).body == "Teh typo."
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{comment.pk} .comment-edited")


def test_another_browser_can_neither_edit_nor_see_the_links(client):
    post = make_post()
    comment = post_comment(client, post)
    stranger = Client()
    page = soup(stranger.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{comment.pk} .comment-edit-link") is None
    response = stranger.post(f"/comment/{comment.pk}/edit/", {"comment": "Hijacked"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body != "Hijacked"


def test_a_signed_in_author_edits_from_any_browser(client):
    user = make_user()
    post = make_post()
    comment = make_comment(post=post, user=user)
    client.force_login(user)
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "Better."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Better."


def test_editing_closes_after_the_window(client, settings):
    post = make_post()
    comment = post_comment(client, post, comment="Old words.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    )
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{comment.pk} .comment-edit-link") is None
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "Too late."})
    assert response.status_code == 403
    assert "The time to change this comment has passed" in soup(response).get_text()
    assert soup(response).select_one("#kept-comment").get_text() == "Too late."
    comment.refresh_from_db()
    assert comment.body == "Old words."


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_after_the_window_the_page_says_so_and_offers_no_form(client, settings, action):
    post = make_post()
    comment = post_comment(client, post, comment="Old words.")
    created = timezone.now() - timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    Comment.objects.filter(pk=comment.pk).update(created_at=created)
    response = client.get(f"/comment/{comment.pk}/{action}/")
    page = soup(response)
    assert response.status_code == 200
    until = created + timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    assert page.select_one(".notice-closed").get_text() == (
        "The time to change this comment has passed: it could be edited or "
        f"deleted until {clock(until)}."
    )
    assert page.select_one("main form") is None


def test_deleting_ones_comment_removes_it_and_keeps_the_replies(client):
    post = make_post()
    comment = post_comment(client, post, comment="Regret this.")
    reply = make_comment(post=post, parent=comment)
    response = client.post(f"/comment/{comment.pk}/delete/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    page = soup(Client().get(post.get_absolute_url()))
    assert (
        "This comment was removed."
        in page.select_one(f"#comment-{comment.pk}").get_text()
    )
    assert page.select_one(f"#comment-{reply.pk}")
    assert "Regret this." not in page.get_text()


# --- Guest privacy --------------------------------------------------------------


@pytest.fixture
def privacy_link(django_capture_on_commit_callbacks):
    """Ask for the privacy link as its owner would; return its path."""

    def ask(email: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/privacy/", {"email": email})
        return _link_in_outbox()

    return ask


def _link_in_outbox() -> str:
    [message] = mail.outbox
    mail.outbox.clear()
    link = re.search(r"https://blog\.example(/privacy/\S+)", message.body).group(1)
    return link


def test_privacy_page_answers_the_same_for_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy/", {"email": "nobody@mail.test"})
    assert response.status_code == 200
    assert "on its way" in response.content.decode()
    assert len(mail.outbox) == 1  # sent anyway: the page tells strangers nothing


def test_a_guest_downloads_every_comment_made_with_their_email(client, privacy_link):
    post = make_post()
    post_comment(client, post, email="ann@mail.test", comment="First thought.")
    post_comment(client, post, email="ann@mail.test", comment="Second thought.")
    make_comment(post=post, author_email="other@mail.test")
    link = privacy_link("ann@mail.test")
    response = Client().post(link + "download/")
    data = json.loads(response.content)
    assert [c["text"] for c in data["comments"]] == [
        "First thought.",
        "Second thought.",
    ]
    assert response["Content-Disposition"].startswith("attachment")


def test_a_guest_anonymises_their_comments_and_threads_stay_whole(client, privacy_link):
    post = make_post()
    mine = post_comment(
        client, post, email="ann@mail.test", url="https://ann.example", notify_post="on"
    )
    reply = make_comment(post=post, parent=mine)
    link = privacy_link("ann@mail.test")
    response = Client().post(link + "anonymise/")
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.author_name, mine.author_email, mine.author_url) == (
        "Anonymous",
        "",
        "",
    )
    assert (mine.ip_address, mine.user_agent) == (None, "")
    assert mine.body and mine.status == Comment.Status.APPROVED
    assert not Subscription.objects.exists()
    page = Client().get(post.get_absolute_url()).content.decode()
    assert "Anonymous" in page and f"comment-{reply.pk}" in page


def test_a_forged_privacy_link_does_nothing(client):
    post = make_post()
    post_comment(client, post, email="ann@mail.test")
    response = Client().post("/privacy/forged-token/anonymise/")
    assert response.status_code == 400
    assert Comment.objects.get().author_email == "ann@mail.test"


# --- No email address in public ------------------------------------------------


def test_no_commenters_email_on_any_public_page_or_feed(client):
    author = make_user(email="poster@mail.test")
    post = make_post(author=author)
    comment = post_comment(client, post, email="secret.ann@mail.test")
    make_comment(post=post, parent=comment, author_email="secret.ben@mail.test")
    urls = [
        "/",
        post.get_absolute_url(),
        f"/comment/{comment.pk}/thread/",
        "/feed/",
        "/feed/atom/",
        "/comments/feed/",
        "/comments/feed/atom/",
        f"/posts/{post.slug}/feed/",
        "/sitemap.xml",
        "/search/?q=thoughtful",
    ]
    for url in urls:
        page = Client().get(url, follow=True).content.decode()
        assert "@mail.test" not in page, url
