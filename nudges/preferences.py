"""A learner's nudge preferences: when they may be nudged, in their own local time.

`update_preferences` is the one way to change them (the API and the admin call it): it checks every
value first and writes nothing unless all are valid. Times are local wall-clock "HH:MM"; quiet hours
may wrap midnight ("21:00"–"08:00"); a dead-time window lies within one day and never in quiet hours.
"""

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from cms.errors import FieldError, Invalid
from learning.models import Learner, validate_timezone
from nudges.models import NudgePreferences
from nudges.plan_data import wake_planner

FIELDS = ("timezone", "quiet_hours", "windows", "daily_cap", "weekends", "nudges_enabled")
MAX_DAILY_CAP = 10
MAX_WINDOWS = 12
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_DAY_MINUTES = 24 * 60


class InvalidPreferences(Invalid):
    """Each error names its field dotted, as the app sent it: "quiet_hours.start", "windows.0.days"."""

    def __init__(self, errors: list[FieldError]):
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"Invalid input — {summary}", errors)


def get_preferences(learner: Learner) -> NudgePreferences:
    """The learner's preferences, created with the defaults on first use."""
    preferences, _ = NudgePreferences.objects.get_or_create(learner=learner)
    preferences.learner = learner
    return preferences


def update_preferences(
    learner: Learner, changes: Mapping[str, Any], *, now: datetime.datetime
) -> NudgePreferences:
    """Apply the given fields (a partial update); on any invalid value raise InvalidPreferences
    naming each bad field, and change nothing.

    The nudge planner looks at the learner again at `now`: their plan may no longer fit.
    """
    preferences = get_preferences(learner)
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            errors.append(FieldError(name, "Not a preference."))
        elif value is None:
            errors.append(FieldError(name, "May not be null."))
        else:
            try:
                values[name] = _CLEANERS[name](value)
            except InvalidPreferences as exc:
                errors.extend(exc.errors)
    if not errors:
        errors = _windows_outside_quiet_hours(preferences, values)
    if errors:
        raise InvalidPreferences(errors)
    if not values:
        return preferences

    fields = []
    if "quiet_hours" in values:
        preferences.quiet_start, preferences.quiet_end = values["quiet_hours"]
        fields += ["quiet_start", "quiet_end"]
    for name in ("windows", "daily_cap", "weekends", "nudges_enabled"):
        if name in values:
            setattr(preferences, name, values[name])
            fields.append(name)
    learner_fields = {}
    if "timezone" in values:
        learner_fields["timezone"] = values["timezone"]
    with transaction.atomic():
        if fields:
            preferences.save(update_fields=[*fields, "updated_at"])
        if learner_fields:
            Learner.objects.filter(pk=learner.pk).update(**learner_fields)
        wake_planner([learner.pk], at=now)
    for name, value in learner_fields.items():
        setattr(learner, name, value)
    return preferences


def format_time(value: datetime.time) -> str:
    return value.strftime("%H:%M")


# --- Checking each field --------------------------------------------------------------------------


def _fail(field: str, message: str) -> InvalidPreferences:
    return InvalidPreferences([FieldError(field, message)])


def _clean_time(value: Any, field: str) -> datetime.time:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise _fail(field, "Give a local time as HH:MM (24-hour), e.g. 08:30.")
    return datetime.time(int(match[1]), int(match[2]))


def _clean_timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("timezone", "Give an IANA time zone name, e.g. Europe/Berlin.")
    try:
        validate_timezone(value)
    except DjangoValidationError as exc:
        raise _fail("timezone", exc.messages[0]) from None
    return value


