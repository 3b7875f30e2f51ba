"""The learning API's shapes."""

import datetime

from ninja import Schema


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
