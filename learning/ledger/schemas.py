"""Shapes of POST /events: a strict envelope around items parsed one by one.

The envelope (an object with at most MAX_BATCH events) is validated by ninja and fails as a whole
with 422. Each item is parsed on its own, strictly (no "5" for 5, no `true` for 1, no NUL or
control character, a time that exists): a bad one becomes a `RejectedItem` carrying the reason,
so one bad item never costs the app the rest of its offline queue.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt, StrictStr, WrapValidator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from cms.fields import AwareTime, BodyId, not_blank, without_controls
from cms.parsing import NUL_MESSAGE, nul_path
from cms.shapes import ReadSchema
from learning.models import Category, Verb

MAX_BATCH = 500
MAX_MINUTES = 480  # a working day: longer is a typo, not an activity
MAX_TITLE, MAX_COMMENT = 255, 2000

Minutes = Annotated[StrictInt, Field(ge=1, le=MAX_MINUTES)]
Title = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_TITLE), without_controls(), not_blank
]
Comment = Annotated[StrictStr, Field(max_length=MAX_COMMENT), without_controls(allowed="\t\n\r")]


class _EventIn(Schema):
    id: uuid.UUID = Field(..., description="The app's UUID for this event: the idempotency key.")
    occurred_at: AwareTime = Field(
        ...,
        description=(
            "When it happened, ISO 8601 with a UTC offset. Offline events may be up to "
            f"{settings.API_MAX_EVENT_AGE_DAYS} days old; older ones, and ones more than 5 "
            "minutes in the future, are rejected."
        ),
    )


class ModuleStartedIn(_EventIn):
    type: Literal["module_started"]
    module_id: BodyId


class ModuleCompletedIn(_EventIn):
    type: Literal["module_completed"]
    module_id: BodyId
    minutes: Minutes | None = Field(
        None, description="Time spent; the module's estimated minutes when left out."
    )


class StepDoneIn(_EventIn):
    type: Literal["step_done"]
    step_id: BodyId
    minutes: Minutes | None = Field(
        None, description="Time spent; the step's module's estimated minutes when left out."
    )


class ActivityLoggedIn(_EventIn):
    type: Literal["activity_logged"]
    category: Category
    minutes: Minutes
    title: Title = Field(..., description="What they did, in a line.")
    job_task_id: BodyId | None = None


class FeedbackIn(_EventIn):
    type: Literal["feedback"]
    module_id: BodyId
    rating: StrictInt = Field(..., ge=1, le=5)
    comment: Comment = Field(
        "", description="Line breaks are kept; other control characters are not."
    )


class NudgeOpenedIn(_EventIn):
    type: Literal["nudge_opened"]
    nudge_id: BodyId


EventIn = (
    ModuleStartedIn | ModuleCompletedIn | StepDoneIn | ActivityLoggedIn | FeedbackIn | NudgeOpenedIn
)

EVENT_TYPES: dict[str, type[EventIn]] = {
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
    # The body parser leaves NULs inside items to us (cms.parsing.parse_items_one_by_one):
    # PostgreSQL cannot store one, and it costs only its own item.
    if (path := nul_path(value)) is not None:
        return RejectedItem(ref, client_id, f"{'.'.join(path)}: {NUL_MESSAGE}")
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


class ShareOut(ReadSchema):
    category: str = Field(..., description="experience (70) | social (20) | formal (10)")
    minutes: int
    count: int
    share: float = Field(..., description="Of all counted minutes, 0..1.")
    reference: float = Field(
        ..., description="The 70/20/10 reference shape, for comparison: a description, not a goal."
    )


class MixOut(ReadSchema):
    total_minutes: int
    categories: list[ShareOut] = Field(..., validation_alias="shares")
