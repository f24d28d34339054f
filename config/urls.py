from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Log in and out, password change and reset, with templates/registration/.
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("forum.urls")),
]

# 503 and Retry-After while the database is down; Django's 500 page otherwise.
handler500 = "config.errors.server_error"
