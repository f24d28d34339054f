"""Shared rate-limit counters, reporters' accounts and IPs, lower-case addresses.

- LimitCounter: forum.limits counts here when REDIS_URL is unset.
- CommentReport.user and .ip_address, filled in from the old `reporter` key,
  so reports are weighed by distinct account and IP.
- Email addresses are stored in lower case (EmailAddressField). Existing rows
  are lowercased; rows that a unique constraint would then reject as twins
  are merged into one, keeping what each held (earliest date, account, note).
"""

import ipaddress

import django.db.models.deletion
import forum.models
import forum.validators
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower, Trim


def _normalised(field):
    return Lower(Trim(field))


def lowercase_plain(apps, schema_editor):
    """Columns without a unique constraint: one UPDATE each."""
    for model, field in (("Comment", "author_email"), ("Notification", "to")):
        rows = apps.get_model("forum", model).objects
        rows.exclude(**{field: _normalised(field)}).update(
            **{field: _normalised(field)}
        )


def _merge_confirmed(row, twin):
    twin.confirmed_at = min(twin.confirmed_at, row.confirmed_at)
    return ["confirmed_at"]


def _merge_trusted(row, twin):
    notes = [note for note in (twin.note, row.note) if note]
    twin.note = "; ".join(dict.fromkeys(notes))[:200]
    twin.created_at = min(twin.created_at, row.created_at)
    return ["note", "created_at"]


def _merge_subscription(row, twin):
    twin.user_id = twin.user_id or row.user_id
    twin.created_at = min(twin.created_at, row.created_at)
    return ["user", "created_at"]


def _twin_of_subscription(model, row, email):
    if row.comment_id:
        return model.objects.filter(email=email, comment_id=row.comment_id)
    return model.objects.filter(
        email=email, post_id=row.post_id, kind=row.kind, comment=None
    )


UNIQUE_ADDRESSES = (
    ("ConfirmedEmail", _merge_confirmed, None),
    ("TrustedAuthor", _merge_trusted, None),
    ("Subscription", _merge_subscription, _twin_of_subscription),
)


def lowercase_unique(apps, schema_editor):
    """Unique addresses: lowercase each row, merging it into a twin if one exists."""
    for name, merge, twins in UNIQUE_ADDRESSES:
        lowercase_model(apps.get_model("forum", name), merge, twins)


def lowercase_model(model, merge, twins):
    """Lowercase one model's addresses, merging rows into their twins."""
    for row in model.objects.exclude(email=_normalised("email")).order_by("pk"):
        email = row.email.strip().lower()
        same = twins(model, row, email) if twins else model.objects.filter(email=email)
        twin = same.exclude(pk=row.pk).order_by("pk").first()
        if twin is None:
            model.objects.filter(pk=row.pk).update(email=email)
            continue
        twin.save(update_fields=merge(row, twin))
        row.delete()


def fill_reporters(apps, schema_editor):
    """Give old reports their reporter's account or IP, from the `reporter` key."""
    report_model = apps.get_model("forum", "CommentReport")
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    users = set(user_model.objects.values_list("pk", flat=True))
    for report in report_model.objects.all():
        kind, _, value = report.reporter.partition(":")
        if kind == "user" and value.isascii() and value.isdigit():
            report.user_id = int(value) if int(value) in users else None
        elif kind == "ip":
            try:
                report.ip_address = str(ipaddress.ip_address(value))
            except ValueError:
                continue
        report.save(update_fields=["user", "ip_address"])


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0011_post_wp_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LimitCounter',
            fields=[
                ('key', models.CharField(max_length=100, primary_key=True, serialize=False)),
                ('count', models.PositiveIntegerField(default=0)),
                ('expires_at', models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.AddField(
            model_name='commentreport',
            name='ip_address',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address'),
        ),
        migrations.AddField(
            model_name='commentreport',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='comment',
            name='author_email',
            field=forum.models.EmailAddressField(blank=True, max_length=254, verbose_name='email'),
        ),
        migrations.AlterField(
            model_name='comment',
            name='author_name',
            field=models.CharField(max_length=100, validators=[forum.validators.refuse_control_characters], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='confirmedemail',
            name='email',
            field=forum.models.EmailAddressField(max_length=254, unique=True),
        ),
        migrations.AlterField(
            model_name='notification',
            name='to',
            field=forum.models.EmailAddressField(max_length=254),
        ),
        migrations.AlterField(
            model_name='subscription',
            name='email',
            field=forum.models.EmailAddressField(max_length=254),
        ),
        migrations.AlterField(
            model_name='trustedauthor',
            name='email',
            field=forum.models.EmailAddressField(max_length=254, unique=True),
        ),
        migrations.RunPython(lowercase_plain, migrations.RunPython.noop),
        migrations.RunPython(lowercase_unique, migrations.RunPython.noop),
        migrations.RunPython(fill_reporters, migrations.RunPython.noop),
    ]
