"""What the browser tests share: Debian's Chromium, driven by Playwright
against pytest-django's live server.

Never `playwright install` (it cannot download here); CI installs Chromium with
apt (.ci/run).
"""

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SEED_SLUG = "winter-offensive-stalls-at-bakhmut"
PENDING_NOTE = "Your comment is awaiting moderation."


def require_chromium() -> None:
    """Skip the calling test module, saying why, when Chromium is absent."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install chromium) to run the browser tests",
            allow_module_level=True,
        )


@contextmanager
def chromium():
    """Yield a headless Chromium, for a module-scoped `browser` fixture."""
    from playwright.sync_api import sync_playwright

    # The sync API marks its event loop as running in this thread while the
    # browser is open, which trips Django's async-safety guard on every query
    # the test and its fixtures make. No coroutine touches the ORM here, so the
    # guard is lifted for exactly that span (undone when the browser closes).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield browser
            finally:
                browser.close()
