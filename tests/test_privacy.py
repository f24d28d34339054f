"""Guest privacy: the mailed link is rate-limited, the download is whole.

`/privacy/` used to mail a link on every request (30 requests, 30 mails to a
victim), and the download answered 500 for any guest with a subscription.
"""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from forum import limits, services
from forum.models import Comment
from tests.factories import comment_data, make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings, relaxed_posting, guests_trusted):
    settings.SITE_URL = "https://blog.example"


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask /privacy/ for a link to `email` from `ip`; mails go out at once."""

    def ask(email: str, ip: str = "192.0.2.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return Client(REMOTE_ADDR=ip).post("/privacy/", {"email": email})

    return ask


def answer(response, email: str) -> str:
    """The page's own words, with the address typed taken out."""
    assert response.status_code == 200
    page = soup(response)
    return str(page.select_one("main section.notice-page")).replace(email, "<address>")


def link_in(message) -> str:
    return re.search(r"https://blog\.example(/privacy/\S+)", message.body).group(1)


# --- How many links -------------------------------------------------------------


def test_links_to_one_address_stop_at_the_hourly_rate(ask):
    answers = {
        answer(ask("victim@mail.test", ip=f"192.0.2.{n}"), "victim@mail.test")
        for n in range(1, 8)
    }
    assert len(mail.outbox) == limits.PRIVACY_MAILS_TO_ADDRESS.times
    assert len(answers) == 1  # sent or not, the page reads the same


def test_the_address_is_counted_however_it_is_typed(ask):
    for n in range(limits.PRIVACY_MAILS_TO_ADDRESS.times + 2):
        ask("Victim@Mail.test" if n % 2 else "victim@mail.test", ip=f"192.0.2.{n}")
    assert len(mail.outbox) == limits.PRIVACY_MAILS_TO_ADDRESS.times


def test_the_answer_never_tells_whether_an_address_wrote_anything(ask):
    make_comment(post=make_post(), author_email="writer@mail.test")
    writer = answer(ask("writer@mail.test", ip="192.0.2.1"), "writer@mail.test")
    stranger = answer(ask("nobody@mail.test", ip="192.0.2.2"), "nobody@mail.test")
    assert writer == stranger
    assert "at most 3 links an hour to one address" in writer


def test_requests_from_one_ip_past_its_rate_are_refused_keeping_the_address(ask):
    for n in range(limits.PRIVACY_MAILS_FROM_IP.times):
        assert ask(f"reader{n}@mail.test").status_code == 200
    refused = ask("one.more@mail.test")
    page = soup(refused)
    assert refused.status_code == 429
    assert "Too many links" in page.select_one(".form-errors").get_text()
    assert page.select_one("input[name=email]")["value"] == "one.more@mail.test"
    assert len(mail.outbox) == limits.PRIVACY_MAILS_FROM_IP.times


def test_the_request_page_says_how_many_links_an_hour(client):
    page = client.get("/privacy/").content.decode()
    assert "We send at most 3 links an hour to one address." in page


# --- The download ---------------------------------------------------------------


def download(ask, email: str) -> dict:
    ask(email)
    response = Client().post(link_in(mail.outbox[-1]) + "download/")
    assert response.status_code == 200
    return json.loads(response.content)


def test_a_guest_with_subscriptions_downloads_them(client, ask):
    post = make_post(title="On tea")
    data = comment_data(post, email="ann@mail.test", notify_post="on")
    client.post("/comments/post/", data)
    [subscription] = download(ask, "ann@mail.test")["subscriptions"]
    assert (subscription["post"], subscription["kind"]) == ("On tea", "post")
    assert subscription["created_at"].startswith("20")


def test_the_download_holds_the_earlier_texts_of_edited_comments(ask):
    comment = make_comment(post=make_post(), author_email="ann@mail.test", body="v1")
    services.comment_author_edit(comment=comment, body="v2")
    services.comment_author_edit(comment=comment, body="v3")
    [exported] = download(ask, "ann@mail.test")["comments"]
    assert exported["text"] == "v3"
    assert [e["text"] for e in exported["earlier_texts"]] == ["v1", "v2"]


def test_the_download_holds_comments_whose_address_a_moderator_typed_in_capitals(
    ask,
):
    comment = make_comment(post=make_post(), author_email="other@mail.test")
    services.comment_edit(comment=comment, fields={"author_email": "Ann@Mail.Test"})
    exported = download(ask, "ann@mail.test")["comments"]
    assert [c["id"] for c in exported] == [comment.pk]


def test_anonymising_takes_comments_whose_address_was_typed_in_capitals(ask):
    comment = make_comment(post=make_post(), author_email="ann@mail.test")
    Comment.objects.filter(pk=comment.pk).update(author_email="ANN@mail.test")
    ask("Ann@Mail.test")
    Client().post(link_in(mail.outbox[-1]) + "anonymise/")
    comment.refresh_from_db()
    assert (comment.author_name, comment.author_email) == ("Anonymous", "")
