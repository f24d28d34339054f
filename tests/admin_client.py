"""What the admin tests share: running a changelist's bulk action, reading
the pages and messages that come back, and logging a browser in.

The `moderator` fixture (a staff user in the "Moderators" group of migration
0004) and `mod` (the test client logged in as them) are in tests/conftest.py.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from forum.models import Comment
from tests.html import soup

CHANGELIST = reverse("admin:forum_comment_changelist")


def act(client, action, objects, changelist=CHANGELIST):
    """Run a bulk action from a changelist (the comments', unless told) on these."""
    data = {"action": action, "_selected_action": [o.pk for o in objects]}
    return client.post(changelist, data)


def said(response) -> list[str]:
    """The messages the admin showed after this response."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response) -> list[int]:
    """The object ids on a changelist page, in their order."""
    boxes = soup(response).select("#result_list input[name=_selected_action]")
    return [int(box["value"]) for box in boxes]


def row(response, obj):
    """The changelist row of this object."""
    box = soup(response).select_one(f"#result_list input[value='{obj.pk}']")
    return box.find_parent("tr")


def form_data(response, form: str = "#comment_form") -> dict:
    """What a browser would send back from an admin change form, unchanged."""
    data = {}
    for field in (
        soup(response)
        .select_one(form)
        .select("input[name], textarea[name], select[name]")
    ):
        name, kind = field["name"], field.get("type", "")
        if kind in {"submit", "button"} or (
            kind == "checkbox" and not field.has_attr("checked")
        ):
            continue
        if field.name == "textarea":
            data[name] = field.text.removeprefix("\n")
        elif field.name == "select" and field.has_attr("multiple"):
            data[name] = [o["value"] for o in field.select("option[selected]")]
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"]
        else:  # a checked box without a value sends "on", as browsers do
            data[name] = field.get("value", "on" if kind == "checkbox" else "")
    return data


def change_url(comment) -> str:
    return reverse("admin:forum_comment_change", args=[comment.pk])


def public_page(post):
    """The post's page as an anonymous reader sees it."""
    return soup(Client().get(post.get_absolute_url()))


def status(comment) -> str:
    """The comment's status as stored now."""
    return Comment.objects.get(pk=comment.pk).status


def log_in_browser(context, live_server, user) -> None:
    """Log this browser context in as `user`, with a session made by the client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )
