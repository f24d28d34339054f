"""What the notification tests share: posting as a browser, reading the mail."""

import re

from django.core import mail
from django.utils import timezone

from forum.models import Subscription
from tests.factories import comment_data

SITE = "https://blog.example"


def post_comment(client, post, **overrides) -> int:
    """Post a comment through the form; return its id."""
    response = client.post("/comments/post/", comment_data(post, **overrides))
    assert response.status_code == 302, response.content[:2000]
    return int(response["Location"].rsplit("#comment-", 1)[1])


def links_in(message) -> list[str]:
    """The site's links in an email, as paths."""
    return [
        link.removeprefix(SITE) for link in re.findall(rf"{SITE}/\S+", message.body)
    ]


def confirmation_link(email: str) -> str:
    """The link in the latest confirmation email to this address."""
    [message] = [
        m for m in mail.outbox if m.to == [email] and "/email/confirm/" in m.body
    ][-1:]
    [link] = [link for link in links_in(message) if "/email/confirm/" in link]
    return link


def follower(post, email: str, **fields) -> Subscription:
    """A confirmed subscriber to every new comment on the post (unless told)."""
    fields.setdefault("kind", "post")
    fields.setdefault("confirmed_at", timezone.now())
    return Subscription.objects.create(email=email, post=post, **fields)
