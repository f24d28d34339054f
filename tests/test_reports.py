"""Readers report comments; enough reports hold one for the moderators.

Readers use the public "Report" link and form; moderators (a staff user in
the migration's "Moderators" group) see the reports in the admin.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentReport, CommentStatusChange
from forum.services.moderation import NEW_ACCOUNT_DAYS, counted_reports
from tests.admin_client import CHANGELIST, status
from tests.factories import make_comment, make_post, make_user
from tests.html import soup

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def comment():
    return make_comment(post=make_post(), body="Something rude.")


def report_url(comment) -> str:
    return reverse("forum:comment-report", args=[comment.pk])


def report(comment, ip="192.0.2.1", reason="Rude.", client=None):
    """A reader at `ip` (or a signed-in `client`) sends the report form."""
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(report_url(comment), {"reason": reason})


# --- The link and the form ------------------------------------------------------------


def test_every_comment_has_a_report_link(comment):
    other = make_comment(post=comment.post, parent=comment)
    page = soup(Client().get(comment.post.get_absolute_url()))
    links = {
        a.find_parent("article")["id"]: a["href"]
        for a in page.select(".comment-report-link")
    }
    assert links == {
        f"div-comment-{comment.pk}": report_url(comment),
        f"div-comment-{other.pk}": report_url(other),
    }


def test_report_link_leads_to_a_form_quoting_the_comment(comment):
    page = soup(Client().get(report_url(comment)))
    assert page.select_one(".reported-comment").get_text(strip=True) == (
        "Something rude."
    )
    assert page.select_one("form.report-form textarea[name=reason]")


def test_report_is_recorded_and_the_reader_thanked(comment):
    response = report(comment, ip="192.0.2.1", reason="Insults another reader.")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Thank you. A moderator will look at this comment."
    ]
    saved = CommentReport.objects.get()
    assert (saved.comment, saved.reason, saved.reporter) == (
        comment,
        "Insults another reader.",
        "ip:192.0.2.1",
    )


def test_report_without_a_reason_is_refused(comment):
    response = report(comment, reason="")
    assert response.status_code == 400
    assert not CommentReport.objects.exists()


def test_comments_not_shown_cannot_be_reported():
    pending = make_comment(post=make_post(), status=Status.PENDING)
    assert report(pending).status_code == 404
    assert not CommentReport.objects.exists()


# --- Holding after N readers ----------------------------------------------------------


def test_reports_from_three_readers_hold_the_comment(comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, ip=ip)
    held = Comment.objects.get(pk=comment.pk)
    assert (held.status, held.status_reason) == (
        Status.PENDING,
        "reported by 3 readers",
    )


def test_reports_from_two_readers_do_not_hold_it(comment):
    for ip in ("192.0.2.1", "192.0.2.2"):
        report(comment, ip=ip)
    assert status(comment) == Status.APPROVED


def test_same_reader_reporting_twice_counts_once(comment):
    for ip in ("192.0.2.1", "192.0.2.1", "192.0.2.2"):
        assert report(comment, ip=ip).status_code == 302
    assert CommentReport.objects.count() == 2
    assert status(comment) == Status.APPROVED


def reader(ip: str, user=None, **account) -> Client:
    """A signed-in reader at `ip`: `user`, or a new account with these fields."""
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user or make_user(**account))
    return client


def test_accounts_behind_one_address_count_once(comment):
    # Three throw-away accounts used to hide any comment from one machine.
    old = timezone.now() - timedelta(days=30)
    for _ in range(3):
        report(comment, client=reader("192.0.2.1", date_joined=old))
    assert counted_reports(comment) == 1
    assert status(comment) == Status.APPROVED


def test_a_reader_reporting_as_guest_then_signed_in_counts_once(comment):
    report(comment, ip="192.0.2.1")
    report(comment, client=reader("192.0.2.1"))
    assert CommentReport.objects.count() == 2
    assert counted_reports(comment) == 1


def test_new_accounts_alone_do_not_hold_a_comment(comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, client=reader(ip))
    assert counted_reports(comment) == 0
    assert status(comment) == Status.APPROVED


def test_new_accounts_count_once_an_established_reader_reports_too(comment):
    for ip in ("192.0.2.1", "192.0.2.2"):
        report(comment, client=reader(ip))
    report(comment, ip="192.0.2.3")  # a guest
    held = Comment.objects.get(pk=comment.pk)
    assert (held.status, held.status_reason) == (
        Status.PENDING,
        "reported by 3 readers",
    )


def test_accounts_with_an_approved_comment_are_established(comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        user = make_user()
        make_comment(post=comment.post, user=user)
        report(comment, client=reader(ip, user))
    assert status(comment) == Status.PENDING


def test_accounts_older_than_a_week_are_established(comment):
    joined = timezone.now() - timedelta(days=NEW_ACCOUNT_DAYS, hours=1)
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, client=reader(ip, date_joined=joined))
    assert status(comment) == Status.PENDING


def test_a_report_keeps_its_readers_account_and_ip(comment):
    user = make_user()
    report(comment, client=reader("192.0.2.9", user))
    saved = CommentReport.objects.get()
    assert (saved.user, saved.ip_address, saved.reporter) == (
        user,
        "192.0.2.9",
        f"user:{user.pk}",
    )


def test_hold_threshold_follows_the_setting(comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    report(comment)
    assert status(comment) == Status.PENDING


def test_hold_by_reports_is_recorded_as_done_by_no_moderator(comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, ip=ip)
    change = CommentStatusChange.objects.get(comment=comment)
    assert (change.from_status, change.to_status, change.moderator) == (
        Status.APPROVED,
        Status.PENDING,
        None,
    )


def test_moderators_approval_needs_three_new_reports_to_be_overturned(mod, comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, ip=ip)
    mod.post(
        CHANGELIST, {"action": "approve_comments", "_selected_action": [comment.pk]}
    )
    for ip in ("192.0.2.4", "192.0.2.5"):
        report(comment, ip=ip)
    assert status(comment) == Status.APPROVED
    report(comment, ip="192.0.2.6")
    assert status(comment) == Status.PENDING


# --- In the admin ---------------------------------------------------------------------


def test_held_reported_comment_is_in_the_pending_queue(mod, comment):
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(comment, ip=ip)
    queue = soup(mod.get(reverse("admin:index"))).select_one(".queue-pending")
    assert queue.select_one(".queue-count").get_text() == "1"
    listed = soup(mod.get(queue.a["href"])).select("input[name=_selected_action]")
    assert [int(box["value"]) for box in listed] == [comment.pk]


def test_reported_filter_lists_reported_comments_once(mod, comment):
    make_comment(post=comment.post)
    report(comment, ip="192.0.2.1")
    report(comment, ip="192.0.2.2")
    page = soup(mod.get(CHANGELIST))
    (link,) = [
        a["href"]
        for a in page.select("#changelist-filter a")
        if a.get_text(strip=True) == "Reported by readers"
    ]
    listed = soup(mod.get(CHANGELIST + link)).select("input[name=_selected_action]")
    assert [int(box["value"]) for box in listed] == [comment.pk]


def test_reports_show_on_the_comments_admin_page(mod, comment):
    report(comment, ip="192.0.2.1", reason="Doxxing someone.")
    page = soup(mod.get(reverse("admin:forum_comment_change", args=[comment.pk])))
    rows = page.select("#reports-group tbody tr.has_original")
    assert [
        (
            tr.select_one(".field-reason").get_text(strip=True),
            tr.select_one(".field-reporter").get_text(strip=True),
        )
        for tr in rows
    ] == [("Doxxing someone.", "ip:192.0.2.1")]


def test_report_list_in_the_admin_shows_each_report(mod, comment):
    report(comment, ip="192.0.2.1", reason="Off-topic.")
    response = mod.get(reverse("admin:forum_commentreport_changelist"))
    assert response.status_code == 200
    row = soup(response).select_one("#result_list tbody tr")
    assert row.select_one(".field-reason").get_text() == "Off-topic."
    assert row.select_one(".field-comment").get_text() == str(comment)


def test_the_report_that_holds_a_comment_lands_on_its_post(client, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    post = make_post()
    comment = make_comment(post=post)
    url = reverse("forum:comment-report", kwargs={"pk": comment.pk})
    response = client.post(url, {"reason": "spam"})
    assert response["Location"] == post.get_absolute_url() + "#comments"
    assert client.get(response["Location"]).status_code == 200
