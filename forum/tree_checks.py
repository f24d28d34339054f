"""Integrity checks for the comment trees (the `check_threads` command).

Together the first eight checks pin every lft/rght/level value to what the
parent links say; the last one is Parley's own rule that a reply lives on its
parent's post. Each query returns (tree_id, comment_id) rows that break it;
no rows means the tables are sound. Plain SQL that PostgreSQL and SQLite share.

Apart from the trees, `counter_drift` finds posts whose stored counters
(Post.comment_count, Post.root_count) differ from a real count.
"""

from dataclasses import dataclass

from django.db import connections

from forum.models import COMMENT_COUNT_SQL, ROOT_COUNT_SQL

T = "forum_comment"

CHECKS = {
    "root is not at lft 1, level 0": f"""
        SELECT tree_id, id FROM {T}
        WHERE parent_id IS NULL AND (lft <> 1 OR level <> 0)""",
    "tree without exactly one root": f"""
        SELECT tree_id, NULL FROM {T} GROUP BY tree_id
        HAVING SUM(CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END) <> 1""",
    "root does not span its whole tree": f"""
        SELECT r.tree_id, r.id FROM {T} r
        JOIN (SELECT tree_id, COUNT(*) AS n FROM {T} GROUP BY tree_id) c
          ON c.tree_id = r.tree_id
        WHERE r.parent_id IS NULL AND r.rght <> 2 * c.n""",
    "lft/rght interval is not sane": f"""
        SELECT tree_id, id FROM {T} WHERE lft >= rght OR (rght - lft) % 2 = 0""",
    "lft or rght value used twice in a tree": f"""
        SELECT tree_id, NULL FROM (
            SELECT tree_id, lft AS v FROM {T} UNION ALL SELECT tree_id, rght FROM {T}
        ) b GROUP BY tree_id, v HAVING COUNT(*) > 1""",
    "child's tree or level disagrees with its parent": f"""
        SELECT c.tree_id, c.id FROM {T} c JOIN {T} p ON p.id = c.parent_id
        WHERE c.tree_id <> p.tree_id OR c.level <> p.level + 1""",
    "siblings do not tile their parent": f"""
        SELECT tree_id, id FROM (
            SELECT c.tree_id, c.id, c.lft, c.rght, p.lft AS p_lft, p.rght AS p_rght,
                   LAG(c.rght) OVER w AS prev_rght, LEAD(c.lft) OVER w AS next_lft
            FROM {T} c JOIN {T} p ON p.id = c.parent_id
            WINDOW w AS (PARTITION BY c.parent_id ORDER BY c.lft, c.id)
        ) s
        WHERE lft <> COALESCE(prev_rght, p_lft) + 1
           OR (next_lft IS NULL AND rght <> p_rght - 1)""",
    "leaf is wider than 1": f"""
        SELECT n.tree_id, n.id FROM {T} n
        WHERE n.rght <> n.lft + 1
          AND NOT EXISTS (SELECT 1 FROM {T} c WHERE c.parent_id = n.id)""",
    "reply is on another post than its parent": f"""
        SELECT c.tree_id, c.id FROM {T} c JOIN {T} p ON p.id = c.parent_id
        WHERE c.post_id <> p.post_id""",
}


COUNTER_DRIFT = f"""
    SELECT p.id FROM forum_post p
    WHERE p.comment_count <> {COMMENT_COUNT_SQL.format(post="p")}
       OR p.root_count <> {ROOT_COUNT_SQL.format(post="p")}
    ORDER BY p.id"""


@dataclass(frozen=True)
class Problem:
    check: str
    tree_ids: tuple[int, ...]
    comment_ids: tuple[int, ...]

    def __str__(self):
        found = f"tree ids {short(self.tree_ids)}"
        if self.comment_ids:
            found += f"; comments {short(self.comment_ids)}"
        return f"{self.check}: {found}"


def find_problems(using: str = "default") -> list[Problem]:
    """Run every check; return one Problem per check that found rows."""
    problems = []
    with connections[using].cursor() as cursor:
        for check, sql in CHECKS.items():
            cursor.execute(sql)
            rows = cursor.fetchall()
            if rows:
                problems.append(
                    Problem(
                        check,
                        tuple(sorted({t for t, _ in rows})),
                        tuple(sorted({c for _, c in rows if c is not None})),
                    )
                )
    return problems


def short(ids: tuple[int, ...], limit: int = 10) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > limit else "")


def counter_drift(using: str = "default") -> list[int]:
    """Return the ids of posts whose stored counters differ from a real count."""
    with connections[using].cursor() as cursor:
        cursor.execute(COUNTER_DRIFT)
        return [post_id for (post_id,) in cursor.fetchall()]
