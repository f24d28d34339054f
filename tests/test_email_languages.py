"""Emails in the language of the person they are for (issue 18): a
subscriber's language is stored when they subscribe, and their emails are
written in it, whoever's request sends them."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from forum.models import Subscription
from tests.factories import make_post
from tests.notifying import SITE, follower, post_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_doors(settings, relaxed_posting, guests_trusted):
    settings.SITE_URL = SITE


def german(text: str) -> str:
    with translation.override("de"):
        return translation.gettext(text)


def test_a_subscription_keeps_the_language_it_was_asked_in(mails):
    post = make_post(title="Bakhmut")
    reader = Client(headers={"accept-language": "de"})
    with mails():
        post_comment(reader, post, email="anna@mail.test", notify_post="on")
    assert Subscription.objects.get(email="anna@mail.test").language == "de"


def test_the_confirmation_email_is_in_the_subscribers_language(mails):
    post = make_post(title="Bakhmut")
    reader = Client(headers={"accept-language": "de"})
    with mails():
        post_comment(reader, post, email="anna@mail.test", notify_post="on")
    [message] = mail.outbox
    ignore = german("If it wasn't you, ignore this email: nothing will be sent.")
    assert ignore in message.body
    assert "ignore this email" not in message.body


def test_an_email_to_a_german_subscriber_is_in_german(client, mails):
    post = make_post(title="Bakhmut")
    follower(post, "anna@mail.test", language="de")
    with mails():  # an English reader's comment
        post_comment(client, post, author="Ben", comment="Good point.")
    [message] = mail.outbox
    assert german("Read it and reply:") in message.body
    assert german("Stop these emails with one click:") in message.body
    assert "Read it and reply" not in message.body
    assert "New comment by" not in message.subject


def test_an_email_without_a_stored_language_is_in_the_sites(mails, settings):
    settings.LANGUAGE_CODE = "fr"
    post = make_post()
    follower(post, "old@mail.test")  # subscribed before languages were stored
    with mails():  # a German reader's comment
        post_comment(Client(headers={"accept-language": "de"}), post)
    [message] = mail.outbox
    with translation.override("fr"):
        assert translation.gettext("Read it and reply:") in message.body
