"""Send the notification emails still in the outbox (new, or failed before).

Run it from cron (e.g. every minute) when NOTIFICATIONS_SEND=off, and in any
case now and then: comments whose subscribers were never told (the process
died after commit) are announced, and whatever a background send could not
deliver is retried here, up to five attempts each.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from forum.models import Comment, Notification
from forum.services import outbox


class Command(BaseCommand):
    help = "Send queued notification emails; retry failed ones (exit 1 if any fail)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many are waiting."
        )

    def handle(self, *args, limit, dry_run=False, **options):
        waiting = Notification.objects.filter(
            sent_at=None, attempts__lt=outbox.MAX_ATTEMPTS
        ).count()
        if dry_run:
            due = Comment.objects.filter(announcement=Comment.Announcement.DUE).count()
            self.stdout.write(
                ngettext("%d notification waiting", "%d notifications waiting", waiting)
                % waiting
                + "; "
                + ngettext("%d comment to announce.", "%d comments to announce.", due)
                % due
            )
            return
        outbox.announce_due(limit=limit)
        sent, failed = outbox.send_pending(limit=limit)
        if failed:
            raise CommandError(f"{sent} sent, {failed} failed (they will be retried).")
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("%d notification sent.", "%d notifications sent.", sent) % sent
            )
        )
