"""Mail the hourly digest to moderators who chose it (run from cron, hourly).

Each digest holds the comments held or reported since that moderator's last
one; a second run sends nothing new.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from forum.services import moderator_mail as mail


class Command(BaseCommand):
    help = "Mail moderators the comments held or reported since their last digest."

    def handle(self, *args, **options):
        written = mail.send_digests()
        self.stdout.write(
            ngettext("%d digest written.", "%d digests written.", written) % written
        )
