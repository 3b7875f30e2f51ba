"""Nudge analytics for authors: how nudges fare per kind and per window, and which tokens died.

What the figures mean (FCM HTTP v1 only says it *accepted* a message, never that a phone showed it):

- sent: nudges handed to the push service for at least one device (a Delivery row, whatever FCM
  answered). Nudges that expired unsent, or failed with no active device, were never sent.
- delivered: nudges FCM accepted for at least one device, i.e. answered with a message id.
- opened: nudges whose open the app reported (`opened_at` set).
- open rate: opened / delivered.

A period is the last N days: today and the N − 1 days before it, in the site's time zone. A nudge
belongs to the period its `planned_for` falls in, and to the window the planner chose for
it (its local time of day, "08:00-08:40": the bandit's arm). Unregistered tokens are the devices
FCM answered UNREGISTERED or INVALID_ARGUMENT for (the sender deactivates them at once), dated by
that Delivery row: Device keeps the reason but not when it was deactivated.

Two queries whatever the number of rows: one grouped by (kind, window), one conditional aggregate.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from nudges.models import Delivery, Nudge, Platform

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
NO_WINDOW = "No window"


@dataclass(frozen=True)
class Figures:
    """One row of the report: a kind, a window, or all nudges."""

    group: str  # "All", "Kind" or "Window"
    label: str
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    failed: int = 0
    expired: int = 0

    @property
    def open_rate(self) -> float | None:
        """Percent of delivered nudges that were opened; None when nothing was delivered."""
        return round(100 * self.opened / self.delivered, 1) if self.delivered else None

    def plus(self, other: "Figures") -> "Figures":
        return Figures(
            self.group,
            self.label,
            sent=self.sent + other.sent,
            delivered=self.delivered + other.delivered,
            opened=self.opened + other.opened,
            failed=self.failed + other.failed,
            expired=self.expired + other.expired,
        )


@dataclass(frozen=True)
class Bucket:
    """Devices deactivated as unregistered from `first` to `last` (local dates, inclusive)."""

    first: datetime.date
    last: datetime.date
    devices: int

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.last:%a %-d %b}"
        return f"{self.first:%-d %b}–{self.last:%-d %b}"


@dataclass(frozen=True)
class Unregistered:
    total: int
    by_platform: list[tuple[str, int]]  # (platform label, devices), every platform
    trend: list[Bucket]  # oldest first


@dataclass(frozen=True)
class NudgeAnalytics:
    days: int
    since: datetime.datetime
    until: datetime.datetime
    total: Figures
    by_kind: list[Figures]  # every kind, in Nudge.Kind order
    by_window: list[Figures]  # windows that had nudges, by time of day
    unregistered: Unregistered = field(repr=False)

    @property
    def rows(self) -> list[Figures]:
        """The report's table (and its export): all nudges, then per kind, then per window."""
        return [self.total, *self.by_kind, *self.by_window]


def nudge_analytics(*, now: datetime.datetime, days: int = DEFAULT_PERIOD) -> NudgeAnalytics:
    """The figures for nudges planned in the last `days` days (today and the days before it, in
    the site's time zone) up to `now`."""
    today = timezone.localdate(now)
    since = _midnight(today - datetime.timedelta(days=days - 1))
    cells = _figures_by_kind_and_window(since=since, until=now)

    kinds = {value: Figures("Kind", label) for value, label in Nudge.Kind.choices}
    windows: dict[str, Figures] = {}
    total = Figures("All", "All nudges")
    for (kind, window), cell in cells.items():
        label = kinds[kind].label if kind in kinds else kind
        kinds[kind] = kinds.get(kind, Figures("Kind", label)).plus(cell)
        key = window or NO_WINDOW
        windows[key] = windows.get(key, Figures("Window", key)).plus(cell)
        total = total.plus(cell)
    by_window = sorted(windows.values(), key=lambda f: (f.label == NO_WINDOW, f.label))
    return NudgeAnalytics(
        days=days,
        since=since,
        until=now,
        total=total,
        by_kind=list(kinds.values()),
        by_window=by_window,
        unregistered=_unregistered(since=since, until=now, days=days),
    )


def _figures_by_kind_and_window(
    *, since: datetime.datetime, until: datetime.datetime
) -> dict[tuple[str, str], Figures]:
    pushed = Delivery.objects.filter(nudge_id=OuterRef("pk"))
    accepted = pushed.filter(state=Delivery.State.SENT).exclude(message_id="")
    rows = (
        Nudge.objects.filter(planned_for__gte=since, planned_for__lte=until)
        .values("kind", "window")
        .annotate(
            sent=Count("pk", filter=Q(Exists(pushed))),
            delivered=Count("pk", filter=Q(Exists(accepted))),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            failed=Count("pk", filter=Q(state=Nudge.State.FAILED)),
            expired=Count("pk", filter=Q(state=Nudge.State.EXPIRED)),
        )
        .order_by()
    )
    return {
        (r["kind"], r["window"]): Figures(
            "",
            "",
            sent=r["sent"],
            delivered=r["delivered"],
            opened=r["opened"],
            failed=r["failed"],
            expired=r["expired"],
        )
        for r in rows
    }


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


def _buckets(*, today: datetime.date, days: int) -> list[tuple[datetime.date, datetime.date]]:
    """Days for a week, else weeks counted back from today (the oldest may be shorter)."""
    size = 1 if days <= 7 else 7
    first_day = today - datetime.timedelta(days=days - 1)
    buckets = []
    for i in range(math.ceil(days / size)):
        last = today - datetime.timedelta(days=i * size)
        buckets.append((max(last - datetime.timedelta(days=size - 1), first_day), last))
    return buckets[::-1]


def _unregistered(*, since: datetime.datetime, until: datetime.datetime, days: int) -> Unregistered:
    """Distinct devices per platform and per bucket, in one conditional aggregate."""
    buckets = _buckets(today=timezone.localdate(until), days=days)
    devices = {"total": Count("device_id", distinct=True)}
    for value, _ in Platform.choices:
        devices[f"platform_{value}"] = Count(
            "device_id", distinct=True, filter=Q(device__platform=value)
        )
    one_day = datetime.timedelta(days=1)
    for i, (first, last) in enumerate(buckets):
        devices[f"bucket_{i}"] = Count(
            "device_id",
            distinct=True,
            filter=Q(created_at__gte=_midnight(first), created_at__lt=_midnight(last + one_day)),
        )
    counts = Delivery.objects.filter(
        state=Delivery.State.UNREGISTERED, created_at__gte=since, created_at__lte=until
    ).aggregate(**devices)
    return Unregistered(
        total=counts["total"],
        by_platform=[(label, counts[f"platform_{value}"]) for value, label in Platform.choices],
        trend=[
            Bucket(first, last, counts[f"bucket_{i}"]) for i, (first, last) in enumerate(buckets)
        ],
    )
