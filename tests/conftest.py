from pathlib import Path

import pytest
from django.core.cache import cache

from tests import browsing
from tests.factories import make_moderator


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    """Fast password hashing; static files served from the source folders."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Notification emails go out in the request, after commit: tests see them
    # in mail.outbox (tests of the background thread set it back).
    settings.NOTIFICATIONS_SEND = "inline"
    # Caches keyed by the votes' refresh period (docs/decisions/0022) must
    # not roll over between two requests of a test: tests of the period set
    # their own.
    settings.VOTES_REFRESH_SECONDS = 10**6
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", first_name="Eda", last_name="Tor", password="pw"
    )


@pytest.fixture
def moderator():
    """A staff user in the "Moderators" group that migration 0004 creates."""
    return make_moderator(username="mod")


@pytest.fixture
def mod(client, moderator):
    """The test client, logged in as the moderator."""
    client.force_login(moderator)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (thread HTML is cached per version)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def relaxed_posting(settings):
    """Comments go straight in: no flood window, no minimum time to fill the form.

    Tests of those two rules set them back (to what they test) in their body.
    """
    settings.COMMENT_FLOOD_SECONDS = 0
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def guests_trusted(settings):
    """A guest's first comment is published at once, whatever the environment says."""
    settings.COMMENT_HOLD_FIRST = False


@pytest.fixture
def guests_held(settings):
    """A guest's first comment waits for a moderator, whatever the environment says."""
    settings.COMMENT_HOLD_FIRST = True


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run what waits for commit (the emails) at the end of each block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser-test module (tests/browsing.py)."""
    with browsing.chromium() as chromium:
        yield chromium


@pytest.fixture
def new_page(browser):
    """Open pages, each in a browser context of its own (own cookies, storage).

    `new_page(js=True, viewport=DESKTOP, scheme="light", init_scripts=(), **more)`:
    `init_scripts` run in every page before its own scripts (a Path is read
    from disk); `more` passes other Playwright context options through.
    """
    contexts = []

    def open_page(
        *, js=True, viewport=browsing.DESKTOP, scheme="light", init_scripts=(), **more
    ):
        context = browser.new_context(
            java_script_enabled=js, viewport=viewport, color_scheme=scheme, **more
        )
        for script in init_scripts:
            if isinstance(script, Path):
                context.add_init_script(path=script)
            else:
                context.add_init_script(script)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript, at the desktop size."""
    return new_page()


@pytest.fixture
def page_no_js(new_page):
    """A page with JavaScript turned off, as some readers browse."""
    return new_page(js=False)
