"""Odd values in the admin lists' filters answer a page, never a 500.

Staff only, but a 500 is a 500: `?post__id__exact=²` (str.isdigit() takes
it, int() does not) and `?published_at__year=99999999999` used to crash.
"""

import pytest
from django.urls import reverse

from tests.admin_client import listed
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:forum_comment_changelist")
POSTS = reverse("admin:forum_post_changelist")
TOO_BIG = "9" * 25  # past SQLite's and PostgreSQL's integers


def test_a_unicode_digit_as_post_id_shows_every_comment(mod):
    comments = [make_comment(post=make_post()) for _ in range(2)]
    response = mod.get(COMMENTS, {"post__id__exact": "²"})
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(c.pk for c in comments)


def test_a_post_id_too_big_for_the_database_lists_nothing(mod):
    make_comment(post=make_post())
    response = mod.get(COMMENTS, {"post__id__exact": TOO_BIG}, follow=True)
    assert response.status_code == 200
    assert listed(response) == []


@pytest.mark.parametrize(
    "url, params",
    [
        (POSTS, {"published_at__year": "99999999999"}),
        (POSTS, {"published_at__year": "2024", "published_at__month": TOO_BIG}),
        (POSTS, {"categories__id__exact": TOO_BIG}),
        (COMMENTS, {"status__exact": "\x00"}),
        (COMMENTS, {"created_at__gte": "\x00"}),
        (reverse("admin:forum_subscription_changelist"), {"kind__exact": "a\x00"}),
        (reverse("admin:forum_notification_changelist"), {"attempts__in": TOO_BIG}),
        (reverse("admin:auth_user_changelist"), {"groups__id__exact": TOO_BIG}),
    ],
)
def test_odd_filter_values_get_the_invalid_lookup_page(admin_client, url, params):
    make_comment(post=make_post())
    response = admin_client.get(url, params, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain in ([], [(f"{url}?e=1", 302)])
