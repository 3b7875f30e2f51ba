"""Shapes of the practice endpoints: due cards (never with their answer) and one answer in, its result out."""

import datetime
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

from learning.models import CardState

MAX_CHOICES = 6  # cms.blocks.MAX_CHOICES: a question has at most this many
MAX_RESPONSE_MS = 60 * 60 * 1000


def _iso_string(value: Any) -> Any:
    # pydantic would read a number as a Unix time; the contract is ISO 8601 with an offset.
    if not isinstance(value, str):
        raise PydanticCustomError("iso_datetime", "must be an ISO 8601 date-time string")
    return value


AnsweredAt = Annotated[AwareDatetime, BeforeValidator(_iso_string)]


class DueCardOut(Schema):
    card_id: int
    module_id: int
    module_title: str
    prompt: str
    choices: list[str] = Field(
        ..., description="Answer with the indexes of the chosen ones (0-based)."
    )
    multiple: bool = Field(..., description="More than one choice is right.")
    due: datetime.datetime
    state: str = Field(..., description="learning, review or relearning (fsrs's states).")

    @staticmethod
    def resolve_state(obj) -> str:
        state = obj["state"] if isinstance(obj, dict) else obj.state
        return state if isinstance(state, str) else CardState(state).name.lower()


class ReviewIn(Schema):
    card_id: int
    client_id: uuid.UUID = Field(
        ..., description="The app's UUID for this answer: sending it again changes nothing."
    )
    answered_at: AnsweredAt = Field(
        ...,
        description="When it was answered, ISO 8601 with a UTC offset; offline answers may be old.",
    )
    choices: list[int] | None = Field(
        None,
        max_length=MAX_CHOICES,
        description="The chosen choice indexes (0-based). Give these or `rating`.",
    )
    rating: int | None = Field(
        None,
        ge=1,
        le=4,
        description="Self-graded: 1 again, 2 hard, 3 good, 4 easy. Give this or `choices`.",
    )
    response_ms: int = Field(..., ge=0, le=MAX_RESPONSE_MS, description="Time to answer.")


class ReviewOut(Schema):
    card_id: int
    correct: bool | None = Field(..., description="null for a self-graded answer.")
    explanation: str
    rating_applied: int = Field(..., description="The FSRS rating the answer earned (1–4).")
    next_due: datetime.datetime
    replayed: bool = Field(..., description="This client_id was recorded before: nothing changed.")
