"""Delete old spam and removed comments and clear old IP addresses (for cron).

Retention in days comes from SPAM_RETENTION_DAYS (30) and IP_RETENTION_DAYS
(90); see forum.services.retention. Safe to run as often as wanted.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from forum.services.retention import comments_purge


class Command(BaseCommand):
    help = "Delete spam and removed comments past retention; clear old IP addresses."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would be done."
        )

    def handle(self, *args, dry_run=False, **options):
        purge = comments_purge(dry_run=dry_run)
        said = gettext(
            "%(deleted)d comments deleted, %(kept)d kept as placeholders for "
            "their replies, %(cleared)d comments' IP addresses cleared."
        )
        if dry_run:
            said = gettext("Dry run: ") + gettext(
                "%(deleted)d comments to delete, %(kept)d to keep as placeholders "
                "for their replies, %(cleared)d comments' IP addresses to clear."
            )
        self.stdout.write(
            said
            % {
                "deleted": purge.deleted,
                "kept": purge.kept_with_replies,
                "cleared": purge.addresses_cleared,
            }
        )
