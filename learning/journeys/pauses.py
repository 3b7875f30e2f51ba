"""Pauses: a vacation hold, on the learner's own days.

While a learner is paused nothing nudges them, drift is not flagged, and their journeys wait: each
paused day moves their steps' unlock and due dates a day on (so nothing unlocks or falls overdue
while they are away, and afterwards the open steps are due as many days later as they were away).
Practice waits too: cards that would fall due during the pause fall due that many days later when
it is set (their memory state stays; fsrs sees the longer gap at the next review), and move back
by the unused days when it is ended early.

A learner has at most one pause that is current or to come. The learner sets one (POST /me/pause),
or their manager does for them; either may end it (DELETE), which makes yesterday its last day.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from cms.errors import Conflict, Invalid, NotFound
from learning.changes import learner_changed, learner_paused
from learning.ledger.times import add_days
from learning.models import Card, Learner, Pause

MAX_DAYS = 90
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """A pause's days, first and last included."""

    starts_on: datetime.date
    ends_on: datetime.date

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class PauseConflict(Conflict):
    """A pause is already set: one at a time."""


def spans_of(learner_ids: Iterable[int]) -> dict[int, list[Span]]:
    """Every pause of these learners, by learner, oldest first (1 query)."""
    ids = list(learner_ids)
    spans: dict[int, list[Span]] = defaultdict(list)
    if not ids:
        return spans
    for learner_id, starts_on, ends_on in (
        Pause.objects.filter(learner_id__in=ids)
        .order_by("starts_on", "pk")
        .values_list("learner_id", "starts_on", "ends_on")
    ):
        spans[learner_id].append(Span(starts_on, ends_on))
    return spans


def moved(
    day: datetime.date,
    spans: list[Span],
    *,
    today: datetime.date,
    since: datetime.date,
    on_the_day: bool,
) -> datetime.date:
    """`day` (a step's unlock or due date) moved on by the pauses up to `today` of a journey begun
    on `since`: a pause that began before the (moved) day, or on it with `on_the_day`, moves it by
    every day it has held so far. So a step neither unlocks nor falls overdue while the learner
    is away; one already overdue when they left stays so."""
    shift = 0
    for span in spans:  # oldest first
        first, last = max(span.starts_on, since), min(span.ends_on, today)
        if last < first:
            continue
        limit = add_days(day, shift)
        if first < limit or (on_the_day and first == limit):
            shift += (last - first).days + 1
    return add_days(day, shift)


def paused_until(spans: list[Span], *, today: datetime.date) -> datetime.date | None:
    """The last day of the pause `today` is in, or None."""
    return next((span.ends_on for span in spans if span.covers(today)), None)


def back_since(spans: list[Span], *, today: datetime.date) -> datetime.date | None:
    """The first day after the latest pause that has ended before `today`, or None."""
    ended = [span.ends_on for span in spans if span.ends_on < today]
    return max(ended) + ONE_DAY if ended else None


def open_pause(learner: Learner, *, today: datetime.date) -> Pause | None:
    """The learner's pause that is current or to come."""
    return Pause.objects.filter(learner=learner, ends_on__gte=today).order_by("starts_on").first()


def start_pause(
    learner: Learner,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    set_by,
    now: datetime.datetime,
) -> Pause:
    """Pause the learner from `starts_on` to `ends_on` (their days). Invalid (422, naming the
    field) for a start in the past, an end before the start or more than MAX_DAYS days;
    PauseConflict (409) when a pause is already current or to come."""
    today = learner.local_date(now)
    if starts_on < today:
        raise Invalid.field("from", f"A pause cannot start in the past (today is {today}).")
    if ends_on < starts_on:
        raise Invalid.field("until", "The pause must end on or after its first day.")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise Invalid.field("until", f"A pause lasts at most {MAX_DAYS} days.")
    with transaction.atomic():
        # One writer at a time per learner: two devices pausing at once set one pause.
        Learner.objects.select_for_update().filter(pk=learner.pk).first()
        existing = open_pause(learner, today=today)
        if existing is not None:
            raise PauseConflict(
                f"Already paused from {existing.starts_on} to {existing.ends_on}: end that "
                "pause first."
            )
        pause = Pause.objects.create(
            learner=learner, starts_on=starts_on, ends_on=ends_on, reason=reason, set_by=set_by
        )
        days = (ends_on - starts_on).days + 1
        starts_at = _midnight(learner, starts_on)
        _shift_cards(learner, from_moment=starts_at, days=days)
        learner_paused(
            learner.pk, starts_at=starts_at, ends_at=_midnight(learner, ends_on + ONE_DAY)
        )
        learner_changed([learner.pk])
    return pause


def end_pause(learner: Learner, *, now: datetime.datetime) -> Pause | None:
    """End the learner's current pause (yesterday was its last day) or call off one to come.
    Returns the pause as it ends, or None when it never began (and is gone). NotFound (404)
    when there is no pause to end."""
    today = learner.local_date(now)
    with transaction.atomic():
        Learner.objects.select_for_update().filter(pk=learner.pk).first()
        pause = open_pause(learner, today=today)
        if pause is None:
            raise NotFound("No pause to end.")
        last = today - ONE_DAY
        unused = (pause.ends_on - max(last, pause.starts_on - ONE_DAY)).days
        # The cards it pushed past the pause come back by the days not taken.
        _shift_cards(learner, from_moment=now, days=-unused)
        learner_changed([learner.pk])
        if last < pause.starts_on:
            pause.delete()
            return None
        pause.ends_on, pause.ended_early_at = last, now
        pause.save(update_fields=["ends_on", "ended_early_at"])
    return pause


def _shift_cards(learner: Learner, *, from_moment: datetime.datetime, days: int) -> None:
    if days:
        Card.objects.filter(learner=learner, active=True, due__gte=from_moment).update(
            due=F("due") + datetime.timedelta(days=days)
        )


def _midnight(learner: Learner, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=learner.tz)
