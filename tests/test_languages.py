"""The reader's language (issue 18): how it is chosen, the switcher, <html lang
dir>, the JavaScript catalog, and caches kept per language."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_comment, make_post
from tests.html import soup

pytestmark = pytest.mark.django_db


def html_tag(response):
    return soup(response).find("html")


def test_the_site_language_is_english_by_default(client):
    tag = html_tag(client.get("/"))
    assert (tag["lang"], tag["dir"]) == ("en", "ltr")


def test_the_browser_language_is_used_when_shipped(client):
    response = client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert html_tag(response)["lang"] == "de"
    assert "Accept-Language" in response["Vary"]


def test_a_language_not_shipped_falls_back_to_the_sites(client, settings):
    settings.LANGUAGE_CODE = "fr"
    response = client.get("/", headers={"accept-language": "ja"})
    assert html_tag(response)["lang"] == "fr"


def test_arabic_pages_are_right_to_left(client):
    tag = html_tag(client.get("/", headers={"accept-language": "ar"}))
    assert (tag["lang"], tag["dir"]) == ("ar", "rtl")


def test_brazilian_portuguese_is_named_as_browsers_name_it(client):
    response = client.get("/", headers={"accept-language": "pt-BR"})
    assert html_tag(response)["lang"] == "pt-br"


def test_browser_language_ignored_when_turned_off(client, settings):
    settings.LANGUAGES_FROM_BROWSER = False
    settings.LANGUAGE_CODE = "uk"
    response = client.get("/", headers={"accept-language": "de"})
    assert html_tag(response)["lang"] == "uk"
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_footer_switcher_is_a_form_that_needs_no_script(client):
    form = soup(client.get("/")).select_one("footer form.language-form")
    assert form["method"] == "post"
    assert form["action"] == reverse("set_language")
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    assert form.select_one("input[name=next]")["value"] == "/"
    codes = [option["value"] for option in form.select("select option")]
    assert codes == ["en", "ar", "de", "es", "fr", "pt-br", "uk"]
    assert form.select_one("option[selected]")["value"] == "en"


def test_choosing_a_language_keeps_it_over_the_browsers(settings):
    settings.LANGUAGES_FROM_BROWSER = False  # the choice wins either way
    reader = Client()
    post = make_post(status="published")
    back = post.get_absolute_url()
    chosen = reader.post(reverse("set_language"), {"language": "es", "next": back})
    assert chosen.status_code == 302
    assert chosen["Location"] == back
    page = reader.get(back, headers={"accept-language": "de"})
    assert html_tag(page)["lang"] == "es"
    assert soup(page).select_one("option[selected]")["value"] == "es"


def test_the_switcher_refuses_a_language_not_shipped():
    reader = Client()
    reader.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert html_tag(reader.get("/"))["lang"] == "en"


def test_the_javascript_catalog_is_a_script_of_its_own(client):
    post = make_post(status="published")
    page = soup(client.get(post.get_absolute_url(), headers={"accept-language": "uk"}))
    sources = [script.get("src") for script in page.find_all("script")]
    assert all(sources), "no inline script"
    catalog = reverse("js-catalog", args=["uk"])
    assert sources[0] == catalog  # before the scripts that use it
    response = client.get(catalog)
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert b"django.gettext" in response.content or b"gettext" in response.content


def test_the_javascript_catalog_answers_304_to_a_current_copy(client):
    url = reverse("js-catalog", args=["de"])
    first = client.get(url)
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_the_javascript_catalog_of_an_unknown_language_is_not_found(client):
    assert client.get(reverse("js-catalog", args=["xx"])).status_code == 404


def test_the_page_cache_keeps_one_page_per_language(settings):
    settings.PAGE_CACHE_SECONDS = 600
    post = make_post(status="published")
    make_comment(post=post)
    url = post.get_absolute_url()
    assert Client().get(url, headers={"accept-language": "de"})["X-Page-Cache"] == (
        "miss"
    )
    english = Client().get(url, headers={"accept-language": "en"})
    assert english["X-Page-Cache"] == "miss"
    assert html_tag(english)["lang"] == "en"
    german = Client().get(url, headers={"accept-language": "de"})
    assert german["X-Page-Cache"] == "hit"
    assert html_tag(german)["lang"] == "de"


def test_the_thread_etag_differs_per_language(client):
    post = make_post(status="published")
    make_comment(post=post)
    url = post.get_absolute_url()
    german = client.get(url, headers={"accept-language": "de"})
    english = client.get(
        url, headers={"accept-language": "en", "if-none-match": german["ETag"]}
    )
    assert english.status_code == 200
    assert html_tag(english)["lang"] == "en"


def test_posts_and_comments_read_in_their_own_direction(client):
    post = make_post(status="published")
    make_comment(post=post, body="English in an Arabic page")
    page = soup(client.get(post.get_absolute_url(), headers={"accept-language": "ar"}))
    assert page.select_one(".entry-content")["dir"] == "auto"
    assert page.select_one(".comment-content")["dir"] == "auto"


def test_a_posts_text_is_marked_with_the_posts_language(client):
    """Screen readers and hyphenation follow the text, not the page's language."""
    post = make_post(status="published", language="de")
    response = client.get(post.get_absolute_url())
    assert html_tag(response)["lang"] == "en"
    assert soup(response).select_one(".entry-content")["lang"] == "de"
