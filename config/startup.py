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
