"""The learning API's shapes."""

import datetime

from ninja import Field, Schema


class ManagerRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    team: str
    start_date: datetime.date | None
    timezone: str
    locale: str
    manager: ManagerRef | None
    is_manager: bool


class ShareOut(Schema):
    category: str = Field(..., description="experience (70) | social (20) | formal (10)")
    minutes: int
    count: int
    share: float = Field(..., description="Of all counted minutes, 0..1.")
    reference: float = Field(
        ..., description="The 70/20/10 reference shape, for comparison: a description, not a goal."
    )


class MixOut(Schema):
    total_minutes: int
    categories: list[ShareOut]

    @staticmethod
    def resolve_categories(mix) -> list:
        return mix.shares


class ModuleRetentionOut(Schema):
    module_id: int
    title: str
    cards: int
    reviewed: int
    now: float | None = Field(..., description="Predicted recall now (fsrs retrievability), 0..1.")
    in_7_days: float | None

    @staticmethod
    def resolve_now(obj) -> float | None:
        return obj.predicted.get(0)

    @staticmethod
    def resolve_in_7_days(obj) -> float | None:
        return obj.predicted.get(7)


class RetentionOut(Schema):
    """Predicted recall of practice cards (reviewed ones only), overall and per module."""

    cards: int
    reviewed: int
    now: float | None
    in_7_days: float | None
    modules: list[ModuleRetentionOut]


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
    """A `learning.journeys.JourneyState` in the JourneyOut shape (the learner's and manager's views)."""
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
