"""The sitemap of posts and categories, and the robots.txt that names it."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_category, make_post

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_urls(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod")
        for url in root.iter(f"{NS}url")
    }


def test_sitemap_lists_published_posts_only(client):
    public = make_post(slug="public")
    make_post(slug="draft", status="draft")
    make_post(slug="later", published_at=timezone.now() + timedelta(days=1))
    urls = sitemap_urls(client)
    assert "http://testserver/posts/public/" in urls
    assert not any("/posts/draft/" in u or "/posts/later/" in u for u in urls)
    assert (
        urls["http://testserver/posts/public/"] == public.updated_at.date().isoformat()
    )


def test_sitemap_lists_categories_that_have_a_published_post(client):
    used, empty, drafts_only = (make_category(slug=s) for s in ("used", "empty", "dr"))
    make_post(categories=[used])
    make_post(categories=[drafts_only], status="draft")
    urls = sitemap_urls(client)
    assert "http://testserver/category/used/" in urls
    assert "http://testserver/category/empty/" not in urls
    assert "http://testserver/category/dr/" not in urls


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert lines[0] == "User-agent: *"
