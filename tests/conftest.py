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


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser-test module (tests/browsing.py)."""
    with browsing.chromium() as chromium:
        yield chromium
