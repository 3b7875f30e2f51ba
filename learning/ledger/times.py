"""Stored ledger times on the read side: every screen renders whatever an old bug or an import wrote.

Figures built from times (a streak, "last active") skip rows outside the plausible range: a row
dated year 1 or 9999 is no evidence of when someone learned. A time shown on its own is clamped
into the range every time zone can represent, so converting it to a local date never overflows,
and an odd stored date still looks odd rather than plausible.
"""

import datetime
from typing import overload

from django.db.models import Q

UTC = datetime.UTC
# Before any phone ran this app: an earlier time is a broken clock or a broken import.
EARLIEST_PLAUSIBLE = datetime.datetime(2000, 1, 1, tzinfo=UTC)
# Phones' clocks drift; anything further ahead than this was not "recorded offline", it is wrong.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)

# Two days inside Python's (and PostgreSQL's) calendar: room for any UTC offset (at most ±26 h).
_LOWEST = datetime.datetime.min.replace(tzinfo=UTC) + datetime.timedelta(days=2)
_HIGHEST = datetime.datetime.max.replace(tzinfo=UTC) - datetime.timedelta(days=2)
_LOWEST_DATE, _HIGHEST_DATE = _LOWEST.date(), _HIGHEST.date()


def plausible(now: datetime.datetime, field: str = "occurred_at") -> Q:
    """Rows whose `field` is a time someone could really have done something, as of `now`."""
    return Q(**{f"{field}__gte": EARLIEST_PLAUSIBLE, f"{field}__lte": now + FUTURE_TOLERANCE})


@overload
def displayable(moment: datetime.datetime) -> datetime.datetime: ...
@overload
def displayable(moment: None) -> None: ...
def displayable(moment: datetime.datetime | None) -> datetime.datetime | None:
    """`moment`, moved just inside the calendar if it sits at its very edge."""
    if moment is None:
        return None
    return min(max(moment, _LOWEST), _HIGHEST)


def add_days(day: datetime.date, days: int) -> datetime.date:
    """`day` + `days`, stopping at the calendar's edges instead of overflowing."""
    try:
        return min(max(day + datetime.timedelta(days=days), _LOWEST_DATE), _HIGHEST_DATE)
    except OverflowError:
        return _LOWEST_DATE if days < 0 else _HIGHEST_DATE
