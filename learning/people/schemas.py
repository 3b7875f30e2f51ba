"""The people API's shapes: who I am, and a reference to a manager."""

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
