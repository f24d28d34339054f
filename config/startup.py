"""Checks a production server runs before it takes its first request."""

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def require_collected_static() -> None:
    """Refuse to start with hashed static names but no manifest of them.

    With DEBUG off, pages link their CSS and scripts through the manifest
    `collectstatic` writes; without it every page would answer 500.
    """
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return  # DEBUG (plain names), or a storage that needs no manifest
    if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
        manifest = staticfiles_storage.path(staticfiles_storage.manifest_name)
        raise ImproperlyConfigured(
            f"Static files are not collected: {manifest} is missing. Run "
            "`python manage.py collectstatic --no-input` before starting the "
            "server (`make serve` does)."
        )


def warm_up() -> None:
    """Do at a worker's start what its first request would otherwise pay for.

    Django imports the views behind the URL patterns, compiles templates and
    loads the translation catalogue on first use. gunicorn replaces each
    worker after `max_requests`, so without this a reader every couple of
    thousand requests waits for it (measured on a 10,000-comment thread: the
    first uncached page in a new process took 560 ms, the next ones 340).
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 -- imports every view module
    with translation.override(settings.LANGUAGE_CODE):
        for name in WARM_TEMPLATES:
            get_template(name)


# The pages most readers land on, and what they include.
WARM_TEMPLATES = (
    "forum/post_detail.html",
    "forum/post_list.html",
    "forum/category_detail.html",
    "forum/comment_thread.html",
)
