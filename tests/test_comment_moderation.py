"""Moderation on entry, the remember-me cookies and the settings' off switches."""

import pytest
from django.core import signing
from django.test import Client

from forum.forms import form_token
from forum.models import BlocklistEntry, Comment
from tests.factories import aged_token, comment_data, make_comment, make_post, make_user
from tests.html import soup

# Readers here post several comments in a row.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_posting")]

URL = "/comments/post/"
AWAITING = "Your comment is awaiting moderation."


def submit(client, post, meta=None, **overrides):
    """Post the comment form; `meta` holds request headers and REMOTE_ADDR."""
    return client.post(URL, comment_data(post, **overrides), **(meta or {}))


def known_reader(email: str = "anna@example.com", name: str = "Anna Reader") -> None:
    """Give this guest an approved comment, so their next one isn't held as a first."""
    make_comment(post=make_post(), author_email=email, author_name=name)


def posted(client, post, **overrides) -> Comment:
    response = submit(client, post, **overrides)
    assert response.status_code == 302
    return Comment.objects.latest("pk")


# --- Held, approved, spam ----------------------------------------------------


def test_first_comment_from_a_guest_is_held(client):
    comment = posted(client, make_post())
    assert (comment.status, comment.status_reason) == (
        Comment.Status.PENDING,
        "first comment",
    )


def test_held_comment_is_shown_only_to_its_authors_browser(client):
    post = make_post()
    comment = posted(client, post)
    mine = soup(client.get(post.get_absolute_url()))
    theirs = soup(Client().get(post.get_absolute_url()))
    li = mine.select_one(f"li#comment-{comment.pk}")
    assert li.select_one(".comment-awaiting-moderation").get_text() == AWAITING
    assert comment.body in li.select_one(".comment-content").get_text()
    assert theirs.select_one(f"#comment-{comment.pk}") is None
    assert comment.body not in str(theirs)


def test_held_reply_is_shown_under_its_parent_to_its_author(client):
    post = make_post()
    parent = make_comment(post=post)
    reply = posted(client, post, comment_parent=str(parent.pk))
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one(f"#comment-{parent.pk} > ol.children > #comment-{reply.pk}")


def test_guest_with_an_earlier_approved_comment_is_approved(client):
    known_reader("anna@example.com")
    comment = posted(client, make_post(), email="Anna@Example.com")
    assert comment.status == Comment.Status.APPROVED


def test_a_regulars_email_under_another_name_is_still_held(client):
    known_reader(name="Anna Reader")
    comment = posted(client, make_post(), author="Someone Else")
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "first comment"


def test_guest_whose_earlier_comment_is_still_held_is_held_again(client):
    make_comment(
        post=make_post(),
        author_email="anna@example.com",
        status=Comment.Status.PENDING,
    )
    assert posted(client, make_post()).status == Comment.Status.PENDING


def test_comment_with_too_many_links_is_held(client):
    known_reader()
    body = "See https://one.example.com and www.two.example.org"
    comment = posted(client, make_post(), comment=body)
    assert (comment.status, comment.status_reason) == (
        Comment.Status.PENDING,
        "2 links",
    )


def test_comment_with_fewer_links_than_the_limit_is_approved(client):
    known_reader()
    comment = posted(client, make_post(), comment="See https://one.example")
    assert comment.status == Comment.Status.APPROVED


def test_blocklisted_word_marks_the_comment_as_spam(client):
    known_reader()
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="cheap pills")
    post = make_post()
    response = submit(client, post, comment="Buy CHEAP PILLS here")
    comment = Comment.objects.latest("pk")
    assert (comment.status, comment.status_reason) == (
        Comment.Status.SPAM,
        'blocklist entry "cheap pills"',
    )
    assert response["Location"] == f"{post.get_absolute_url()}#comments"


def test_blocklisted_word_in_the_name_marks_the_comment_as_spam(client):
    known_reader()
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    comment = posted(client, make_post(), author="Best Casino Online")
    assert comment.status == Comment.Status.SPAM


@pytest.mark.parametrize("value", ["anna@example.com", "@example.com"])
def test_blocklisted_email_marks_the_comment_as_spam(client, value):
    known_reader()
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.EMAIL, value=value)
    assert posted(client, make_post()).status == Comment.Status.SPAM


