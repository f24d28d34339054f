"""The Content-Security-Policy header: django-csp, with one exception for the admin."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.urls import NoReverseMatch, reverse

# django-mptt's MPTTModelAdmin indents the comment tree (and its filter) with
# inline style attributes. Style attributes can't run code; <style> elements
# and every script stay under the site-wide policy.
ADMIN_UPDATE = {"style-src-attr": [UNSAFE_INLINE]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; admin pages may also use style attributes."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if _is_admin(request.path_info):
            parts.update = {**ADMIN_UPDATE, **(parts.update or {})}
        return parts


def _is_admin(path: str) -> bool:
    try:
        return path.startswith(reverse("admin:index"))
    except NoReverseMatch:  # a URLconf without the admin
        return False
