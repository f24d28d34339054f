"""Dates and times in the page's language (forum.dates, issue 18)."""

from datetime import datetime

import pytest
from django.utils import translation

from forum import dates
from tests.factories import make_comment, make_post
from tests.html import soup

MOMENT = datetime(2022, 12, 28, 9, 52)


def test_english_keeps_wordpress_format():
    assert dates.formats("en").when(MOMENT) == "December 28, 2022 at 9:52 am"


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("uk", "28 грудня 2022 р."),  # the genitive, as Ukrainian writes dates
        ("de", "28. Dezember 2022"),
        ("fr", "28 décembre 2022"),
        ("es", "28 de diciembre de 2022"),
        ("ar", "28 ديسمبر، 2022"),
    ],
)
def test_each_language_writes_its_own_date_with_month_names(language, written):
    assert dates.formats(language).day(MOMENT) == written


def test_times_follow_the_language():
    assert dates.formats("de").clock(MOMENT.replace(hour=21)) == "21:52"
    assert dates.formats("en").clock(MOMENT.replace(hour=21)) == "9:52 pm"


def test_date_and_time_are_joined_by_the_languages_words():
    with translation.override("de"):
        at = str(dates.AT)
    expected = at % {"date": "28. Dezember 2022", "time": "09:52"}
    assert dates.formats("de").when(MOMENT) == expected


def test_the_active_language_is_the_default():
    with translation.override("fr"):
        assert dates.formats().day(MOMENT) == "28 décembre 2022"


def test_a_format_with_letters_not_compiled_is_written_by_django():
    formats = dates._django_formats("de", "D, j. F Y", "H:i")
    assert formats.day(MOMENT) == "Mi, 28. Dezember 2022"
    assert dates._template("D, j. F Y") is None


@pytest.mark.django_db
def test_the_thread_and_the_post_write_dates_in_the_readers_language(client):
    post = make_post(status="published")
    comment = make_comment(post=post)
    url = post.get_absolute_url()
    german = soup(client.get(url, headers={"accept-language": "de"}))
    written = german.select_one(f"#div-comment-{comment.pk} time").get_text()
    created = comment.created_at
    assert written.startswith(dates.formats("de").day(created))
    english = soup(client.get(url, headers={"accept-language": "en"}))
    assert english.select_one(f"#div-comment-{comment.pk} time").get_text() == (
        dates.when(created)
    )
    meta = german.select_one(".entry-meta time").get_text()
    assert meta == dates.formats("de").day(post.published_at)


def test_literal_text_with_braces_and_quotes_is_written_as_is():
    write = dates._function(
        [("text", "{a} "), ("field", "m.day"), ("text", " \"b\" \\ 'c'")], {}
    )
    assert write(MOMENT) == "{a} 28 \"b\" \\ 'c'"
