"""The queue's POSTs, checked: a decision, its undo, a reply or an edit."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.cockpit import queries
from forum.models import Comment
from forum.services.triage import DECISIONS

# Most comments one decision takes (an author's "everything" included).
BATCH_LIMIT = 500


def _is_id(value) -> bool:
    """A row id: digits, within a bigint (SQLite refuses larger integers)."""
    return str(value).isdecimal() and len(str(value)) < 19


class DecisionForm(forms.Form):
    """One decision on the ticked comments, or on everything by one author."""

    # The buttons of each entry, in order: (action, label, key).
    BUTTONS = (
        ("approve", _("Approve"), "a"),
        ("hold", _("Hold"), ""),
        ("spam", _("Spam"), "s"),
        ("remove", _("Remove"), "d"),
        ("block", _("Block author"), ""),
        ("trust", _("Trust author"), ""),
    )

    action = forms.ChoiceField(choices=[(k, k) for k in DECISIONS])
    comment = forms.TypedMultipleChoiceField(
        required=False, coerce=int, choices=(), empty_value=None
    )
    author = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    # How long "Block author" lasts; "" is for ever.
    duration = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("for ever")),
            ("1", _("for a day")),
            ("7", _("for a week")),
            ("30", _("for a month")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].valid_value = _is_id

    @staticmethod
    def page_title() -> str:
        return gettext("Moderation queue")

    def clean(self):
        data = super().clean()
        if not data.get("comment") and not data.get("author"):
            raise forms.ValidationError(gettext("Choose at least one comment."))
        return data

    def block_until(self):
        """When a block taken now lifts itself (None: never)."""
        days = self.cleaned_data.get("duration")
        return timezone.now() + timedelta(days=int(days)) if days else None

    def comments(self, filters: queries.Filters) -> list[Comment]:
        """The comments the decision is about (an author's: in the tab shown)."""
        author = self.cleaned_data.get("author")
        if author:
            first = Comment.objects.filter(pk=author).first()
            chosen = (
                queries.by_author(first, filters) if first else Comment.objects.none()
            )
        else:
            chosen = Comment.objects.filter(pk__in=self.cleaned_data["comment"])
        return list(chosen.select_related("user").order_by("pk")[:BATCH_LIMIT])


class UndoForm(forms.Form):
    batch = forms.UUIDField()
    blocklist = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    trusted = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("blocklist", "trusted"):
            self.fields[name].valid_value = _is_id


class TextForm(forms.Form):
    """A moderator's reply, or a comment's corrected text."""

    body = forms.CharField(max_length=20000, strip=True)

    @staticmethod
    def replied(comment: Comment) -> str:
        return gettext("Replied: #%(pk)d, approved.") % {"pk": comment.pk}

    @staticmethod
    def edited(comment: Comment) -> str:
        return gettext("Edited #%(pk)d; the earlier text is kept.") % {"pk": comment.pk}
