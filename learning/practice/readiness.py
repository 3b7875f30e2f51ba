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

from learning.models import Card, Enrollment, Learner
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


def the_day(date: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """When recall on an event's day is measured: its morning in the learner's zone."""
    return datetime.datetime.combine(date, MORNING, zone)


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
    per_question: dict[tuple[int, str], int]  # (module id, block id) → active cards (0 or 1)


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
    held: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
    reviewed: dict[int, list[CardOnTheDay]] = defaultdict(list)
    for card in rows:
        event = wanted[card.learner_id]
        if card.event_id != event.event_id:
            continue  # a card of another of their events
        counts[card.learner_id] += 1
        held[card.learner_id][card.module_id, card.block_id] = 1
        if card.last_review is None or card.stability is None:
            continue
        kept, stopped = project(
            Schedule.of(card),
            on=the_day(event.date, by_id[card.learner_id].tz),
            now=now,
            retention=event.target_retention,
            parameters=parameters.get(event.event_id),
            card_id=card.pk,
        )
        reviewed[card.learner_id].append(
            CardOnTheDay(card.pk, card.module_id, card.block_id, round(kept, 3), round(stopped, 3))
        )
    return {
        pk: Projected(cards=counts[pk], reviewed=reviewed[pk], per_question=held[pk])
        for pk in wanted
    }


def readiness(
    learners: Sequence,
    events: dict[int, EventOnTheDay],
    *,
    now: datetime.datetime,
    found: dict[int, Projected] | None = None,
) -> dict[int, Readiness]:
    """Each learner's readiness for the event chosen for them (learners without one are left out);
    `found`, their cards already projected by cards_on_the_day."""
    projected = cards_on_the_day(learners, events, now=now) if found is None else found
    result = {}
    for learner in learners:
        event = events.get(learner.pk)
        if event is None:
            continue
        mine = projected.get(learner.pk, Projected(cards=0, reviewed=[], per_question={}))
        cards = mine.reviewed
        result[learner.pk] = Readiness(
            event_id=event.event_id,
            event_name=event.name,
            date=event.date,
            cards=mine.cards,
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


@dataclass(frozen=True)
class QuestionOnTheDay:
    """One question of an event across the learners who hold its card."""

    module_id: int
    block_id: str
    cards: int  # learners holding the card (active)
    reviewed: int  # of whom answered it at least once: only these are projected
    if_kept: float | None
    if_stopped: float | None


@dataclass(frozen=True)
class EventForecast:
    """An event's readiness on its day: the learners' mean and each question's, weakest first."""

    event: EventOnTheDay
    learners: int  # on its journey now
    overall: Readiness
    questions: list[QuestionOnTheDay]


def event_forecast(event: EventOnTheDay, *, now: datetime.datetime) -> EventForecast:
    """Everyone on the event's journey now, projected to its day: two queries for the people and
    their cards, one for the scheduler sets, then about 40 µs of fsrs per answered card."""
    learners = list(
        Learner.objects.filter(
            pk__in=Enrollment.objects.current().filter(event_id=event.event_id).values("learner_id")
        ).only("pk", "timezone")
    )
    projected = cards_on_the_day(learners, {lr.pk: event for lr in learners}, now=now)
    per_learner = readiness(learners, {lr.pk: event for lr in learners}, now=now, found=projected)
    [overall] = team_readiness(per_learner.values()) or [
        Readiness(event.event_id, event.name, event.date, 0, 0, None, None)
    ]
    counts: dict[tuple[int, str], int] = defaultdict(int)
    kept: dict[tuple[int, str], list[float]] = defaultdict(list)
    stopped: dict[tuple[int, str], list[float]] = defaultdict(list)
    for found in projected.values():
        for key, n in found.per_question.items():
            counts[key] += n
        for card in found.reviewed:
            key = (card.module_id, card.block_id)
            kept[key].append(card.if_kept)
            stopped[key].append(card.if_stopped)
    questions = [
        QuestionOnTheDay(
            module_id=module_id,
            block_id=block_id,
            cards=n,
            reviewed=len(kept[module_id, block_id]),
            if_kept=_mean(kept[module_id, block_id]),
            if_stopped=_mean(stopped[module_id, block_id]),
        )
        for (module_id, block_id), n in counts.items()
    ]
    # Weakest first: the lowest recall on the day even if people keep up, then if they stop;
    # questions nobody has answered yet have no forecast and come last.
    questions.sort(
        key=lambda q: (
            q.if_kept is None,
            q.if_kept or 0,
            q.if_stopped or 0,
            q.module_id,
            q.block_id,
        )
    )
    return EventForecast(event=event, learners=len(learners), overall=overall, questions=questions)
