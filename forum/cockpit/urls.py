"""The queue's URLs, under /admin/queue/ (config/urls.py), behind the admin's login
(but for the signed email links, forum.cockpit.inbox)."""

from django.contrib import admin
from django.urls import path

from forum.cockpit import inbox, views

app_name = "cockpit"
urlpatterns = [
    path("", admin.site.admin_view(views.queue), name="queue"),
    path("decide/", admin.site.admin_view(views.decide), name="decide"),
    path("undo/", admin.site.admin_view(views.undo), name="undo"),
    path("<int:pk>/reply/", admin.site.admin_view(views.reply), name="reply"),
    path("<int:pk>/edit/", admin.site.admin_view(views.edit), name="edit"),
    path("mail/", admin.site.admin_view(inbox.mail_preferences), name="mail"),
    # Links from moderators' emails: the signed token is the credential.
    path("email/<str:token>/", inbox.email_decision, name="email"),
]