def _clean_quiet_hours(value: Any) -> tuple[datetime.time, datetime.time]:
    if not isinstance(value, Mapping) or set(value) != {"start", "end"}:
        raise _fail("quiet_hours", 'Give both ends, e.g. {"start": "21:00", "end": "08:00"}.')
    errors = []
    times = []
    for part in ("start", "end"):
        try:
            times.append(_clean_time(value[part], f"quiet_hours.{part}"))
        except InvalidPreferences as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidPreferences(errors)
    start, end = times
    if start == end:
        # Ambiguous: no quiet hours at all, or quiet all day? Either is better said otherwise.
        raise _fail("quiet_hours", "Start and end must differ.")
    return start, end


def _clean_windows(value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise _fail("windows", "Give a list of windows.")
    if len(value) > MAX_WINDOWS:
        raise _fail("windows", f"At most {MAX_WINDOWS} windows.")
    errors: list[FieldError] = []
    windows = []
    for i, window in enumerate(value):
        try:
            windows.append(_clean_window(window, f"windows.{i}"))
        except InvalidPreferences as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidPreferences(errors)
    return windows


def _clean_window(window: Any, field: str) -> dict:
    if not isinstance(window, Mapping) or set(window) != {"days", "start", "end"}:
        raise _fail(
            field, 'Give days, start and end, e.g. {"days": [0], "start": "08:00", "end": "08:40"}.'
        )
    days = window["days"]
    if (
        not isinstance(days, list)
        or not days
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
    ):
        raise _fail(f"{field}.days", "Give one or more days, 0 (Monday) to 6 (Sunday).")
    start = _clean_time(window["start"], f"{field}.start")
    end = _clean_time(window["end"], f"{field}.end")
    if not start < end:
        raise _fail(f"{field}.end", "Must be after start: a window lies within one day.")
    return {"days": sorted(set(days)), "start": format_time(start), "end": format_time(end)}


def _clean_daily_cap(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAILY_CAP:
        raise _fail("daily_cap", f"Give a whole number from 0 to {MAX_DAILY_CAP}.")
    return value


def _clean_bool(field: str):
    def clean(value: Any) -> bool:
        if not isinstance(value, bool):
            raise _fail(field, "Give true or false.")
        return value

    return clean


_CLEANERS = {
    "timezone": _clean_timezone,
    "quiet_hours": _clean_quiet_hours,
    "windows": _clean_windows,
    "daily_cap": _clean_daily_cap,
    "weekends": _clean_bool("weekends"),
    "nudges_enabled": _clean_bool("nudges_enabled"),
}


# --- Windows against quiet hours ------------------------------------------------------------------


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _quiet_spans(start: datetime.time, end: datetime.time) -> list[tuple[int, int]]:
    """Quiet hours as half-open minute ranges within one day (two when they wrap midnight)."""
    s, e = _minutes(start), _minutes(end)
    return [(s, e)] if s < e else [(s, _DAY_MINUTES), (0, e)]


def _windows_outside_quiet_hours(
    preferences: NudgePreferences, values: dict[str, Any]
) -> list[FieldError]:
    """A window may not overlap quiet hours: check the new (or kept) windows against the new (or
    kept) quiet hours. The error names the window when windows were sent, else the quiet hours."""
    quiet = values.get("quiet_hours", (preferences.quiet_start, preferences.quiet_end))
    windows = values.get("windows", preferences.windows)
    spans = _quiet_spans(*quiet)
    quiet_text = f"{format_time(quiet[0])}–{format_time(quiet[1])}"
    errors = []
    for i, window in enumerate(windows):
        ws = _minutes(datetime.time.fromisoformat(window["start"]))
        we = _minutes(datetime.time.fromisoformat(window["end"]))
        if any(ws < qe and qs < we for qs, qe in spans):
            text = f"{window['start']}–{window['end']}"
            if "windows" in values:
                errors.append(
                    FieldError(f"windows.{i}", f"{text} overlaps quiet hours ({quiet_text}).")
                )
            else:
                errors.append(
                    FieldError(
                        "quiet_hours",
                        f"{quiet_text} overlaps your window {text}: change that window too.",
                    )
                )
    return errors
