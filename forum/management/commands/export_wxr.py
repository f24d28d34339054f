"""Export the blog as WordPress eXtended RSS (WXR 1.2).

    python manage.py export_wxr [FILE] [--site-url https://blog.example.com]

A thin shell around `forum.wordpress.exporting.wxr_export`, as `import_wxr`
is around `wxr_import`. The file holds commenters' email and IP addresses:
keep it private.
"""

from django.core.management.base import BaseCommand

from forum.wordpress.exporting import default_site_url, wxr_export


class Command(BaseCommand):
    help = "Export posts, categories, authors and comments as a WXR 1.2 file."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="Where to write (default: standard output)."
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The blog's address, for links (default: from DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, file=None, site_url="", **options):
        site_url = (site_url or default_site_url()).rstrip("/")
        if file:
            with open(file, "w", encoding="utf-8") as out:
                report = wxr_export(out, site_url=site_url)
        else:
            report = wxr_export(_Unbuffered(self.stdout), site_url=site_url)
        (self.stderr if file is None else self.stdout).write(
            self.style.SUCCESS(
                f"Exported {report.posts} post(s), {report.comments} "
                f"comment(s), {report.categories} categor(ies) and "
                f"{report.authors} author(s)" + (f" to {file}." if file else ".")
            )
        )


class _Unbuffered:
    """The command's stdout, written to without a newline after each piece."""

    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text: str) -> None:
        self.stdout.write(text, ending="")
