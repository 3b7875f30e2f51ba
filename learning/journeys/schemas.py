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


# Read from a cms ChangeEvent.
class EventRef(Schema):
    id: int
    name: str
    kind: str
    date: datetime.date | None


# Read from a learning.journeys.states.StepState: the step's own fields, then its state.
class StepOut(Schema):
    id: int = Field(..., alias="step.id")
    title: str = Field(..., alias="step.title")
    kind: str = Field(..., alias="step.kind")
    category: str = Field(..., alias="step.category")
    module_id: int | None = Field(..., alias="step.module_id")
    job_task_id: int | None = Field(..., alias="step.job_task_id")
    instructions: str = Field(..., alias="step.instructions")
    confirmed_by: str = Field(..., alias="step.confirmed_by")
    state: str
    unlocks_on: datetime.date
    due_on: datetime.date
    done_at: datetime.datetime | None
    awaiting_confirmation: bool


# Read from a learning.journeys.states.JourneyState (the learner's and the manager's views).
class JourneyOut(Schema):
    id: int = Field(..., alias="enrollment.id")
    event: EventRef = Field(..., alias="enrollment.event")
    anchor_date: datetime.date = Field(..., alias="enrollment.anchor_date")
    status: str = Field(
        ...,
        alias="enrollment.status",
        description="current; withdrawn: no longer in the event's audience (a new role or team), "
        "kept for history and counted nowhere.",
    )
    ended_at: datetime.datetime | None = Field(
        ..., alias="enrollment.ended_at", description="When it was withdrawn; null while current."
    )
    completion: float
    steps_done: int = Field(..., alias="done")
    steps_total: int
    overdue_steps: int = Field(..., alias="overdue")
    steps: list[StepOut]

    @staticmethod
    def resolve_steps_total(journey) -> int:
        return len(journey.steps)
