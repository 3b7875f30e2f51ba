"""Shapes of POST /events: a strict envelope around leniently parsed items.

The envelope (an object with at most MAX_BATCH events) is validated by ninja and fails as a whole
with 422. Each item is parsed on its own: a malformed one becomes a `RejectedItem` carrying the
reason, so one bad item never costs the app the rest of its offline queue.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import (
    BeforeValidator,
    PositiveInt,
    WrapValidator,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from learning.models import Category, Verb

MAX_BATCH = 500
MAX_MINUTES = 480  # a working day: longer is a typo, not an activity


def _iso_string(value: Any) -> Any:
    # pydantic would read a number as a Unix time; the contract is ISO 8601 with an offset.
    if not isinstance(value, str):
        raise PydanticCustomError("iso_datetime", "must be an ISO 8601 date-time string")
    return value


def _with_offset(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime",
            "needs a UTC offset, e.g. 2026-11-23T08:15:00+01:00 or …Z",
        )
    return value


OccurredAt = Annotated[datetime.datetime, BeforeValidator(_iso_string)]
Minutes = Annotated[int, Field(ge=1, le=MAX_MINUTES)]


class _EventIn(Schema):
    id: uuid.UUID = Field(..., description="The app's UUID for this event: the idempotency key.")
    occurred_at: OccurredAt = Field(
        ...,
        description="When it happened, ISO 8601 with a UTC offset; offline events may be days old.",
    )

    @field_validator("occurred_at", mode="after")
    @classmethod
    def _aware(cls, value: datetime.datetime) -> datetime.datetime:
        return _with_offset(value)


class ModuleStartedIn(_EventIn):
    type: Literal["module_started"]
    module_id: PositiveInt


class ModuleCompletedIn(_EventIn):
    type: Literal["module_completed"]
    module_id: PositiveInt
    minutes: Minutes | None = Field(
        None, description="Time spent; the module's estimated minutes when left out."
    )


class StepDoneIn(_EventIn):
    type: Literal["step_done"]
    step_id: PositiveInt
    minutes: Minutes | None = Field(
        None, description="Time spent; the step's module's estimated minutes when left out."
    )


class ActivityLoggedIn(_EventIn):
    type: Literal["activity_logged"]
    category: Category
    minutes: Minutes
    title: str = Field(..., min_length=1, max_length=255)
    job_task_id: PositiveInt | None = None

    @field_validator("title", mode="after")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "must not be blank")
        return value.strip()


class FeedbackIn(_EventIn):
    type: Literal["feedback"]
    module_id: PositiveInt
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class NudgeOpenedIn(_EventIn):
    type: Literal["nudge_opened"]
    nudge_id: PositiveInt


EventIn = (
    ModuleStartedIn | ModuleCompletedIn | StepDoneIn | ActivityLoggedIn | FeedbackIn | NudgeOpenedIn
)

EVENT_TYPES: dict[str, type[_EventIn]] = {
    Verb.MODULE_STARTED: ModuleStartedIn,
    Verb.MODULE_COMPLETED: ModuleCompletedIn,
    Verb.STEP_DONE: StepDoneIn,
    Verb.ACTIVITY_LOGGED: ActivityLoggedIn,
    Verb.FEEDBACK: FeedbackIn,
    Verb.NUDGE_OPENED: NudgeOpenedIn,
}


@dataclass(frozen=True)
class ParsedEvent:
    """An item that reads as an event of its type; `ref` is its id exactly as sent."""

    ref: str
    event: EventIn

    @property
    def client_id(self) -> uuid.UUID:
        return self.event.id


@dataclass(frozen=True)
class RejectedItem:
    """An item that could not be read; `client_id` is set when at least its id was a valid UUID."""

    ref: str | None
    client_id: uuid.UUID | None
    reason: str


def item_ref(value: Any) -> str | None:
    """The item's id as the app sent it, echoed back so the app can match answers to its queue."""
    raw = value.get("id") if isinstance(value, dict) else None
    if isinstance(raw, str | uuid.UUID):
        return str(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


def _client_id(value: dict) -> uuid.UUID | None:
    raw = value.get("id")
    if isinstance(raw, uuid.UUID):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _reason(exc: PydanticValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error["loc"]) or "event"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


def parse_item(value: Any) -> ParsedEvent | RejectedItem:
    """One item of a batch, parsed by its type; never raises."""
    if not isinstance(value, dict):
        return RejectedItem(None, None, "event: must be a JSON object")
    ref, client_id = item_ref(value), _client_id(value)
    kind = value.get("type")
    model = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        expected = ", ".join(EVENT_TYPES)
        reason = (
            f"type: unknown event type “{kind}” (expected one of {expected})"
            if kind is not None
            else f"type: missing (expected one of {expected})"
        )
        return RejectedItem(ref, client_id, reason)
    try:
        event = model.model_validate(value)
    except PydanticValidationError as exc:
        return RejectedItem(ref, client_id, _reason(exc))
    return ParsedEvent(ref=ref or str(event.id), event=event)


def _lenient(value: Any, handler: Any) -> ParsedEvent | RejectedItem:
    # The annotated union documents the items in OpenAPI; parsing is ours, per item.
    return parse_item(value)


def _at_most_one_batch(value: Any) -> Any:
    if isinstance(value, list) and len(value) > MAX_BATCH:
        raise PydanticCustomError(
            "too_many_events",
            "a batch holds at most {max} events, this one has {count}: send the rest in another batch",
            {"max": MAX_BATCH, "count": len(value)},
        )
    return value


LenientEventIn = Annotated[EventIn, Field(discriminator="type"), WrapValidator(_lenient)]


class EventsIn(Schema):
    events: Annotated[
        list[LenientEventIn], BeforeValidator(_at_most_one_batch), Field(max_length=MAX_BATCH)
    ] = Field(..., description=f"Up to {MAX_BATCH} events, oldest first.")


class EventResultOut(Schema):
    id: str | None = Field(..., description="The item's id as sent (null when it had none).")
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = Field(None, description="Why it was rejected or counted as a duplicate.")


class EventsOut(Schema):
    results: list[EventResultOut] = Field(..., description="One per item, in the order sent.")
