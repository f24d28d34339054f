"""Flood control follows an email address too, not only an IP or an account."""

import threading

import pytest
from django.db import connection

from forum import services
from forum.models import Comment
from tests.factories import comment_data, make_post
from tests.racing import races

URL = "/comments/post/"


def submit(client, post, ip, **overrides):
    return client.post(URL, comment_data(post, **overrides), REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_the_same_email_from_another_ip_is_flooding(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    assert (
        submit(client, post, "192.0.2.1", email="rotating@example.com").status_code
        == 302
    )
    again = submit(client, make_post(), "198.51.100.7", email="Rotating@Example.com")
    assert again.status_code == 429
    assert "too quickly" in again.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_other_emails_from_other_ips_are_not_slowed(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    post = make_post()
    submit(client, post, "192.0.2.1", email="one@example.com")
    assert submit(client, post, "192.0.2.2", email="two@example.com").status_code == 302


@races
def test_one_email_from_many_ips_at_once_gets_one_comment_through(settings):
    """Each writer has its own IP and post: only the email's lock serialises them."""
    settings.COMMENT_FLOOD_SECONDS = 15
    writers = 6
    posts = [make_post() for _ in range(writers)]
    barrier = threading.Barrier(writers, timeout=30)
    outcomes, lock = [], threading.Lock()

    def write(index):
        try:
            barrier.wait()
            services.comment_submit(
                post=posts[index],
                body=f"Same sender, writer {index}.",
                parent_id=None,
                author_name="Rotator",
                author_email="rotator@example.com",
                ip_address=f"203.0.113.{index + 1}",
            )
            outcome = "stored"
        except services.Flooding:
            outcome = "flooding"
        except BaseException as error:  # reported by the test, not lost in a thread
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["flooding"] * (writers - 1) + ["stored"]
    assert Comment.objects.count() == 1
