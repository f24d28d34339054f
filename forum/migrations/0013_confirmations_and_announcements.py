"""Subscriptions confirmed one by one, and comments announced after commit.

Each subscription now carries its own confirmation (`confirmed_at`, and the
comment whose confirmation link names it), replacing confirmed addresses
(ConfirmedEmail). What worked before keeps working: subscriptions of accounts
and of confirmed addresses stay active, and held comments whose subscribers
were never told are told when they are first approved.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Now


def carry_over(apps, schema_editor):
    Subscription = apps.get_model("forum", "Subscription")
    ConfirmedEmail = apps.get_model("forum", "ConfirmedEmail")
    Comment = apps.get_model("forum", "Comment")
    Notification = apps.get_model("forum", "Notification")
    CommentStatusChange = apps.get_model("forum", "CommentStatusChange")
    Subscription.objects.filter(
        Q(user__isnull=False) | Q(email__in=ConfirmedEmail.objects.values("email"))
    ).update(confirmed_at=Now())
    told = Notification.objects.filter(comment__isnull=False).values("comment_id")
    shown = CommentStatusChange.objects.filter(to_status="approved").values(
        "comment_id"
    )
    Comment.objects.filter(status__in=["pending", "spam"]).exclude(
        pk__in=told
    ).exclude(pk__in=shown).update(announcement="unseen")
    outbox = Notification.objects.filter(unsubscribe_url="")
    outbox.filter(body__contains="/email/confirm/").update(kind="confirm")
    outbox.filter(body__contains="/privacy/").update(kind="privacy")


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0012_limits_reports_emails'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='announcement',
            field=models.CharField(choices=[('unseen', 'Not shown yet: told when first approved'), ('due', 'Shown: subscribers to be told'), ('done', 'Told, or never to be (imported)')], default='done', editable=False, max_length=6),
        ),
        migrations.AddField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('reply', 'New comment'), ('confirm', 'Confirm subscriptions'), ('privacy', 'Privacy link')], default='reply', max_length=10),
        ),
        migrations.AddField(
            model_name='subscription',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='requested_with',
            field=models.ForeignKey(blank=True, help_text="The comment that asked for it; its confirmation link names it.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='forum.comment'),
        ),
        migrations.AlterField(
            model_name='blocklistentry',
            name='value',
            field=models.CharField(max_length=254),
        ),
        migrations.AlterField(
            model_name='notification',
            name='body',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='notification',
            name='subject',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(condition=models.Q(('announcement', 'due')), fields=['id'], name='comment_announcement_due_idx'),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ConfirmedEmail',
        ),
    ]
