"""The queue's URLs, under /admin/queue/ (config/urls.py), behind the admin's login."""

from django.contrib import admin
from django.urls import path

from forum.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", admin.site.admin_view(views.queue), name="queue"),
    path("decide/", admin.site.admin_view(views.decide), name="decide"),
    path("undo/", admin.site.admin_view(views.undo), name="undo"),
    path("<int:pk>/reply/", admin.site.admin_view(views.reply), name="reply"),
    path("<int:pk>/edit/", admin.site.admin_view(views.edit), name="edit"),
]
