"""The manager API's shapes: a team member's summary, one report in detail, an activity."""

import datetime

from ninja import Field, Schema

from learning.journeys.schemas import JourneyOut
from learning.ledger.schemas import MixOut
from learning.people.schemas import ManagerRef
from learning.practice.schemas import RetentionOut


class TeamMemberOut(Schema):
    id: int
    username: str
    name: str
    role: str
    team: str
    start_date: datetime.date | None
    timezone: str
    onboarding_completion: float | None
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int = Field(..., description="Overdue steps of onboarding journeys.")
    overdue_steps: int = Field(..., description="Overdue steps of every journey.")
    awaiting_confirmation: int
    last_active: datetime.datetime | None
    mix: MixOut
    retention: RetentionOut
    drifting: bool


class ReportActivityOut(Schema):
    id: int
    verb: str
    category: str | None
    minutes: int
    title: str
    occurred_at: datetime.datetime
    module_id: int | None
    step_id: int | None
    step_title: str | None
    job_task_id: int | None
    confirmation: str
    confirmed_by: ManagerRef | None
    confirmed_at: datetime.datetime | None


class ReportDetailOut(TeamMemberOut):
    journeys: list[JourneyOut]
    recent_activity: list[ReportActivityOut]
    to_confirm: list[ReportActivityOut]
