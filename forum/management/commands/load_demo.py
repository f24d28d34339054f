"""Load the demo posts: the seed thread's exact shape, plus a post open for replies.

Idempotent: a post whose slug exists is left alone, with its comments.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from forum import services
from forum.models import Category, Post

SEED_SLUG = "winter-offensive-stalls-at-bakhmut"
SEED_POSTED = datetime(2022, 12, 28, 9, 5, tzinfo=UTC)
SEED_BODY = """\
A Ukrainian commander near Bakhmut said this week that the Russian push on the
town has cost thousands of lives for a few hundred metres of ground, and that
the fight has become a matter of prestige more than of strategy.

> "Whoever holds the ruins will call it a victory. Nobody will be able to say
> what it was for."

Regional officials describe newly mobilised units arriving with little training
and less ammunition, while rival commanders compete for credit in Moscow.
Independent analysts expect the front to stay where it is until spring.
"""

# (author, depth, text): the seed thread in reading order (../shared/seed).
SEED_THREAD = [
    (
        "Mark Logan",
        0,
        "The latest situation report makes the same point from the "
        "other side: supplies are being handed out by who is in favour, not by who "
        "needs them. An army that fights over its own shells is in trouble.\n\n"
        "Someone in Moscow is worried, and it shows.",
    ),
    (
        "Fourth and Long",
        0,
        "There is a long interview with a retired colonel on an "
        "opposition channel this week. His claim: air-defence missiles are being "
        "re-purposed for ground targets because the ordinary stock is running out.\n\n"
        "If that's true, the depletion is real and not just propaganda.",
    ),
    (
        "borko",
        1,
        "That would fit with how often the drones have been getting "
        "through lately.\n\nI haven't seen anything about new factories coming online "
        "to replace what is being used up, either.",
    ),
    (
        "Fourth and Long",
        2,
        "He was asked exactly that. His answer was that the "
        "announced reorganisation looks good on paper, but thirty years of money "
        "leaving the country doesn't come back because a ministry says so.",
    ),
    (
        "borko",
        0,
        "Worth listening to: a long conversation with a retired Marine "
        "officer who now trains volunteers near the front. Calm, specific, no hype.",
    ),
    (
        "Sam",
        0,
        "I still don't understand why this one town matters so much that "
        "both sides keep feeding people into it. What is the military value?",
    ),
    (
        "TTG",
        1,
        "It mattered while the northern salient was held: taking it would "
        "have opened the way to the bigger cities to the west. Once the north was "
        "lost, that plan was gone.\n\nWhat is left is symbolism, and symbols are "
        "expensive to give up.",
    ),
    (
        "Leith",
        1,
        "TTG & Sam, I agree it is mostly political now. It is also a "
        "place where one commander can prove something to his patron.",
    ),
    (
        "borko",
        2,
        "> one commander can prove something to his patron\n\n"
        "Exactly, and that makes the losses nobody's problem in Moscow.",
    ),
    (
        "blue peacock",
        3,
        "Which is why it may drag on long after it stops making "
        "sense. Prestige projects rarely end on a map.",
    ),
    (
        "Fourth and Long",
        0,
        "One more link for the archive: a short piece on how "
        "the winter has slowed everything down on both sides.",
    ),
    (
        "different clue",
        1,
        "Thanks. The mud comes back in March; that will be the real test.",
    ),
]

OPEN_SLUG = "welcome-to-parley"
OPEN_BODY = """\
Parley is a small place for long conversations. Read the thread below, then
reply to the post or to any comment: your reply appears under the comment you
answered.

You can use a little formatting: *emphasis*, `code`, links, and a line starting
with `>` quotes the text you are answering.
"""
OPEN_THREAD = [
    ("Ada", 0, "Hello! Is this thing on?"),
    ("Grace", 1, "> Is this thing on?\n\nLoud and clear."),
]


class Command(BaseCommand):
    help = "Create the demo posts (the seed thread and an open post); safe to re-run."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = self._editor()
        categories = [
            Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in (
                ("russia", "Russia"),
                ("ukraine-crisis", "Ukraine Crisis"),
            )
        ]
        created = self._post(
            slug=SEED_SLUG,
            title="Winter Offensive Stalls at Bakhmut, Officials Say",
            body=SEED_BODY,
            author=editor,
            published_at=SEED_POSTED,
            categories=categories,
            comments_open=False,
            thread=SEED_THREAD,
        )
        created += self._post(
            slug=OPEN_SLUG,
            title="Welcome to Parley",
            body=OPEN_BODY,
            author=editor,
            published_at=SEED_POSTED + timedelta(days=1),
            categories=[],
            comments_open=True,
            thread=OPEN_THREAD,
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data: {created} post(s) created."))

    def _editor(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username="editor",
            defaults={"first_name": "The", "last_name": "Editors", "is_staff": False},
        )
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _post(self, *, slug, thread, **fields) -> int:
        if Post.objects.filter(slug=slug).exists():
            self.stdout.write(f"{slug}: already there, left alone.")
            return 0
        post = services.post_create(slug=slug, **fields)
        ancestors = []  # ancestors[d] = the latest comment at depth d
        when = post.published_at
        for author, depth, text in thread:
            when += timedelta(minutes=47)
            comment = services.comment_create(
                post=post,
                parent=ancestors[depth - 1] if depth else None,
                author_name=author,
                author_email=f"{author.replace(' ', '.').lower()}@example.com",
                body=text,
                created_at=when,
            )
            ancestors[depth:] = [comment]
        return 1
