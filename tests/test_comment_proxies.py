"""TRUSTED_PROXIES: which address a comment is stored and rate-limited under."""

import pytest

from forum.models import Comment
from tests.commenting import submit
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def proxied(remote_addr: str, forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": remote_addr, "HTTP_X_FORWARDED_FOR": forwarded_for}


def test_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    settings.TRUSTED_PROXIES = []
    submit(client, make_post(), meta=proxied("203.0.113.9", "198.51.100.1"))
    assert Comment.objects.get().ip_address == "203.0.113.9"


def test_forwarded_for_is_ignored_from_an_untrusted_peer(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    submit(client, make_post(), meta=proxied("203.0.113.9", "198.51.100.1"))
    assert Comment.objects.get().ip_address == "203.0.113.9"


def test_trusted_proxy_yields_the_rightmost_untrusted_hop(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    chain = "1.1.1.1, 198.51.100.7, 192.0.2.1, 10.0.0.5"
    submit(client, make_post(), meta=proxied("10.0.0.2", chain))
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_a_forwarded_ipv6_address_with_a_zone_is_stored_without_it(client, settings):
    # PostgreSQL's inet refuses "%zone", and a long one outgrows the column.
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    zoned = "fe80::1%" + "z" * 50
    response = submit(client, make_post(), meta=proxied("10.0.0.2", zoned))
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == "fe80::1"


def test_flood_control_tells_clients_behind_a_trusted_proxy_apart(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    for address in ("198.51.100.7", "198.51.100.8"):
        meta = proxied("10.0.0.2", address)
        response = submit(client, post, meta=meta, email=f"{address}@example.com")
        assert response.status_code == 302
    assert Comment.objects.count() == 2
