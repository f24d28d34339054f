"""Import a WordPress export (WXR 1.0–1.2): authors, categories, posts, comments.

    python manage.py import_wxr export.xml [--dry-run] [--with-pings]

The file is read as a stream, one post at a time. Each post goes in with its
comments in one transaction (forum.wordpress.importing): a post that fails is
reported and skipped, never half imported. Running it again imports only
what is not there yet, keyed on WordPress's ids (and a post's guid, for
exports where two posts share an id). --dry-run does all of it in
a transaction that is rolled back at the end, so the counts are the real ones.
"""

import time
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum.wordpress import wxr
from forum.wordpress.importing import ImportReport, wxr_import


class Command(BaseCommand):
    help = "Import a WordPress export (WXR): posts, comments, categories, authors."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The WXR file WordPress exported.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and import everything, then roll it all back.",
        )
        parser.add_argument(
            "--with-pings",
            action="store_true",
            help="Import pingbacks and trackbacks as comments too.",
        )

    def handle(self, *args, file, dry_run=False, with_pings=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()
        with path.open("rb") as raw:
            source = wxr.Source(raw)
            progress = Progress(self.stdout, path.stat().st_size, source)
            report = ImportReport(warn=progress.interrupt(self.stderr.write))
            try:
                with transaction.atomic() if dry_run else nullcontext():
                    wxr_import(
                        source,
                        report=report,
                        with_pings=with_pings,
                        on_item=progress.update,
                    )
                    if dry_run:
                        transaction.set_rollback(True)
            except wxr.WxrError as error:
                progress.clear()
                self._summary(report, source, time.monotonic() - started, dry_run)
                raise CommandError(f"{path}: {error}") from error
            progress.clear()
        self._summary(report, source, time.monotonic() - started, dry_run)
        if report.posts_failed:
            raise CommandError(f"{report.posts_failed} post(s) could not be imported.")

    def _summary(self, report, source, seconds, dry_run):
        posts = f"{report.posts_created} post(s)"
        if report.posts_existing:
            posts += f" ({report.posts_existing} already there)"
        comments = f"{report.comments_created} comment(s)"
        if report.comments_existing:
            comments += f" ({report.comments_existing} already there)"
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {posts}, {comments}, {report.categories_created} "
                f"new categor(ies) and {report.users_created} new user(s) "
                f"in {seconds:.1f} s."
            )
        )
        skipped = [f"{kind} × {n}" for kind, n in sorted(report.not_imported.items())]
        if report.pings_skipped:
            skipped.append(f"pingback/trackback × {report.pings_skipped}")
        if skipped:
            self.stdout.write(f"Left out: {', '.join(skipped)}.")
        if source.dropped:
            self.stdout.write(
                f"Dropped {source.dropped} control character(s) XML does not allow."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")


class Progress:
    """A one-line progress bar, drawn only when the output is a terminal."""

    WIDTH = 30

    def __init__(self, out, total: int, source: wxr.Source):
        self.out, self.total, self.source = out, max(total, 1), source
        self.enabled = out.isatty()
        self.items = 0
        self.drawn_at = 0.0

    def update(self) -> None:
        self.items += 1
        now = time.monotonic()
        if self.enabled and now - self.drawn_at >= 0.1:
            self.drawn_at = now
            done = min(self.source.position / self.total, 1.0)
            bar = "#" * int(done * self.WIDTH)
            self.out.write(
                f"\r[{bar:<{self.WIDTH}}] {done:4.0%}  {self.items} items", ending=""
            )
            self.out.flush()

    def clear(self) -> None:
        if self.enabled and self.drawn_at:
            self.out.write("\r" + " " * (self.WIDTH + 30) + "\r", ending="")
            self.out.flush()

    def interrupt(self, write):
        """Wrap `write` so its lines do not land in the middle of the bar."""

        def wrapped(message: str) -> None:
            self.clear()
            write(message)

        return wrapped
