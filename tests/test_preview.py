"""Previewing a comment: the JavaScript endpoint and the form's Preview button."""

import pytest
from django.test import Client
from django.urls import reverse

from forum import limits
from forum.models import Comment
from tests.factories import aged_token, comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db

PREVIEW = reverse("forum:comment-preview")
POST = reverse("forum:comment-create")
HOSTILE = "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"


def test_preview_renders_markdown_through_the_sanitizer(client):
    response = client.post(PREVIEW, {"comment": HOSTILE})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    fragment = soup(response)
    assert fragment.select_one("p > strong").get_text() == "Bold"
    assert fragment.find("script") is None
    assert fragment.find("a") is None  # markdown-it refuses javascript: links


def test_preview_matches_what_posting_stores(client, guests_trusted):
    text = "Line one\nline two\n\n> quoted *words*"
    preview = client.post(PREVIEW, {"comment": text}).content.decode()
    client.post(POST, comment_data(make_post(), comment=text))
    assert preview == Comment.objects.get().body_html


def test_preview_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(PREVIEW, {"comment": "hi"}).status_code == 403


def test_preview_takes_posts_only(client):
    assert client.get(PREVIEW).status_code == 405


def test_preview_refuses_text_over_the_length_limit(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    response = client.post(PREVIEW, {"comment": "x" * 21})
    assert response.status_code == 400
    assert "Please shorten your comment to 20 characters" in response.content.decode()


def test_preview_of_nothing_says_so(client):
    response = client.post(PREVIEW, {"comment": "  "})
    assert response.status_code == 200
    assert soup(response).get_text() == "Nothing to preview yet."


def test_preview_is_never_cached(client):
    response = client.post(PREVIEW, {"comment": "hi"})
    assert "no-store" in response["Cache-Control"]


def test_previews_past_the_rate_limit_are_refused(client, monkeypatch):
    monkeypatch.setattr("forum.limits.PREVIEWS", limits.Rate("preview", 2, 60))
    codes = [client.post(PREVIEW, {"comment": "hi"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_preview_saves_nothing_and_does_not_count_as_a_comment(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 60
    post = make_post()
    client.post(PREVIEW, {"comment": "A draft."})
    assert not Comment.objects.exists()
    response = client.post(POST, comment_data(post, comment="A draft."))
    assert response.status_code == 302  # flood control never saw the preview


# --- Without JavaScript: the form's Preview button -------------------------------


def preview_page(client, post, **overrides):
    return client.post(POST, comment_data(post, preview="1", **overrides))


def test_preview_button_shows_the_preview_above_the_form(client):
    post = make_post()
    response = preview_page(client, post, comment=HOSTILE)
    assert response.status_code == 200
    page = soup(response)
    preview = page.select_one("#respond > #comment-preview")
    assert not preview.has_attr("hidden")
    assert preview.select_one(".comment-content strong").get_text() == "Bold"
    assert preview.find("script") is None
    assert preview.find_next_sibling("form")["id"] == "commentform"
    assert not Comment.objects.exists()


def test_preview_button_keeps_everything_typed_without_scolding(client):
    post = make_post()
    response = preview_page(client, post, comment="My words.", email="", url="x.org")
    form = soup(response).select_one("#commentform")
    assert form.select_one("textarea[name=comment]").get_text().strip() == "My words."
    assert form.select_one("input[name=author]")["value"] == "Anna Reader"
    assert form.select_one("input[name=url]")["value"] == "x.org"
    assert form.select_one(".field-error") is None  # the email is asked for on posting


def test_preview_button_keeps_the_form_token(client):
    post = make_post()
    token = aged_token(post, 120)
    response = preview_page(client, post, form_token=token)
    assert soup(response).select_one("input[name=form_token]")["value"] == token


def test_preview_button_keeps_a_reply_under_its_parent(client):
    post = make_post()
    parent = make_comment(post=post, author_name="Ada")
    response = preview_page(client, post, comment_parent=str(parent.pk))
    page = soup(response)
    assert page.select_one(f"#div-comment-{parent.pk} + #respond #comment-preview")
    assert page.select_one("input[name=comment_parent]")["value"] == str(parent.pk)
    assert (
        page.select_one("#reply-title").get_text(strip=True).startswith("Reply to Ada")
    )


def test_preview_button_on_a_closed_post_is_refused_like_posting(client):
    post = make_post(comments_open=False)
    response = preview_page(client, post, comment="Kept for you.")
    assert response.status_code == 403
    assert "Kept for you." in response.content.decode()


def test_preview_button_refuses_text_over_the_length_limit(client, settings):
    settings.COMMENT_MAX_LENGTH = 20
    response = preview_page(client, make_post(), comment="y" * 21)
    preview = soup(response).select_one("#comment-preview")
    assert "Please shorten your comment" in preview.get_text()
    assert "y" * 21 in soup(response).select_one("textarea").get_text()


def test_thread_page_has_a_hidden_preview_and_a_preview_button(client):
    page = soup(client.get(make_post().get_absolute_url()))
    assert page.select_one("#comment-preview").has_attr("hidden")
    assert page.select_one("#comment-preview")["data-url"] == PREVIEW
    buttons = page.select("#commentform button[type=submit]")
    # "Post Comment" first: Enter in a field sends the comment, not a preview.
    assert [b.get("name") for b in buttons] == [None, "preview"]
