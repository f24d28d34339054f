"""One way to write dates and times on public pages, in the page's language.

"December 28, 2022 at 9:52 am" in English (WordPress's default format),
"28 грудня 2022 р. о 09:52" in Ukrainian: each other language follows
Django's DATE_FORMAT and TIME_FORMAT for it, with its month names (the
genitive where the language needs it, Django's "E").

The thread renderer (forum.thread_html) writes thousands of these per page,
so each language's formats are compiled once, into one f-string function
each, and kept: a date then costs one call, as in English (where
strftime("%B") would cost three times the rest). Templates use the same
functions through the `when`, `day` and `clock` filters
(forum.templatetags.forum_tags), so a thread and the pages around it never
disagree.
"""

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.utils import dateformat, translation
from django.utils.dates import MONTHS, MONTHS_ALT
from django.utils.formats import get_format
from django.utils.translation import pgettext_lazy

ENGLISH_MONTHS = tuple(calendar.month_name)
# A date and a time together, in languages other than English (whose
# WordPress format is written out below).
AT = pgettext_lazy(
    "a date and a time, e.g. 28 December 2022 at 09:52",
    "%(date)s at %(time)s",
)


def when(moment: datetime) -> str:
    """Return "December 28, 2022 at 9:52 am" (WordPress's default format)."""
    hour = moment.hour
    return (
        f"{ENGLISH_MONTHS[moment.month]} {moment.day}, {moment.year} at "
        f"{hour % 12 or 12}:{moment.minute:02d} {'am' if hour < 12 else 'pm'}"
    )


def day(moment: datetime) -> str:
    """Return "December 28, 2022"."""
    return f"{ENGLISH_MONTHS[moment.month]} {moment.day}, {moment.year}"


def clock(moment: datetime) -> str:
    """Return "9:52 am"."""
    hour = moment.hour
    return f"{hour % 12 or 12}:{moment.minute:02d} {'am' if hour < 12 else 'pm'}"


@dataclass(frozen=True)
class Formats:
    """A language's three ways of writing a moment."""

    when: Callable[[datetime], str]
    day: Callable[[datetime], str]
    clock: Callable[[datetime], str]


ENGLISH = Formats(when, day, clock)


def formats(language: str | None = None) -> Formats:
    """Return the formats of `language` (default: the active one)."""
    language = language or translation.get_language() or "en"
    return ENGLISH if language.startswith("en") else _compiled(language)


# Django's format characters this module compiles, as f-string expressions
# over the moment `m` and the language's names: months (F), months in the
# genitive (E), a.m./p.m. (a) and AM/PM (A). Any other letter: Django's own
# formatter, slower.
_FIELDS = {
    "j": "m.day",
    "d": "m.day:02d",
    "n": "m.month",
    "m": "m.month:02d",
    "Y": "m.year",
    "y": "m.year % 100:02d",
    "F": "F[m.month]",
    "E": "E[m.month]",
    "a": "a[m.hour >= 12]",
    "A": "A[m.hour >= 12]",
    "g": "m.hour % 12 or 12",
    "h": "m.hour % 12 or 12:02d",
    "G": "m.hour",
    "H": "m.hour:02d",
    "i": "m.minute:02d",
    "s": "m.second:02d",
}
_TOKEN = re.compile(r"\\(.)|([a-zA-Z])|([^\\a-zA-Z]+)", re.S)
# Literal text written into the f-string as is; anything else (braces,
# quotes, backslashes) is passed in as a value instead.
_PLAIN = re.compile(r"[^{}\"'\\\n\r]*")


def _template(django_format: str) -> list[tuple[str, str]] | None:
    """Parse a Django date format into (kind, text) parts; None if it can't.

    kind is "field" (an expression of _FIELDS) or "text" (literal).
    """
    parts = []
    for escaped, letter, literal in _TOKEN.findall(django_format):
        if letter:
            if letter not in _FIELDS:
                return None
            parts.append(("field", _FIELDS[letter]))
        else:
            parts.append(("text", escaped or literal))
    return parts


@lru_cache(maxsize=16)
def _compiled(language: str) -> Formats:
    """Compile a language's formats once: its month names and three functions."""
    with translation.override(language):
        date_format = get_format("DATE_FORMAT", language)
        time_format = get_format("TIME_FORMAT", language)
        names = {
            "F": tuple(str(MONTHS.get(m, "")) for m in range(13)),
            "E": tuple(str(MONTHS_ALT.get(m, "")) for m in range(13)),
            "a": _meridiems("a"),  # Django's own words for them
            "A": _meridiems("A"),
        }
        joined = str(AT)
    date, time = _template(date_format), _template(time_format)
    if date is None or time is None or joined.count("%(") != 2:
        return _django_formats(language, date_format, time_format)
    before, rest = joined.split("%(date)s")
    between, after = rest.split("%(time)s")
    both = [("text", before), *date, ("text", between), *time, ("text", after)]
    return Formats(
        _function(both, names), _function(date, names), _function(time, names)
    )


def _meridiems(letter: str) -> tuple[str, str]:
    """Django's morning and afternoon marks for the format letter, translated."""
    return tuple(
        dateformat.format(datetime(2000, 1, 1, hour), letter) for hour in (9, 21)
    )


def _function(parts: list[tuple[str, str]], names: dict) -> Callable[[datetime], str]:
    """One f-string for the parts: as fast as the English functions above.

    Only _FIELDS' expressions and plain literal text go into the code;
    other text is passed in as values (L), names as F, E, a, A.
    """
    literals: list[str] = []
    code = []
    for kind, text in parts:
        if kind == "field":
            code.append("{" + text + "}")
        elif _PLAIN.fullmatch(text):
            code.append(text)
        else:
            code.append(f"{{L[{len(literals)}]}}")
            literals.append(text)
    namespace = {**names, "L": tuple(literals)}
    return eval(f'lambda m: f"{"".join(code)}"', namespace)  # noqa: S307


def _django_formats(language: str, date_format: str, time_format: str) -> Formats:
    """A language whose formats use letters not compiled here: Django writes them."""

    def writer(*parts: str) -> Callable[[datetime], str]:
        def write(moment: datetime) -> str:
            with translation.override(language):
                texts = [dateformat.format(moment, part) for part in parts]
                if len(texts) == 1:
                    return texts[0]
                return str(AT) % {"date": texts[0], "time": texts[1]}

        return write

    return Formats(
        writer(date_format, time_format), writer(date_format), writer(time_format)
    )
