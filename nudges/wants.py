"""What a learner could be nudged about: one decision per kind, each returning a typed want.

A want knows its dedupe key, how late it is still of use and its words for the slot it gets;
planning.py finds it a slot (windows, cap, bandit) and writes it.
"""

import datetime
from dataclasses import dataclass
from typing import ClassVar, Protocol

from cms.models import JourneyStep
from learning.journeys.states import AVAILABLE, JourneyState, StepState, is_drifting, open_steps
from learning.models import Learner
from nudges import dedupe, texts
from nudges.models import Nudge
from nudges.plan_data import Facts
from nudges.windows import Slot

# Steps unlocked longer ago than this get no "unlocked" nudge (re-engaging covers them).
RECENT_UNLOCK_DAYS = 7

_ONE_DAY = datetime.timedelta(days=1)
_RECENT_UNLOCK = datetime.timedelta(days=RECENT_UNLOCK_DAYS)


class Want(Protocol):
    """Something worth a nudge, waiting for a slot."""

    kind: ClassVar[str]

    @property
    def latest(self) -> datetime.date | None:
        """No later than this local date (None: any day will do)."""

    def key(self, slot: Slot) -> str: ...

    def text(self, slot: Slot) -> texts.Text: ...


@dataclass(frozen=True, slots=True)
class Place:
    """Where a step sits in its journey, for the words and the deep link."""

    step: str
    event: str
    position: int
    total: int
    journey_id: int
    step_id: int


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: ClassVar[str] = Nudge.Kind.DEADLINE
    dedupe_key: str
    place: Place
    due_on: datetime.date
    locale: str

    @property
    def latest(self) -> datetime.date:
        return self.due_on

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        p = self.place
        return texts.deadline(
            step=p.step,
            event=p.event,
            position=p.position,
            total=p.total,
            due_today=slot.local_date >= self.due_on,  # the slot decides "today" or "tomorrow"
            journey_id=p.journey_id,
            step_id=p.step_id,
            locale=self.locale,
        )


@dataclass(frozen=True, slots=True)
class StepUnlocked:
    kind: ClassVar[str] = Nudge.Kind.STEP_UNLOCKED
    latest: ClassVar[None] = None
    dedupe_key: str
    place: Place
    minutes: int | None  # a module's estimated minutes
    locale: str

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        p = self.place
        return texts.step_unlocked(
            step=p.step,
            event=p.event,
            position=p.position,
            total=p.total,
            minutes=self.minutes,
            journey_id=p.journey_id,
            step_id=p.step_id,
            locale=self.locale,
        )


@dataclass(frozen=True, slots=True)
class PracticeDue:
    kind: ClassVar[str] = Nudge.Kind.PRACTICE_DUE
    latest: ClassVar[None] = None
    learner_id: int
    questions: int
    topic: str
    other_topics: int
    locale: str

    def key(self, slot: Slot) -> str:
        return dedupe.practice(self.learner_id, slot.local_date)  # one a day: the slot's day

    def text(self, slot: Slot) -> texts.Text:
        return texts.practice_due(
            questions=self.questions,
            topic=self.topic,
            other_topics=self.other_topics,
            locale=self.locale,
        )


@dataclass(frozen=True, slots=True)
class Reengage:
    kind: ClassVar[str] = Nudge.Kind.REENGAGE
    latest: ClassVar[None] = None
    dedupe_key: str
    open_steps: int
    first: Place  # the step waiting longest, where the link goes
    locale: str

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        return texts.reengage(
            open_steps=self.open_steps,
            event=self.first.event,
            journey_id=self.first.journey_id,
            step_id=self.first.step_id,
            locale=self.locale,
        )


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    kind: ClassVar[str] = Nudge.Kind.WEEKLY_DIGEST
    latest: ClassVar[None] = None
    dedupe_key: str
    reports: int
    drifting: int
    overdue_steps: int
    locale: str

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        return texts.weekly_digest(
            reports=self.reports,
            drifting=self.drifting,
            overdue_steps=self.overdue_steps,
            locale=self.locale,
        )


@dataclass(frozen=True, slots=True)
class ConfirmationWaiting:
    kind: ClassVar[str] = Nudge.Kind.CONFIRMATION
    latest: ClassVar[None] = None
    dedupe_key: str
    count: int
    learner: str
    step: str
    locale: str

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        return texts.confirmation_waiting(
            count=self.count, learner=self.learner, step=self.step, locale=self.locale
        )


@dataclass(frozen=True, slots=True)
class Celebrate:
    kind: ClassVar[str] = Nudge.Kind.CELEBRATION
    latest: ClassVar[None] = None
    dedupe_key: str
    title: str
    detail: str
    locale: str

    def key(self, slot: Slot) -> str:
        return self.dedupe_key

    def text(self, slot: Slot) -> texts.Text:
        return texts.celebration(title=self.title, detail=self.detail, locale=self.locale)


@dataclass(frozen=True, slots=True)
class Situation:
    """One learner at `now`, with what the chunk's queries found (facts) and their open steps."""

    learner: Learner
    journeys: list[JourneyState]
    available: list[StepState]  # open and not overdue
    facts: Facts
    today: datetime.date  # the learner's
    now: datetime.datetime