@pytest.mark.parametrize("value", ["192.0.2.7", "192.0.2.0/24"])
def test_blocklisted_ip_marks_the_comment_as_spam(client, value):
    known_reader()
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.IP, value=value)
    comment = posted(client, make_post(), meta={"REMOTE_ADDR": "192.0.2.7"})
    assert comment.status == Comment.Status.SPAM


def test_spam_is_not_shown_even_to_its_author(client):
    known_reader()
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    post = make_post()
    comment = posted(client, post, comment="casino casino")
    assert not soup(client.get(post.get_absolute_url())).select_one(
        f"#comment-{comment.pk}"
    )


NOT_YET = "We couldn't take your comment just yet. Please check it and send it again."
# Every way a post gives itself away as a bot's, and what it sends for it.
BOT_SIGNS = {
    "honeypot": {"contact_me_by_fax_only": "555-0100"},
    "too fast": {"form_token": "fresh"},
    "empty token": {"form_token": ""},
    "no token field": {"form_token": None},
    "not a token": {"form_token": "not-a-token"},
    "another salt": {"form_token": signing.dumps(0.0, salt="another-salt")},
    "forged signature": {"form_token": form_token(1, issued_at=0)[:-2] + "xx"},
    "another post's token": {"form_token": "elsewhere"},
}


def bot_post(client, post, sign, **overrides):
    data = comment_data(post, **{**BOT_SIGNS[sign], **overrides})
    if data["form_token"] is None:
        del data["form_token"]
    elif data["form_token"] == "elsewhere":  # taken from another post's form
        data["form_token"] = aged_token(make_post())
    elif data["form_token"] == "fresh":  # a form sent the moment it was shown
        page = soup(client.get(post.get_absolute_url()))
        data["form_token"] = page.select_one("[name=form_token]")["value"]
    return client.post(URL, data), data


@pytest.mark.parametrize("sign", BOT_SIGNS)
def test_a_post_that_looks_automated_is_not_stored(client, settings, sign):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    known_reader()
    response, _ = bot_post(client, make_post(), sign)
    assert response.status_code == 400
    assert Comment.objects.count() == 1  # known_reader's only


@pytest.mark.parametrize("sign", BOT_SIGNS)
def test_a_post_that_looks_automated_gets_the_form_back_kindly(client, settings, sign):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    response, sent = bot_post(
        client, make_post(), sign, comment="My words.", url="https://a.example/"
    )
    page = soup(response)
    assert page.select_one("#commentform .error-summary-title").get_text() == NOT_YET
    form = page.select_one("#commentform")
    assert form.select_one("textarea[name=comment]").get_text().strip() == "My words."
    assert form.select_one("[name=author]")["value"] == sent["author"]
    assert form.select_one("[name=url]")["value"] == "https://a.example/"
    fresh = form.select_one("[name=form_token]")["value"]
    assert fresh and fresh != sent.get("form_token")
    assert not form.select_one("[name=contact_me_by_fax_only]").get("value")


