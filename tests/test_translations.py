"""Each shipped language speaks its own words (issue 18): the home page, the
seed thread and the comment form, and plurals with three or more forms.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.browsing import SEED_SLUG
from tests.html import soup
from tests.test_catalogue_complete import SHIPPED

pytestmark = pytest.mark.django_db


def code(directory: str) -> str:
    """pt_BR on disk is pt-br to browsers and Django."""
    return directory.replace("_", "-").lower()


def filled(directory: str) -> str:
    return code(directory)


def words(language: str, *messages: str) -> list[str]:
    with translation.override(language):
        return [translation.gettext(message) for message in messages]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def page(language: str, url: str):
    response = Client(headers={"accept-language": language}).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("directory", SHIPPED)
def test_the_home_page_speaks_the_language(directory, demo):
    language = filled(directory)
    html = page(language, "/")
    for english, translated in zip(
        ["Search", "Latest posts", "Posts and comments"],
        words(language, "Search", "Latest posts", "Posts and comments"),
        strict=True,
    ):
        assert translated != english, f"{language}: {english!r} untranslated"
        assert translated in html


@pytest.mark.parametrize("directory", SHIPPED)
def test_the_seed_thread_speaks_the_language(directory, demo):
    language = filled(directory)
    html = soup(page(language, f"/posts/{SEED_SLUG}/"))
    heading = html.select_one("#comments-title").get_text()
    assert "Responses to" not in heading
    closed, says = words(language, "Comments are closed.", "says:")
    assert closed in html.select_one(".no-comments").get_text()
    assert html.select_one(".says").get_text() == says != "says:"
    assert html.select_one(".comment-report-link").get_text() != "Report"


@pytest.mark.parametrize("directory", SHIPPED)
def test_the_comment_form_speaks_the_language(directory, demo):
    language = filled(directory)
    html = soup(page(language, "/posts/welcome-to-parley/"))
    title, submit, name = words(language, "Leave a Reply", "Post Comment", "Name")
    assert title != "Leave a Reply"
    assert title in html.select_one("#reply-title").get_text()
    assert html.select_one("#submit").get_text() == submit
    assert html.select_one("label[for=id_author]").get_text().startswith(name)


def responses(language: str, count: int) -> str:
    with translation.override(language):
        return render_to_string(
            "forum/includes/_responses.html", {"count": count}
        ).strip()


def test_ukrainian_says_1_3_and_12_responses_in_their_own_forms():
    filled("uk")
    one, three, twelve = (responses("uk", n) for n in (1, 3, 12))
    assert one.startswith("1 ") and three.startswith("3 ")
    assert twelve.startswith("12 ")
    # Three different words after the number: the three plural forms.
    assert len({one.split()[1], three.split()[1], twelve.split()[1]}) == 3
    assert responses("uk", 21).split()[1] == one.split()[1]  # like 1
    assert responses("uk", 14).split()[1] == twelve.split()[1]  # like 12


def test_arabic_uses_its_dual_and_plural_forms():
    filled("ar")
    texts = {n: responses("ar", n) for n in (1, 2, 3, 11, 100)}
    assert len(set(texts.values())) == 5, texts


# A link's accessible name must hold its visible text (WCAG 2.5.3, axe's
# label-content-name-mismatch): "Reply" inside "Reply to Ada", in every language.
LABELLED = [
    ("Reply", "Reply to %(name)s"),
    ("Report", "Report the comment by %(name)s"),
]


@pytest.mark.parametrize("directory", SHIPPED)
@pytest.mark.parametrize("visible,label", LABELLED)
def test_a_links_accessible_name_holds_its_visible_words(directory, visible, label):
    shown, named = words(code(directory), visible, label)
    assert shown.casefold() in named.casefold(), f"{shown!r} not in {named!r}"
