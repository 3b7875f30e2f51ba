"""Readiness on the day that matters: predicted recall of an event's practice on its date.

For a change event dated in the future (a launch), each learner's cards of that event are projected
to the morning of the day (09:00 in the learner's time zone) two ways:

- if they keep to their schedule: every review answered on its due date, and answered right (Good),
  with the scheduler in force for the event (its fitted set and target retention);
- if they stopped practising today: their memory as it stands, decaying until the day.

Both are means of fsrs's retrievability over the cards reviewed at least once (a card never
answered has no memory to project; it is counted, as in learning.practice.retention). The first is
what the schedule promises, the second what is at risk: the gap is what keeping up is worth.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import fsrs

from learning.models import Card
from learning.practice import calibration
from learning.practice.scheduling import Schedule, retrievability, review

MORNING = datetime.time(9, 0)
MAX_PROJECTED_REVIEWS = 64  # a card answered right this often is long past any horizon we show


@dataclass(frozen=True)
class EventOnTheDay:
    """A dated event someone is enrolled in, as the forecast needs it."""

    event_id: int
    name: str
    date: datetime.date
    target_retention: Decimal | None


@dataclass(frozen=True)
class Readiness:
    event_id: int
    event_name: str
    date: datetime.date
    cards: int  # the learner's active cards of the event
    reviewed: int  # of which answered at least once: only these are projected
    if_kept: float | None  # mean predicted recall on the day if they keep to their schedule
    if_stopped: float | None  # ... if they stopped practising today


@dataclass(frozen=True)
class CardOnTheDay:
    card_id: int
    module_id: int
    block_id: str
    if_kept: float
    if_stopped: float


def the_day(event: EventOnTheDay, zone: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(event.date, MORNING, zone)


def project(
    schedule: Schedule,
    *,
    on: datetime.datetime,
    now: datetime.datetime,
    retention: Decimal | None,
    parameters: Sequence[float] | None,
    card_id: int = 0,
) -> tuple[float, float]:
    """(if kept, if stopped): predicted recall of one reviewed card at `on`."""
    assert schedule.stability is not None
    assert schedule.last_review is not None
    stopped = retrievability(
        stability=schedule.stability, last_review=schedule.last_review, at=on, parameters=parameters
    )
    kept = schedule
    answered = 0
    # Reviews still to come before the day, each on its due date (not before now) and right.
    while kept.due < on and answered < MAX_PROJECTED_REVIEWS:
        kept = review(
            kept,
            rating=fsrs.Rating.Good,
            reviewed_at=max(kept.due, now),
            desired_retention=retention,
            parameters=parameters,
            card_id=card_id,
        )
        answered += 1
    assert kept.stability is not None
    assert kept.last_review is not None
    if_kept = retrievability(
        stability=kept.stability, last_review=kept.last_review, at=on, parameters=parameters
    )
    return if_kept, stopped


@dataclass(frozen=True)
class Projected:
    cards: int  # active cards of the event
    reviewed: list[CardOnTheDay]  # those answered at least once, projected


def cards_on_the_day(
    learners: Iterable, events: dict[int, EventOnTheDay], *, now: datetime.datetime
) -> dict[int, Projected]:
    """learner id → their cards of the event chosen for them (`events`: learner id → event),
    projected, in one query for the cards and one for the scheduler sets whatever the team's size."""
    by_id = {learner.pk: learner for learner in learners}
    wanted = {pk: event for pk, event in events.items() if pk in by_id}
    if not wanted:
        return {}
    parameters = calibration.in_force_for_events({e.event_id for e in wanted.values()})
    rows = (
        Card.objects.filter(learner_id__in=list(wanted), active=True)
        .filter(event_id__in={e.event_id for e in wanted.values()})
        .order_by("learner_id", "module_id", "block_id")
    )
    counts: dict[int, int] = defaultdict(int)
    reviewed: dict[int, list[CardOnTheDay]] = defaultdict(list)
    for card in rows:
        event = wanted[card.learner_id]
        if card.event_id != event.event_id:
            continue  # a card of another of their events
        counts[card.learner_id] += 1
        if card.last_review is None or card.stability is None:
            continue
        kept, stopped = project(
            Schedule.of(card),
            on=the_day(event, by_id[card.learner_id].tz),
            now=now,
            retention=event.target_retention,
            parameters=parameters.get(event.event_id),
            card_id=card.pk,
        )
        reviewed[card.learner_id].append(
            CardOnTheDay(card.pk, card.module_id, card.block_id, round(kept, 3), round(stopped, 3))
        )
    return {pk: Projected(cards=counts[pk], reviewed=reviewed[pk]) for pk in wanted}


def readiness(
    learners: Sequence, events: dict[int, EventOnTheDay], *, now: datetime.datetime
) -> dict[int, Readiness]:
    """Each learner's readiness for the event chosen for them (learners without one are left out)."""
    projected = cards_on_the_day(learners, events, now=now)
    result = {}
    for learner in learners:
        event = events.get(learner.pk)
        if event is None:
            continue
        found = projected.get(learner.pk, Projected(cards=0, reviewed=[]))
        cards = found.reviewed
        result[learner.pk] = Readiness(
            event_id=event.event_id,
            event_name=event.name,
            date=event.date,
            cards=found.cards,
            reviewed=len(cards),
            if_kept=_mean(c.if_kept for c in cards),
            if_stopped=_mean(c.if_stopped for c in cards),
        )
    return result


def _mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return round(sum(found) / len(found), 3) if found else None


def team_readiness(readinesses: Iterable[Readiness]) -> list[Readiness]:
    """Per event, the team's mean over members with a projection (cards and reviewed summed)."""
    by_event: dict[int, list[Readiness]] = defaultdict(list)
    for r in readinesses:
        by_event[r.event_id].append(r)
    team = []
    for members in by_event.values():
        first = members[0]
        team.append(
            Readiness(
                event_id=first.event_id,
                event_name=first.event_name,
                date=first.date,
                cards=sum(m.cards for m in members),
                reviewed=sum(m.reviewed for m in members),
                if_kept=_mean(m.if_kept for m in members if m.if_kept is not None),
                if_stopped=_mean(m.if_stopped for m in members if m.if_stopped is not None),
            )
        )
    return sorted(team, key=lambda r: (r.date, r.event_name))
