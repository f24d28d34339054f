from django.conf import settings
from django.utils.translation import gettext


def tagline() -> str:
    """The site's tagline: SITE_TAGLINE, or the default in the reader's language."""
    return settings.SITE_TAGLINE or gettext("Threaded discussions")


def site(request):
    """Expose the site's name and tagline to every template."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": tagline(),
        "comment_require_login": settings.COMMENT_REQUIRE_LOGIN,
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
    }
