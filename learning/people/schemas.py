"""The people API's shapes: who I am, and a reference to a manager, read from the models."""

import datetime

from ninja import Field, Schema

from learning.journeys.schemas import PersonRef
from learning.learners import is_manager


# Read from a user: a learner's manager, or whoever confirmed an activity. (Comments, not
# docstrings, on these schemas: a docstring would become the schema's description in OpenAPI.)
class ManagerRef(PersonRef):
    pass


# Read from the signed-in Learner, its user and manager selected (learner_for).
class MeOut(Schema):
    id: int
    username: str
    first_name: str = Field(..., alias="user.first_name")
    last_name: str = Field(..., alias="user.last_name")
    email: str = Field(..., alias="user.email")
    role: str
    team: str
    start_date: datetime.date | None
    timezone: str
    locale: str
    manager: ManagerRef | None
    is_manager: bool

    @staticmethod
    def resolve_username(learner) -> str:
        return learner.user.get_username()

    @staticmethod
    def resolve_is_manager(learner) -> bool:
        return is_manager(learner.user)
