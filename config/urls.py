from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Log in and out, password change and reset, with templates/registration/.
    path("accounts/", include("forum.auth_urls")),
    path("", include("forum.urls")),
]
