"""Sign-up is rate-limited per IP: twenty accounts from one machine in 15 s no more."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from forum import limits
from tests.html import soup

pytestmark = pytest.mark.django_db


def sign_up(n: int, ip: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/signup/",
        {
            "username": f"reader{n}",
            "email": f"reader{n}@mail.test",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )


def test_signups_past_the_hourly_rate_from_one_ip_are_refused_keeping_the_form():
    for n in range(limits.SIGNUPS.times):
        assert sign_up(n).status_code == 302
    refused = sign_up(99)
    page = soup(refused)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Too many accounts" in page.select_one(".form-errors").get_text()
    assert page.select_one("input[name=username]")["value"] == "reader99"
    assert page.select_one("input[name=email]")["value"] == "reader99@mail.test"
    users = get_user_model().objects
    assert users.count() == limits.SIGNUPS.times
    assert not users.filter(username="reader99").exists()


def test_signups_from_another_ip_are_not_slowed():
    for n in range(limits.SIGNUPS.times):
        sign_up(n, ip="192.0.2.1")
    assert sign_up(99, ip="198.51.100.7").status_code == 302


def test_a_refused_form_does_not_count_towards_the_rate():
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(limits.SIGNUPS.times + 1):
        wrong = client.post("/accounts/signup/", {"username": "x", "email": "nope"})
        assert wrong.status_code == 400
    assert sign_up(1).status_code == 302
