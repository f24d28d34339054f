"""One way to write dates and times on public pages, in the page's language.

"December 28, 2022 at 9:52 am" in English (WordPress's default format),
"28 грудня 2022 р. о 09:52" in Ukrainian: each other language follows
Django's DATE_FORMAT and TIME_FORMAT for it, with its month names (the
genitive where the language needs it, Django's "E").

The thread renderer (forum.thread_html) writes thousands of these per page,
so each language's formats are compiled once, into one str.format template
each, and kept: a date then costs one format call, as in English (where
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


# Django's format characters this module compiles, as str.format fields over
# (moment, month name, month name in the genitive, a.m./p.m., AM/PM, hour on
# 12, two-digit year). Any other letter: Django's own formatter, slower.
_FIELDS = {
    "j": "{0.day}",
    "d": "{0.day:02d}",
    "n": "{0.month}",
    "m": "{0.month:02d}",
    "Y": "{0.year}",
    "y": "{6:02d}",
    "F": "{1}",
    "E": "{2}",
    "a": "{3}",
    "A": "{4}",
    "g": "{5}",
    "h": "{5:02d}",
    "G": "{0.hour}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_TOKEN = re.compile(r"\\(.)|([a-zA-Z])|([^\\a-zA-Z]+)", re.S)


def _template(django_format: str) -> str | None:
    """Compile a Django date format to a str.format template; None if it can't."""
    parts = []
    for escaped, letter, literal in _TOKEN.findall(django_format):
        if letter:
            if letter not in _FIELDS:
                return None
            parts.append(_FIELDS[letter])
        else:
            parts.append((escaped or literal).replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


@lru_cache(maxsize=16)
def _compiled(language: str) -> Formats:
    """Compile a language's formats once: its month names and templates."""
    with translation.override(language):
        date_format = get_format("DATE_FORMAT", language)
        time_format = get_format("TIME_FORMAT", language)
        names = (
            tuple(str(MONTHS.get(m, "")) for m in range(13)),
            tuple(str(MONTHS_ALT.get(m, "")) for m in range(13)),
            _meridiems("a"),  # Django's own words for them
            _meridiems("A"),
        )
        joined = str(AT).replace("{", "{{").replace("}", "}}")
    date, time = _template(date_format), _template(time_format)
    if date is None or time is None:
        return _django_formats(language, date_format, time_format)
    both = joined % {"date": date, "time": time}
    return Formats(
        _formatter(both, names), _formatter(date, names), _formatter(time, names)
    )


def _meridiems(letter: str) -> tuple[str, str]:
    """Django's morning and afternoon marks for the format letter, translated."""
    return tuple(
        dateformat.format(datetime(2000, 1, 1, hour), letter) for hour in (9, 21)
    )


def _formatter(template: str, names: tuple) -> Callable[[datetime], str]:
    months, genitive, small, large = names
    render = template.format

    def write(moment: datetime) -> str:
        month, hour = moment.month, moment.hour
        pm = hour >= 12
        return render(
            moment,
            months[month],
            genitive[month],
            small[pm],
            large[pm],
            hour % 12 or 12,
            moment.year % 100,
        )

    return write


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
