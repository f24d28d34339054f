"""Screenshots of the admin's comment list for docs/screenshots/ (not part of
the suite): `.venv/bin/pytest tests/screenshots_admin.py`.

The demo posts, plus the comments a moderator meets (held, spam, removed,
with Markdown and links), on pytest-django's live server in Debian's Chromium,
logged in as a moderator: the list at phone (390 px) and desktop (1280 px)
widths, light and dark. pytest collects this file only when it is named on
the command line.
"""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from forum.models import Comment, Post
from tests import browsing
from tests.admin_client import log_in_browser
from tests.factories import make_comment, make_moderator

browsing.require_chromium()

FOLDER = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
SIZES = {"phone": browsing.PHONE, "desktop": browsing.DESKTOP}
SCHEMES = ("light", "dark")
# Tall pages are cut here: enough to show the page, small enough to keep.
MAX_HEIGHT = 2600

pytestmark = pytest.mark.django_db(transaction=True)

Status = Comment.Status
# (name, email, ip, status, body): newest first once added, after the demo's.
QUEUE = [
    (
        "Nina Newcomer",
        "nina.newcomer@example.org",
        "198.51.100.23",
        Status.PENDING,
        "First time here. The **supply** point is right, but see the "
        "[ministry's own figures](https://example.org/figures) before you "
        "call it a collapse.",
    ),
    (
        "Cheap Watches",
        "deals@spam.example",
        "203.0.113.66",
        Status.SPAM,
        "Great post!!! Visit https://spam.example/watches and "
        "https://spam.example/bags for the *best* prices.",
    ),
    (
        "Otto",
        "otto@example.net",
        "192.0.2.14",
        Status.REMOVED,
        "> Whoever holds the ruins will call it a victory.\n\n"
        "And whoever quotes it will call it wisdom. Spare us.",
    ),
]


@pytest.fixture
def moderated_demo(live_server, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    call_command("load_demo", stdout=StringIO())
    seed = Post.objects.get(slug=browsing.SEED_SLUG)
    mark = Comment.objects.get(post=seed, author_name="Mark Logan", level=0)
    for minute, (name, email, ip, status, body) in enumerate(QUEUE):
        make_comment(
            post=seed,
            parent=mark if status != Status.SPAM else None,
            author_name=name,
            author_email=email,
            ip_address=ip,
            status=status,
            body=body,
            created_at=datetime(2022, 12, 30, 8, minute, tzinfo=UTC),
        )
    return live_server


def _shoot(page, name: str) -> Path:
    path = FOLDER / f"{name}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)}
    page.screenshot(path=path, full_page=True, clip=clip)
    return path


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_take_admin_screenshots(browser, moderated_demo, size, scheme):
    FOLDER.mkdir(parents=True, exist_ok=True)
    moderator = make_moderator(username=f"mia-{size}-{scheme}", first_name="Mia")
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme)
    log_in_browser(context, moderated_demo, moderator)
    page = context.new_page()
    page.goto(moderated_demo.url + reverse("admin:forum_comment_changelist"))
    _shoot(page, f"admin-comments-{size}-{scheme}")
    context.close()
