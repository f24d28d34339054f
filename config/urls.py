from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.i18n import set_language

from forum.languages import javascript_catalog


def _admin_name() -> str:
    return gettext("%(site)s moderation") % {"site": settings.SITE_NAME}


# The admin's header and tab titles name the site, read when a page is drawn.
admin.site.site_header = admin.site.site_title = lazy(_admin_name, str)()
admin.site.index_title = gettext_lazy("Moderation and content")
# The comment list needs the width at 1280 px; the breadcrumbs and the index
# page lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # The moderation queue (forum.cockpit), inside the admin's login.
    path("admin/queue/", include("forum.cockpit.urls")),
    path("admin/", admin.site.urls),
    # Log in and out, password change and reset, with templates/registration/.
    path("accounts/", include("forum.auth_urls")),
    # The footer's language switcher (POST), and the JavaScript strings.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/<str:language>/catalog.js", javascript_catalog, name="js-catalog"),
    path("", include("forum.urls")),
]

# 503 and Retry-After while the database is down; Django's 500 page otherwise.
handler500 = "config.errors.server_error"
