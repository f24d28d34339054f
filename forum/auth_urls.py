"""Django's account URLs (log in and out, password change and reset), naming the site.

Without django.contrib.sites, Django's views call the site by the request's
host ("127.0.0.1:8000") in the login and logout pages and in the password
reset email. These are the same views and names, told SITE_NAME instead.
"""

from django.conf import settings
from django.contrib.auth import urls, views
from django.urls import path
from django.utils.functional import lazy

# Read when a page or email is rendered, so a changed setting shows at once.
SITE = {"site_name": lazy(lambda: settings.SITE_NAME, str)()}
NAMING_THE_SITE = {
    "login": views.LoginView.as_view(extra_context=SITE),
    "logout": views.LogoutView.as_view(extra_context=SITE),
    "password_reset": views.PasswordResetView.as_view(extra_email_context=SITE),
}

urlpatterns = [
    path(str(url.pattern), NAMING_THE_SITE.get(url.name, url.callback), name=url.name)
    for url in urls.urlpatterns
]
