"""The site's icon: linked from every page, and at /favicon.ico for browsers
and tools that ask there without reading the page."""

import urllib.request

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from tests.html import soup

pytestmark = pytest.mark.django_db

ICO_MAGIC = b"\x00\x00\x01\x00"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_ico_answers_with_an_icon_through_the_server(live_server):
    with urllib.request.urlopen(live_server.url + "/favicon.ico") as response:
        assert response.status == 200
        assert response.read(4) == ICO_MAGIC


def icon_links(page) -> dict[str, str]:
    return {link["type"]: link["href"] for link in page.select("link[rel=icon]")}


@pytest.mark.parametrize("url", [reverse("forum:post-list"), reverse("admin:login")])
def test_pages_link_the_svg_icon_and_a_png_fallback(url):
    links = icon_links(soup(Client().get(url)))
    assert links == {
        "image/svg+xml": static("img/favicon.svg"),
        "image/png": static("img/favicon-32.png"),
    }


def test_icons_are_what_their_names_say():
    with open(finders.find("img/favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith("<svg ")
    with open(finders.find("img/favicon-32.png"), "rb") as png:
        header = png.read(24)
    assert header[:8] == PNG_MAGIC
    assert (int.from_bytes(header[16:20]), int.from_bytes(header[20:24])) == (32, 32)
    with open(finders.find("img/favicon.ico"), "rb") as ico:
        assert ico.read(4) == ICO_MAGIC
