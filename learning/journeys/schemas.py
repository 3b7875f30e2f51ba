"""The journeys API's shapes: a journey with its steps, progress, the today feed."""

import datetime

from ninja import Field, Schema

from learning.ledger.schemas import MixOut
from learning.practice.schemas import DueCardOut, RetentionOut


class JourneyProgressOut(Schema):
    journey_id: int
    event_id: int
    event_name: str
    event_kind: str
    steps_done: int
    steps_total: int
    overdue_steps: int
    completion: float = Field(..., description="Done steps over all steps, 0..1.")


class StreakOut(Schema):
    days: int = Field(
        ..., description="Consecutive local days with activity, ending today or yesterday."
    )
    active_today: bool
    last_active_on: datetime.date | None


class ProgressOut(Schema):
    today: datetime.date = Field(..., description="The learner's local date.")
    steps_done: int
    steps_total: int
    completion: float = Field(..., description="Done steps over all steps of all journeys, 0..1.")
    journeys: list[JourneyProgressOut]
    mix: MixOut
    streak: StreakOut
    retention: RetentionOut


class TodayStepOut(Schema):
    journey_id: int
    event_name: str
    step_id: int
    title: str
    kind: str
    category: str
    module_id: int | None
    estimated_minutes: int | None
    instructions: str
    state: str = Field(..., description="available | overdue")
    unlocks_on: datetime.date
    due_on: datetime.date
    due_soon: bool = Field(..., description="Unlocked and due within two days.")


class TodayModuleOut(Schema):
    id: int
    title: str
    summary: str
    estimated_minutes: int
    reason: str = Field(
        ..., description="journey: a step of one of my journeys; job_task: for a task they cover."
    )


class TodayPracticeOut(Schema):
    due: int = Field(..., description="How many practice cards are due now.")
    cards: list[DueCardOut] = Field(..., description="The first few, oldest due first.")


class TodayOut(Schema):
    date: datetime.date = Field(..., description="The learner's local date.")
    minutes: int
    practice: TodayPracticeOut
    steps: list[TodayStepOut]
    modules: list[TodayModuleOut]


class EventRef(Schema):
    id: int
    name: str
    kind: str
    date: datetime.date | None


class StepOut(Schema):
    id: int
    title: str
    kind: str
    category: str
    module_id: int | None
    job_task_id: int | None
    instructions: str
    confirmed_by: str
    state: str
    unlocks_on: datetime.date
    due_on: datetime.date
    done_at: datetime.datetime | None
    awaiting_confirmation: bool


class JourneyOut(Schema):
    id: int
    event: EventRef
    anchor_date: datetime.date
    completion: float
    steps_done: int
    steps_total: int
    overdue_steps: int
    steps: list[StepOut]


def journey_out(journey) -> dict:
    """A `learning.journeys.states.JourneyState` in the JourneyOut shape (the learner's and manager's views)."""
    enrollment, event = journey.enrollment, journey.enrollment.event
    return {
        "id": enrollment.pk,
        "event": {"id": event.pk, "name": event.name, "kind": event.kind, "date": event.date},
        "anchor_date": enrollment.anchor_date,
        "completion": journey.completion,
        "steps_done": journey.done,
        "steps_total": len(journey.steps),
        "overdue_steps": journey.overdue,
        "steps": [
            {
                "id": s.step.pk,
                "title": s.step.title,
                "kind": s.step.kind,
                "category": s.step.category,
                "module_id": s.step.module_id,
                "job_task_id": s.step.job_task_id,
                "instructions": s.step.instructions,
                "confirmed_by": s.step.confirmed_by,
                "state": s.state,
                "unlocks_on": s.unlocks_on,
                "due_on": s.due_on,
                "done_at": s.done_at,
                "awaiting_confirmation": s.awaiting_confirmation,
            }
            for s in journey.steps
        ],
    }
