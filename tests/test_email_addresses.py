"""Email addresses are stored in lower case, and matched so however they are typed.

A moderator typing "Ann@Mail.test" in the admin put that comment out of
reach of the privacy download and of anonymising. Migration 0012 lowercases
the rows stored before, merging the twins a unique constraint would refuse.
"""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from forum import services
from forum.models import (
    Comment,
    CommentReport,
    Notification,
    Subscription,
    TrustedAuthor,
)
from tests.admin_client import change_url
from tests.factories import make_comment, make_post, make_user

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("forum.migrations.0012_limits_reports_emails")


def test_a_comments_address_is_stored_in_lower_case_whoever_types_it():
    comment = make_comment(post=make_post(), author_email="  Ann@Mail.Test ")
    assert Comment.objects.values_list("author_email", flat=True).get() == (
        "ann@mail.test"
    )
    services.comment_edit(comment=comment, fields={"author_email": "BEN@Mail.test"})
    assert Comment.objects.get().author_email == "ben@mail.test"


def test_an_update_stores_the_address_in_lower_case_too():
    make_comment(post=make_post())
    Comment.objects.update(author_email="Ann@Mail.Test")
    assert Comment.objects.get().author_email == "ann@mail.test"


def test_lookups_match_an_address_however_it_is_typed():
    make_comment(post=make_post(), author_email="ann@mail.test")
    TrustedAuthor.objects.create(email="Ann@Mail.test")
    assert Comment.objects.filter(author_email="ANN@mail.TEST").exists()
    assert TrustedAuthor.objects.filter(email="ann@MAIL.test").exists()


def test_every_address_column_keeps_lower_case():
    post = make_post()
    Subscription.objects.create(email="A@X.test", post=post, kind="post")
    Notification.objects.create(to="C@X.test", subject="s", body="b")
    TrustedAuthor.objects.create(email="D@X.test")
    stored = [
        Subscription.objects.get().email,
        Notification.objects.get().to,
        TrustedAuthor.objects.get().email,
    ]
    assert stored == ["a@x.test", "c@x.test", "d@x.test"]


def test_a_moderator_typing_capitals_in_the_admin_stores_lower_case(mod):
    comment = make_comment(post=make_post(), author_name="Ann")
    data = {
        "status": comment.status,
        "author_name": "Ann",
        "author_email": "Ann@Mail.Test",
        "author_url": "",
        "body": comment.body,
    }
    for prefix in ("status_changes", "revisions", "reports"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    assert mod.post(change_url(comment), data).status_code == 302
    comment.refresh_from_db()
    assert comment.author_email == "ann@mail.test"


# --- Migration 0012 ----------------------------------------------------------------


def _plant(table: str, column: str, pk: int, value: str) -> None:
    """Store a value as rows written before 0012 may hold it (past the field)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def test_the_migration_lowercases_addresses_without_unique_constraints():
    comment = make_comment(post=make_post())
    notification = Notification.objects.create(to="x@x.test", subject="s", body="b")
    _plant("forum_comment", "author_email", comment.pk, " Ann@Mail.Test")
    _plant("forum_notification", '"to"', notification.pk, "Ann@Mail.Test")
    MIGRATION.lowercase_plain(apps, None)
    assert Comment.objects.values_list("author_email", flat=True).get() == (
        "ann@mail.test"
    )
    assert Notification.objects.values_list("to", flat=True).get() == "ann@mail.test"


def test_the_migration_merges_trusted_twins_keeping_both_notes():
    TrustedAuthor.objects.create(email="ann@mail.test", note="regular")
    twin = TrustedAuthor.objects.create(email="twin@mail.test", note="from #7")
    _plant("forum_trustedauthor", "email", twin.pk, "ANN@mail.test")
    MIGRATION.lowercase_model(TrustedAuthor, *MIGRATION.UNIQUE_ADDRESSES[1][1:])
    [kept] = TrustedAuthor.objects.all()
    assert (kept.email, kept.note) == ("ann@mail.test", "regular; from #7")


def test_the_migration_merges_subscription_twins_keeping_the_account():
    post, user = make_post(), make_user()
    Subscription.objects.create(email="ann@mail.test", post=post, kind="post")
    twin = Subscription.objects.create(
        email="twin@mail.test", post=post, kind="post", user=user
    )
    other = Subscription.objects.create(email="ben@mail.test", post=post, kind="post")
    _plant("forum_subscription", "email", twin.pk, "Ann@Mail.test")
    _plant("forum_subscription", "email", other.pk, "Ben@Mail.test")
    MIGRATION.lowercase_model(Subscription, *MIGRATION.UNIQUE_ADDRESSES[2][1:])
    assert sorted(Subscription.objects.values_list("email", "user")) == [
        ("ann@mail.test", user.pk),
        ("ben@mail.test", None),
    ]


def test_the_migration_gives_old_reports_their_readers_account_or_ip():
    comment, user = make_comment(post=make_post()), make_user()
    for reporter in (f"user:{user.pk}", "ip:192.0.2.1", "user:999999", "ip:None"):
        CommentReport.objects.create(comment=comment, reason="r", reporter=reporter)
    MIGRATION.fill_reporters(apps, None)
    assert sorted(
        CommentReport.objects.values_list("reporter", "user", "ip_address")
    ) == [
        ("ip:192.0.2.1", None, "192.0.2.1"),
        ("ip:None", None, None),
        (f"user:{user.pk}", user.pk, None),
        ("user:999999", None, None),
    ]
