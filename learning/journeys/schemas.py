"""The journeys API's shapes: a journey with its steps, progress, the today feed."""

import datetime

from ninja import Field, Schema
from pydantic import AliasPath

from cms.fields import IsoDate, Text
from cms.shapes import ReadSchema
from learning.ledger.schemas import MixOut
from learning.models import display_name
from learning.practice.schemas import DueCardOut, RetentionOut


class JourneyProgressOut(ReadSchema):
    journey_id: int
    event_id: int
    event_name: str
    event_kind: str
    steps_done: int
    steps_total: int
    overdue_steps: int
    completion: float = Field(..., description="Done steps over all steps, 0..1.")


class StreakOut(ReadSchema):
    days: int = Field(
        ..., description="Consecutive local days with activity, ending today or yesterday."
    )
    active_today: bool
    last_active_on: datetime.date | None


class ProgressOut(ReadSchema):
    today: datetime.date = Field(..., description="The learner's local date.")
    steps_done: int
    steps_total: int
    completion: float = Field(..., description="Done steps over all steps of all journeys, 0..1.")
    journeys: list[JourneyProgressOut]
    mix: MixOut
    streak: StreakOut
    retention: RetentionOut


class TodayStepOut(ReadSchema):
    journey_id: int
    event_name: str
    step_id: int
    title: str
    kind: str
    category: str
    module_id: int | None
    estimated_minutes: int = Field(
        ..., description="Its module's minutes, else the step's own estimate."
    )
    instructions: str
    state: str = Field(..., description="available | overdue")
    unlocks_on: datetime.date
    due_on: datetime.date
    due_soon: bool = Field(..., description="Unlocked and due within two days.")
    priority: str = Field(..., description="overdue_step | due_today_step | step")


class TodayModuleOut(ReadSchema):
    id: int
    title: str
    summary: str
    estimated_minutes: int
    reason: str = Field(
        ...,
        description="job_task: for a task my journeys cover (a journey's own modules come as "
        "its steps, once they unlock).",
    )


class TodayPracticeOut(ReadSchema):
    due: int = Field(..., description="How many practice cards are due now.")
    offered: int = Field(..., description="How many of those reviews fit in the minutes given.")
    minutes: float = Field(..., description="The offered reviews at the per-review estimate.")
    cards: list[DueCardOut] = Field(..., description="The first few offered, oldest due first.")


class TodayPlanItemOut(ReadSchema):
    type: str = Field(
        ...,
        description="overdue_step | due_today_step | practice | step | module, the feed's "
        "priority order.",
    )
    minutes: float
    journey_id: int | None = Field(None, description="For a step: its journey.")
    step_id: int | None = Field(None, description="For a step.")
    module_id: int | None = Field(None, description="For a module, or a step's module.")
    reviews: int | None = Field(None, description="For practice: how many reviews.")


# Read from a learning.models.Celebration.
class CelebrationOut(ReadSchema):
    kind: str = Field(..., description="journey_done | confirmed | practice_week")
    title: str
    detail: str = Field(..., description="What was achieved, in a sentence.")
    achieved_at: datetime.datetime


class TodayOut(ReadSchema):
    date: datetime.date = Field(..., description="The learner's local date.")
    minutes: int = Field(..., description="The minutes asked for.")
    planned_minutes: float = Field(
        ..., description="What the plan adds up to: at most `minutes`, unless nothing fits."
    )
    nothing_fits: bool = Field(
        ...,
        description="There is something to do but nothing fits in `minutes`: the plan offers "
        "the single smallest item.",
    )
    message: str = Field(..., description="The plan in a sentence, to show as it is.")
    plan: list[TodayPlanItemOut] = Field(
        ...,
        description="Everything offered, in priority order: overdue steps, steps due today, due "
        "practice, the other unlocked steps, modules for my job tasks.",
    )
    practice: TodayPracticeOut
    steps: list[TodayStepOut] = Field(..., description="The steps of the plan, in its order.")
    modules: list[TodayModuleOut] = Field(..., description="The modules of the plan.")
    celebrations: list[CelebrationOut] = Field(
        ...,
        description="Moments to celebrate (a journey finished, a step confirmed, a week of "
        "practice), each in one feed only: the next feed no longer has it.",
    )


# Read from a cms ChangeEvent.
class EventRef(ReadSchema):
    id: int
    name: str
    kind: str
    date: datetime.date | None


# Read from a learning.journeys.states.StepState: the step's own fields, then its state.
class StepOut(ReadSchema):
    id: int = Field(..., validation_alias=AliasPath("step", "id"))
    title: str = Field(..., validation_alias=AliasPath("step", "title"))
    kind: str = Field(..., validation_alias=AliasPath("step", "kind"))
    category: str = Field(..., validation_alias=AliasPath("step", "category"))
    module_id: int | None = Field(..., validation_alias=AliasPath("step", "module_id"))
    job_task_id: int | None = Field(..., validation_alias=AliasPath("step", "job_task_id"))
    instructions: str = Field(..., validation_alias=AliasPath("step", "instructions"))
    confirmed_by: str = Field(..., validation_alias=AliasPath("step", "confirmed_by"))
    state: str
    unlocks_on: datetime.date
    due_on: datetime.date
    done_at: datetime.datetime | None
    awaiting_confirmation: bool


# Read from a User: a person as the screens name them (a buddy; a manager is a ManagerRef).
class PersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(user) -> str:
        return display_name(user)


# Read from a learning.journeys.states.JourneyState (the learner's and the manager's views).
class JourneyOut(ReadSchema):
    id: int = Field(..., validation_alias=AliasPath("enrollment", "id"))
    event: EventRef = Field(..., validation_alias=AliasPath("enrollment", "event"))
    anchor_date: datetime.date = Field(..., validation_alias=AliasPath("enrollment", "anchor_date"))
    status: str = Field(
        ...,
        validation_alias=AliasPath("enrollment", "status"),
        description="current; withdrawn: no longer in the event's audience (a new role or team), "
        "kept for history and counted nowhere.",
    )
    ended_at: datetime.datetime | None = Field(
        ...,
        validation_alias=AliasPath("enrollment", "ended_at"),
        description="When it was withdrawn; null while current.",
    )
    buddy: PersonRef | None = Field(
        ...,
        validation_alias=AliasPath("enrollment", "buddy"),
        description="Who confirms the journey's buddy steps; null: the learner's manager does.",
    )
    completion: float
    steps_done: int = Field(..., validation_alias="done")
    steps_total: int
    overdue_steps: int = Field(..., validation_alias="overdue")
    steps: list[StepOut]


class PauseIn(Schema):
    from_: IsoDate = Field(..., alias="from", description="The first paused day (yours), not past.")
    until: IsoDate = Field(..., description="The last paused day: at most 90 days in all.")
    reason: Text(max_length=200, required=False) = Field(  # type: ignore[valid-type]
        "", description="e.g. 'Annual leave'; your manager sees it."
    )


# Read from a learning.models.Pause.
class PauseOut(Schema):
    from_: datetime.date = Field(
        ..., alias="from", validation_alias="starts_on", description="Its first day."
    )
    until: datetime.date = Field(..., validation_alias="ends_on", description="Its last day.")
    reason: str
    set_by: PersonRef | None = Field(..., description="Who set it: you, or your manager.")
