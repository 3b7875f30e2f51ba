"""When a nudge may go out: the next free dead-time window in the learner's own time zone.

Pure functions over a learner's rules (windows, quiet hours, daily cap, weekends, back-off), their
IANA time zone, `now` and the moments of the nudges already booked for them. Local wall-clock times
become UTC DST-safely: a time that does not exist (a spring-forward gap) moves forward to the first
moment after the gap; an ambiguous one (fall back) is its first occurrence.

Back-off: after BACKOFF_AFTER_IGNORED nudges in a row were sent and not opened (any activity of the
learner ends the run), the learner gets at most one nudge in any two consecutive local days: the
daily cap drops to one and a day next to a day with a nudge is skipped.
"""

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings

UTC = datetime.UTC
BACKOFF_AFTER_IGNORED = 3
# How far ahead a free slot is looked for (a weekends-only window with weekends off has none).
HORIZON_DAYS = 28
_DAY_MINUTES = 24 * 60
_EVERY_DAY = frozenset(range(7))


@dataclass(frozen=True)
class Window:
    """A dead-time window: local start and end on some weekdays (0 = Monday)."""

    days: frozenset[int]
    start: datetime.time
    end: datetime.time

    @property
    def label(self) -> str:
        """The window's time of day, the bandit's arm: "08:00-08:40" whatever its days."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def from_json(cls, window: Mapping) -> "Window":
        return cls(
            days=frozenset(window["days"]),
            start=datetime.time.fromisoformat(window["start"]),
            end=datetime.time.fromisoformat(window["end"]),
        )


@dataclass(frozen=True)
class Rules:
    quiet_start: datetime.time
    quiet_end: datetime.time
    windows: tuple[Window, ...]
    daily_cap: int
    weekends: bool
    backed_off: bool = False

    @classmethod
    def from_preferences(cls, preferences, *, backed_off: bool = False) -> "Rules":
        """From a NudgePreferences row (its windows are validated JSON); no windows → the default."""
        windows = tuple(Window.from_json(w) for w in preferences.windows or ())
        return cls(
            quiet_start=preferences.quiet_start,
            quiet_end=preferences.quiet_end,
            windows=windows or (default_window(),),
            daily_cap=preferences.daily_cap,
            weekends=preferences.weekends,
            backed_off=backed_off,
        )

    @property
    def cap(self) -> int:
        return min(self.daily_cap, 1) if self.backed_off else self.daily_cap


@dataclass(frozen=True)
class Slot:
    """A moment to send (UTC), until when it still makes sense (the window's end), and which window."""

    start: datetime.datetime
    end: datetime.datetime
    label: str
    local_date: datetime.date


def default_window() -> Window:
    start, end = settings.NUDGES_DEFAULT_WINDOW
    return Window(_EVERY_DAY, datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))


def is_backed_off(ignored_in_a_row: int) -> bool:
    return ignored_in_a_row >= BACKOFF_AFTER_IGNORED


def is_quiet(value: datetime.time, rules: Rules) -> bool:
    """Whether a local time falls in quiet hours [start, end), which may wrap midnight."""
    start, end = rules.quiet_start, rules.quiet_end
    if start < end:
        return start <= value < end
    return value >= start or value < end


@functools.lru_cache(maxsize=65536)  # pure, and learners share zones and windows
def to_utc(day: datetime.date, value: datetime.time, tz: datetime.tzinfo) -> datetime.datetime:
    """Local wall time on `day` as a UTC moment: a gap time → the end of the gap, an ambiguous
    time → its first occurrence."""
    local = datetime.datetime.combine(day, value, tzinfo=tz)  # fold=0: the first occurrence
    utc = local.astimezone(UTC)
    wall = local.replace(tzinfo=None)
    if utc.astimezone(tz).replace(tzinfo=None) == wall:
        return utc
    # In a gap, fold=1 reads the time with the offset after the transition (a moment before the
    # gap) and fold=0 with the one before (a moment past it); the transition lies between.
    lo, hi = local.replace(fold=1).astimezone(UTC), utc
    while hi - lo > datetime.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0) if hi.microsecond else hi


def local_counts(booked: Iterable[datetime.datetime], tz: datetime.tzinfo) -> Counter:
    """How many booked nudges fall on each local date."""
    return Counter(moment.astimezone(tz).date() for moment in booked)


def day_slots(
    rules: Rules,
    *,
    tz: datetime.tzinfo,
    now: datetime.datetime,
    booked: Sequence[datetime.datetime] = (),
) -> list[Slot]:
    """The free slots of the first local day (from today) that has any, earliest first; [] when
    none is free within HORIZON_DAYS (a cap of 0, or only weekend windows with weekends off)."""
    if rules.cap <= 0:
        return []
    if not booked:
        return list(_unbooked_day_slots(rules, tz, now))
    return _first_free_day(rules, tz=tz, now=now, booked=booked)


@functools.lru_cache(maxsize=4096)
def _unbooked_day_slots(
    rules: Rules, tz: datetime.tzinfo, now: datetime.datetime
) -> tuple[Slot, ...]:
    """Most learners have nothing booked: then their slots depend on their rules and zone alone,
    which thousands of learners share within a planning pass."""
    return tuple(_first_free_day(rules, tz=tz, now=now, booked=()))


def _first_free_day(
    rules: Rules,
    *,
    tz: datetime.tzinfo,
    now: datetime.datetime,
    booked: Sequence[datetime.datetime],
) -> list[Slot]:
    counts = local_counts(booked, tz)
    today = now.astimezone(tz).date()
    for offset in range(HORIZON_DAYS):
        slots = _slots_on(today + datetime.timedelta(days=offset), rules, tz, now, booked, counts)
        if slots:
            return slots
    return []


def next_slot(
    rules: Rules,
    *,
    tz: datetime.tzinfo,
    now: datetime.datetime,
    booked: Sequence[datetime.datetime] = (),
    choose: Callable[[list[Slot]], Slot] | None = None,
) -> Slot | None:
    """The next allowed send moment: a window open now if there is one (the learner is free now),
    else among the first free day's slots the one `choose` picks (the bandit), else the earliest."""
    slots = day_slots(rules, tz=tz, now=now, booked=booked)
    if not slots:
        return None
    if slots[0].start <= now or choose is None or len(slots) == 1:
        return slots[0]
    return choose(slots)


def _slots_on(
    day: datetime.date,
    rules: Rules,
    tz: datetime.tzinfo,
    now: datetime.datetime,
    booked: Sequence[datetime.datetime],
    counts: Counter,
) -> list[Slot]:
    weekday = day.weekday()
    if weekday >= 5 and not rules.weekends:
        return []
    if counts[day] >= rules.cap:
        return []
    one_day = datetime.timedelta(days=1)
    if rules.backed_off and (counts[day - one_day] or counts[day + one_day]):
        return []
    slots = []
    for window in rules.windows:
        if weekday not in window.days:
            continue
        opens, closes = to_utc(day, window.start, tz), to_utc(day, window.end, tz)
        if closes <= now or any(opens <= moment < closes for moment in booked):
            continue  # over, or this occurrence already carries a nudge: one per window
        slot = _first_free(day, window, rules, tz, now)
        if slot is not None:
            slots.append(slot)
    return sorted(slots, key=lambda s: (s.start, s.label))


def _first_free(
    day: datetime.date, window: Window, rules: Rules, tz: datetime.tzinfo, now: datetime.datetime
) -> Slot | None:
    """The earliest moment of the window's occurrence on `day` outside quiet hours and not before
    `now`. Checked again on the wall clock at the resulting moment: around a DST change (or a day a
    zone skipped) the conversion may land elsewhere, and then this occurrence is not used."""
    for first, last in _free_spans(window, rules):
        start = max(to_utc(day, _time(first), tz), now)
        end = to_utc(day, _time(last), tz)
        if start >= end:
            continue
        local = start.astimezone(tz)
        if local.date() != day or is_quiet(local.time(), rules):
            continue
        return Slot(start=start, end=end, label=window.label, local_date=day)
    return None


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _time(minutes: int) -> datetime.time:
    return datetime.time(minutes // 60, minutes % 60)


def _free_spans(window: Window, rules: Rules) -> list[tuple[int, int]]:
    """The window minus quiet hours, as half-open minute ranges within the day."""
    qs, qe = _minutes(rules.quiet_start), _minutes(rules.quiet_end)
    quiet = [(qs, qe)] if qs < qe else [(qs, _DAY_MINUTES), (0, qe)]
    spans = [(_minutes(window.start), _minutes(window.end))]
    for q_start, q_end in quiet:
        spans = [
            part
            for s, e in spans
            for part in ((s, min(e, q_start)), (max(s, q_end), e))
            if part[0] < part[1]
        ]
    return sorted(spans)
