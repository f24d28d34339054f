"""Verify every comment tree's MPTT invariants and every post's stored
counters; optionally repair what is broken.

Exits 1, listing the problems, when any tree is broken or any counter has
drifted. With --repair, each post with a broken tree has its forest rebuilt
from the parent links, under the same lock that replies take, each drifted
post is recounted, and the checks run again.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum import services, tree_checks
from forum.models import Comment, Post


class Command(BaseCommand):
    help = (
        "Check the comment trees (exit 1 on problems); --repair rebuilds broken ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Rebuild the comment trees of every post with a problem.",
        )

    def handle(self, *args, repair=False, **options):
        problems = tree_checks.find_problems()
        if problems and repair:
            self._report(problems)
            post_ids = self._posts_of(problems)
            for post_id in post_ids:
                changed = services.thread_rebuild(post_id=post_id)
                self.stdout.write(
                    f"Post {post_id}: rebuilt, {changed} comment(s) changed."
                )
            problems = tree_checks.find_problems()
        drifted = self._counters(repair)
        if problems or drifted:
            self._report(problems)
            failed = len(problems) + bool(drifted)
            raise CommandError(f"{failed} check(s) failed; run with --repair.")
        count = Comment.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"All comment trees are sound ({count} comments).")
        )

    def _counters(self, repair: bool) -> list[int]:
        """Find (and with repair, recount) posts whose counters drifted."""
        drifted = tree_checks.counter_drift()
        if drifted and repair:
            self._report_drift(drifted)
            with transaction.atomic():
                Post.objects.filter(pk__in=drifted).touch_threads()
            self.stdout.write(f"Recounted {len(drifted)} post(s).")
            drifted = tree_checks.counter_drift()
        self._report_drift(drifted)
        return drifted

    def _report_drift(self, drifted: list[int]) -> None:
        if drifted:
            posts = tree_checks.short(tuple(drifted))
            self.stderr.write(f"  stored comment counts differ: posts {posts}")

    def _report(self, problems):
        for problem in problems:
            self.stderr.write(f"  {problem}")

    def _posts_of(self, problems) -> list[int]:
        tree_ids = {t for p in problems for t in p.tree_ids}
        comment_ids = {c for p in problems for c in p.comment_ids}
        parents = Comment.objects.filter(pk__in=comment_ids).values("parent_id")
        # order_by(): the tree manager orders by (tree_id, lft), and SQLite
        # refuses ORDER BY inside the parts of a UNION.
        posts = (
            Comment.objects.filter(tree_id__in=tree_ids)
            .order_by()
            .values_list("post_id", flat=True)
            .union(
                Comment.objects.filter(pk__in=parents)
                .order_by()
                .values_list("post_id", flat=True)
            )
        )
        return sorted(set(posts))
