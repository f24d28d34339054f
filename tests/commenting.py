"""What the comment-posting tests share: sending the form, reading its errors."""

from tests.factories import comment_data
from tests.html import soup

URL = "/comments/post/"
URLENCODED = "application/x-www-form-urlencoded"


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
