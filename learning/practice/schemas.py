"""Shapes of the practice endpoints: due cards (never with their answer) and one answer in, its result out."""

import datetime
import uuid

from django.conf import settings
from ninja import Field, Schema
from pydantic import StrictInt

from cms.fields import AwareTime, BodyId
from cms.shapes import ReadSchema

MAX_CHOICES = 6  # cms.blocks.MAX_CHOICES: a question has at most this many
MAX_RESPONSE_MS = 60 * 60 * 1000


# Read from a learning.practice.cards.DueCard (the list of due cards, and the today feed's).
class DueCardOut(ReadSchema):
    card_id: int
    module_id: int
    module_title: str
    prompt: str
    choices: list[str] = Field(
        ..., description="Answer with the indexes of the chosen ones (0-based)."
    )
    multiple: bool = Field(..., description="More than one choice is right.")
    due: datetime.datetime
    state: str = Field(
        ...,
        validation_alias="state_name",
        description="learning, review or relearning (fsrs's states).",
    )


class ReviewIn(Schema):
    """Strict: `"3"` or `true` is not a number here."""

    card_id: BodyId
    client_id: uuid.UUID = Field(
        ..., description="The app's UUID for this answer: sending it again changes nothing."
    )
    answered_at: AwareTime = Field(
        ...,
        description=(
            "When it was answered, ISO 8601 with a UTC offset. Offline answers may be up to "
            f"{settings.API_MAX_EVENT_AGE_DAYS} days old; older ones, and ones more than 5 "
            "minutes in the future, are refused."
        ),
    )
    choices: list[StrictInt] | None = Field(
        None,
        max_length=MAX_CHOICES,
        description="The chosen choice indexes (0-based). Give these or `rating`.",
    )
    rating: StrictInt | None = Field(
        None,
        ge=1,
        le=4,
        description="Self-graded: 1 again, 2 hard, 3 good, 4 easy. Give this or `choices`.",
    )
    response_ms: StrictInt = Field(..., ge=0, le=MAX_RESPONSE_MS, description="Time to answer.")


class ReviewOut(Schema):
    card_id: int
    correct: bool | None = Field(..., description="null for a self-graded answer.")
    explanation: str
    rating_applied: int = Field(..., description="The FSRS rating the answer earned (1–4).")
    next_due: datetime.datetime
    replayed: bool = Field(..., description="This client_id was recorded before: nothing changed.")


class ModuleRetentionOut(ReadSchema):
    module_id: int
    title: str
    cards: int
    reviewed: int
    now: float | None = Field(..., description="Predicted recall now (fsrs retrievability), 0..1.")
    in_7_days: float | None


class RetentionOut(ReadSchema):
    """Predicted recall of practice cards (reviewed ones only), overall and per module."""

    cards: int
    reviewed: int
    now: float | None
    in_7_days: float | None
    modules: list[ModuleRetentionOut]


class ReadinessOut(ReadSchema):
    """Predicted recall of one dated event's practice on its day (09:00 in the learner's zone),
    over the cards answered at least once: if they keep to their schedule (each review on its due
    date, answered right) and if they stopped practising today."""

    event_id: int
    event_name: str
    date: datetime.date
    cards: int
    reviewed: int
    if_kept: float | None
    if_stopped: float | None
