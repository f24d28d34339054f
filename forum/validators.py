"""Checks on what people type that more than one form and model share."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Zero-width (non-)joiners are format characters that Persian, Indic scripts
# and emoji sequences need inside a name; every other one is refused.
JOINERS = {"\u200c", "\u200d"}


def is_control(char: str) -> bool:
    """Return True for a control (Cc) or format (Cf) character, joiners aside."""
    return unicodedata.category(char) in {"Cc", "Cf"} and char not in JOINERS


def refuse_control_characters(value: str) -> None:
    """Refuse a name with a line break, tab or other invisible control character.

    Names go into email subjects and headers, where a line break is refused
    (so every notification about the comment would fail), and bidirectional
    overrides would make a name read as something else.
    """
    if any(is_control(char) for char in value):
        raise ValidationError(
            _("Please remove line breaks and other control characters from the name."),
            code="control_characters",
        )


def without_control_characters(value: str) -> str:
    """Return the value with control characters replaced by spaces, trimmed."""
    return " ".join("".join(" " if is_control(c) else c for c in value).split())