def test_a_post_that_looks_automated_gets_one_answer_whatever_gave_it_away(
    client, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    post = make_post()
    answers = set()
    for sign in BOT_SIGNS:
        response, _ = bot_post(client, post, sign, comment="Same words.")
        page = soup(response)
        for token in page.select("[name=form_token], [name=csrfmiddlewaretoken]"):
            token["value"] = ""
        answers.add((response.status_code, str(page.select_one("#respond"))))
    assert len(answers) == 1


def test_a_person_told_to_send_again_gets_the_comment_posted(client, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    known_reader()
    post = make_post()
    response, _ = bot_post(client, post, "too fast", comment="Quick typist.")
    again = soup(response).select_one("#commentform")
    settings.COMMENT_MIN_FILL_SECONDS = 0  # the reader reads the message first
    data = comment_data(post, comment="Quick typist.")
    data["form_token"] = again.select_one("[name=form_token]")["value"]
    response = client.post(URL, data)
    assert response.status_code == 302
    assert Comment.objects.get(body="Quick typist.").status == Comment.Status.APPROVED


def test_form_open_longer_than_the_minimum_is_accepted(client, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    known_reader()
    post = make_post()
    comment = posted(client, post, form_token=aged_token(post, 4))
    assert comment.status == Comment.Status.APPROVED


def test_staff_comment_is_approved_even_with_links(client):
    client.force_login(make_user(is_staff=True))
    body = "https://one.example https://two.example https://three.example"
    assert posted(client, make_post(), comment=body).status == Comment.Status.APPROVED


def test_logged_in_users_first_comment_is_held(client):
    client.force_login(make_user())
    assert posted(client, make_post()).status == Comment.Status.PENDING


# --- Remember me ---------------------------------------------------------------


def test_save_checkbox_prefills_the_form_next_time(client):
    post = make_post()
    submit(
        client,
        post,
        author="Anna Reader",
        email="anna@example.com",
        url="https://anna.example/",
        cookies_consent="on",
    )
    form = soup(client.get(post.get_absolute_url())).select_one("#commentform")
    assert form.select_one("[name=author]")["value"] == "Anna Reader"
    assert form.select_one("[name=email]")["value"] == "anna@example.com"
    assert form.select_one("[name=url]")["value"] == "https://anna.example/"
    assert form.select_one("[name=cookies_consent]").has_attr("checked")


def test_save_checkbox_cookies_are_http_only_and_lax(client):
    response = submit(client, make_post(), cookies_consent="on")
    cookie = response.cookies["comment_author"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600


def test_remembered_name_outside_latin_1_survives_the_round_trip(client):
    post = make_post()
    response = submit(client, post, author="张伟 😀 O'Neil; x=1", cookies_consent="on")
    # A WSGI server writes headers as Latin-1: anything else is a 500 there.
    for morsel in response.cookies.values():
        morsel.OutputString().encode("latin-1")
    form = soup(client.get(post.get_absolute_url())).select_one("#commentform")
    assert form.select_one("[name=author]")["value"] == "张伟 😀 O'Neil; x=1"


def test_unchecked_save_checkbox_forgets_the_cookies(client):
    post = make_post()
    submit(client, post, author="Anna Reader", cookies_consent="on")
    response = submit(client, post, author="Anna Reader")
    for name in ("comment_author", "comment_author_email", "comment_author_url"):
        cookie = response.cookies[name]
        assert (cookie.value, cookie["max-age"]) == ("", 0)


# --- Settings: the off switches ---------------------------------------------------


def test_flood_seconds_zero_turns_off_flood_control(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 0
    post = make_post()
    for _ in range(3):
        assert submit(client, post).status_code == 302
    assert Comment.objects.count() == 3


def test_min_fill_seconds_zero_accepts_an_instant_form(client, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    known_reader()
    post = make_post()
    comment = posted(client, post, form_token=aged_token(post, 0))
    assert comment.status == Comment.Status.APPROVED


def test_hold_first_false_approves_a_first_comment(client, settings):
    settings.COMMENT_HOLD_FIRST = False
    assert posted(client, make_post()).status == Comment.Status.APPROVED


def test_max_links_zero_allows_any_number_of_links(client, settings):
    settings.COMMENT_MAX_LINKS = 0
    known_reader()
    body = " ".join(f"https://site{i}.example" for i in range(6))
    assert posted(client, make_post(), comment=body).status == Comment.Status.APPROVED


def test_name_and_email_are_optional_when_not_required(client, settings):
    settings.COMMENT_REQUIRE_NAME_EMAIL = False
    post = make_post()
    form = soup(client.get(post.get_absolute_url())).select_one("#commentform")
    assert not form.select_one("[name=author]").has_attr("required")
    comment = posted(client, post, author="", email="")
    assert (comment.author_name, comment.author_email) == ("Anonymous", "")


def test_optional_email_is_still_validated(client, settings):
    settings.COMMENT_REQUIRE_NAME_EMAIL = False
    response = submit(client, make_post(), email="not-an-email")
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_guest_without_email_is_held_after_another_guests_approval(client, settings):
    settings.COMMENT_REQUIRE_NAME_EMAIL = False
    make_comment(post=make_post(), author_name="Someone Else", author_email="")
    comment = posted(client, make_post(), author="", email="")
    assert comment.status == Comment.Status.PENDING


def test_own_comment_removed_by_a_moderator_is_not_shown_as_awaiting(client):
    from forum import services

    post = make_post()
    mine = posted(client, post)
    make_comment(post=post, parent=mine)  # an approved reply keeps it in the thread
    services.comment_set_status(comments=[mine], status=Comment.Status.REMOVED)
    page = soup(client.get(post.get_absolute_url()))
    item = page.select_one(f"#comment-{mine.pk}")
    assert "This comment was removed." in item.get_text()
    assert "awaiting moderation" not in item.get_text()
    assert mine.body not in page.get_text()
