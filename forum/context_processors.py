from django.conf import settings


def site(request):
    """Expose the site's name and tagline to every template."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "comment_require_login": settings.COMMENT_REQUIRE_LOGIN,
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
    }
