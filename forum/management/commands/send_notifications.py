"""Send the notification emails still in the outbox (new, or failed before).

Run it from cron (e.g. every minute) when NOTIFICATIONS_SEND=off, and in any
case now and then: whatever a background send could not deliver is retried
here, up to five attempts each.
"""

from django.core.management.base import BaseCommand, CommandError

from forum.models import Notification
from forum.services import notifications


class Command(BaseCommand):
    help = "Send queued notification emails; retry failed ones (exit 1 if any fail)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many are waiting."
        )

    def handle(self, *args, limit, dry_run=False, **options):
        waiting = Notification.objects.filter(
            sent_at=None, attempts__lt=notifications.MAX_ATTEMPTS
        ).count()
        if dry_run:
            self.stdout.write(f"{waiting} notification(s) waiting.")
            return
        sent, failed = notifications.send_pending(limit=limit)
        if failed:
            raise CommandError(f"{sent} sent, {failed} failed (they will be retried).")
        self.stdout.write(self.style.SUCCESS(f"{sent} notification(s) sent."))