def wants_for(
    learner: Learner,
    journeys: list[JourneyState],
    facts: Facts,
    *,
    today: datetime.date,
    now: datetime.datetime,
) -> list[Want]:
    """What this learner could be nudged about, most pressing first; at most one of each kind."""
    available = [s for s in open_steps(journeys) if s.state == AVAILABLE] if journeys else []
    situation = Situation(learner, journeys, available, facts, today, now)
    due = deadline(situation)
    wants: list[Want] = [
        w
        for w in (due, step_unlocked(situation, besides=due), practice_due(situation))
        if w is not None
    ]
    if not wants and (lost := reengage(situation)) is not None:
        wants.append(lost)  # only when nothing else would bring them back
    if (team := weekly_digest(situation)) is not None:
        wants.append(team)
    if (waiting := confirmation_waiting(situation)) is not None:
        wants.append(waiting)
    if (moment := celebrate(situation)) is not None:
        wants.append(moment)
    return wants


def deadline(s: Situation) -> Deadline | None:
    """The available step due soonest, if that is tomorrow or today."""
    pk, taken = s.learner.id, s.facts.taken_keys
    soon = [
        (state, key)
        for state in s.available
        if state.due_on - s.today <= _ONE_DAY
        and (key := dedupe.deadline(pk, state.step.id)) not in taken
    ]
    if not soon:
        return None
    state, key = min(soon, key=lambda pair: (pair[0].due_on, pair[0].step.sort_order))
    return Deadline(key, _place(s.journeys, state), state.due_on, s.learner.locale)


def step_unlocked(s: Situation, *, besides: Deadline | None) -> StepUnlocked | None:
    """The available step unlocked earliest in the last week, unless it has a deadline nudge."""
    pk, taken = s.learner.id, s.facts.taken_keys
    skip = besides.place.step_id if besides is not None else None
    recent = [
        (state, key)
        for state in s.available
        if s.today - state.unlocks_on < _RECENT_UNLOCK
        and (key := dedupe.step_unlocked(pk, state.step.id)) not in taken
        and state.step.id != skip
    ]
    if not recent:
        return None
    state, key = min(recent, key=lambda pair: (pair[0].unlocks_on, pair[0].step.sort_order))
    minutes = (
        s.facts.minutes.get(state.step.id) if state.step.kind == JourneyStep.Kind.FORMAL else None
    )
    return StepUnlocked(key, _place(s.journeys, state), minutes, s.learner.locale)


def practice_due(s: Situation) -> PracticeDue | None:
    """Cards due now, unless a practice nudge is already waiting to go out."""
    pk = s.learner.id
    cards = s.facts.cards.get(pk)
    if not cards or not cards.due_now or Nudge.Kind.PRACTICE_DUE in s.facts.live_kinds.get(pk, ()):
        return None
    return PracticeDue(
        pk, cards.due_now, cards.topics[0][1], len(cards.topics) - 1, s.learner.locale
    )


def reengage(s: Situation) -> Reengage | None:
    """A drifting learner, once a week and not while another re-engage nudge waits."""
    pk, facts = s.learner.id, s.facts
    key = facts.reengage_keys[pk]
    if (
        Nudge.Kind.REENGAGE in facts.live_kinds.get(pk, ())
        or key in facts.taken_keys
        or not is_drifting(s.learner, s.journeys, last_active=facts.last_active.get(pk), now=s.now)
    ):
        return None
    waiting = sorted(open_steps(s.journeys), key=lambda x: (x.unlocks_on, x.step.sort_order))
    return Reengage(key, len(waiting), _place(s.journeys, waiting[0]), s.learner.locale)


def weekly_digest(s: Situation) -> WeeklyDigest | None:
    """A manager's digest about their team, when this week's is still to be sent."""
    team = s.facts.teams.get(s.learner.user_id)  # only managers whose digest is due have one
    if team is None:
        return None
    return WeeklyDigest(
        dedupe.digest(s.learner.id, s.today),
        team.reports,
        team.drifting,
        team.overdue_steps,
        s.learner.locale,
    )


def confirmation_waiting(s: Situation) -> ConfirmationWaiting | None:
    """Buddy steps waiting for this learner's confirmation: once for each newest one."""
    waiting = s.facts.waiting.get(s.learner.user_id)
    if waiting is None:
        return None
    key = dedupe.confirmation(s.learner.id, waiting.latest_id)
    if key in s.facts.taken_keys or Nudge.Kind.CONFIRMATION in s.facts.live_kinds.get(
        s.learner.id, ()
    ):
        return None
    return ConfirmationWaiting(key, waiting.count, waiting.learner, waiting.step, s.learner.locale)


def celebrate(s: Situation) -> Celebrate | None:
    """The oldest moment of glory their feed has not shown yet, once."""
    moment = s.facts.celebrations.get(s.learner.id)
    if moment is None:
        return None
    pk, title, detail = moment
    key = dedupe.celebration(s.learner.id, pk)
    if key in s.facts.taken_keys or Nudge.Kind.CELEBRATION in s.facts.live_kinds.get(
        s.learner.id, ()
    ):
        return None
    return Celebrate(key, title, detail, s.learner.locale)


def _place(journeys: list[JourneyState], state: StepState) -> Place:
    for journey in journeys:
        for position, other in enumerate(journey.steps, start=1):
            if other is state:
                return Place(
                    step=state.step.title,
                    event=journey.enrollment.event.name,
                    position=position,
                    total=len(journey.steps),
                    journey_id=journey.enrollment.id,
                    step_id=state.step.id,
                )
    raise ValueError(f"Step {state.step.id} is in none of the learner's journeys.")
