"""One way to write dates and times on public pages.

"December 28, 2022 at 9:52 am": the thread renderer (forum.thread_html) writes
thousands of these per page, so this is plain string formatting
(strftime("%B") costs three times the rest). Templates use the same functions
through the `when`, `day` and `clock` filters (forum.templatetags.forum_tags),
so a thread and the pages around it never disagree.
"""

import calendar
from datetime import datetime

from django.utils.translation import pgettext_lazy

MONTHS = tuple(calendar.month_name)
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
        f"{MONTHS[moment.month]} {moment.day}, {moment.year} at "
        f"{hour % 12 or 12}:{moment.minute:02d} {'am' if hour < 12 else 'pm'}"
    )


def day(moment: datetime) -> str:
    """Return "December 28, 2022"."""
    return f"{MONTHS[moment.month]} {moment.day}, {moment.year}"


def clock(moment: datetime) -> str:
    """Return "9:52 am"."""
    hour = moment.hour
    return f"{hour % 12 or 12}:{moment.minute:02d} {'am' if hour < 12 else 'pm'}"
