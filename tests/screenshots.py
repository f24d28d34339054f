"""Screenshots for docs/screenshots/: `make screenshots` (not part of the suite).

The demo posts on pytest-django's live server, in Debian's Chromium: the home
page, the seed thread and the comment form sent with mistakes, at phone
(390 px) and desktop (1280 px) widths, light and dark. pytest collects this
file only when it is named on the command line.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from tests import browsing

browsing.require_chromium()

from playwright.sync_api import expect  # noqa: E402

FOLDER = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
SIZES = {"phone": browsing.PHONE, "desktop": browsing.DESKTOP}
SCHEMES = ("light", "dark")
# Tall pages are cut here: enough to show the page, small enough to keep.
MAX_HEIGHT = 2000

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    call_command("load_demo", stdout=StringIO())
    return live_server.url


def _shoot(page, name: str) -> Path:
    path = FOLDER / f"{name}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)}
    page.screenshot(path=path, full_page=True, clip=clip)
    return path


def _form_with_errors(page, base: str) -> None:
    page.goto(base + reverse("forum:post-detail", args=["welcome-to-parley"]))
    form = page.locator("#commentform")
    form.locator("input[name=author]").fill("Nina")
    form.locator("input[name=email]").fill("nina@example")
    form.locator("#submit").click()
    expect(page.locator(".error-summary")).to_be_focused()
    # The top of the window as the reader lands: a screen's worth only.
    page.evaluate("document.querySelector('#respond').scrollIntoView()")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_take_screenshots(browser, demo, size, scheme):
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme)
    page = context.new_page()
    page.goto(demo + reverse("forum:post-list"))
    _shoot(page, f"home-{size}-{scheme}")
    page.goto(demo + reverse("forum:post-detail", args=[browsing.SEED_SLUG]))
    _shoot(page, f"thread-{size}-{scheme}")
    _form_with_errors(page, demo)
    page.screenshot(path=FOLDER / f"form-errors-{size}-{scheme}.png")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_take_arabic_screenshots(browser, demo, size):
    """The seed thread right to left: replies indent from the right."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=SIZES[size], locale="ar")
    page = context.new_page()
    page.goto(demo + reverse("forum:post-detail", args=[browsing.SEED_SLUG]))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _shoot(page, f"thread-{size}-ar")
    context.close()
