"""Cache invalidation the services can't see: who is a moderator.

Accounts, their staff flags and their groups change in Django's own user
admin. Comments by moderators carry a badge in the cached threads, so a
change there bumps the versions of the threads those users wrote in.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_delete

from forum import page_cache
from forum.models import MODERATORS
from forum.services import threads_touch_for_users

# What decides the badge (forum.views.thread_page._badges).
BADGE_FIELDS = {"is_staff", "is_superuser", "is_active"}


def user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return  # no comment yet
    if update_fields is not None and not BADGE_FIELDS & set(update_fields):
        return  # e.g. last_login, saved at every sign-in
    threads_touch_for_users(user_ids=[instance.pk])
    page_cache.touch_site()  # their name on the posts they wrote


def user_deleted(sender, instance, **kwargs):
    # Before: afterwards their comments no longer name them.
    threads_touch_for_users(user_ids=[instance.pk])
    page_cache.touch_site()


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:  # the group's members changed
        if instance.name == MODERATORS:
            members = instance.user_set.values_list("pk", flat=True)
            threads_touch_for_users(user_ids=members if pk_set is None else pk_set)
        return
    moderators = Group.objects.filter(name=MODERATORS)
    if action == "pre_clear" or moderators.filter(pk__in=pk_set).exists():
        threads_touch_for_users(user_ids=[instance.pk])


def connect() -> None:
    """Connect the receivers (ForumConfig.ready)."""
    page_cache.connect()
    user = get_user_model()
    post_save.connect(user_saved, sender=user, dispatch_uid="forum.user_saved")
    pre_delete.connect(user_deleted, sender=user, dispatch_uid="forum.user_deleted")
    m2m_changed.connect(
        groups_changed, sender=user.groups.through, dispatch_uid="forum.groups"
    )
