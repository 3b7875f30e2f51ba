"""POST /events: the app's batch of things that happened, recorded offline or live."""

from typing import cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from cms.errors import error_responses
from cms.metrics import EVENTS
from cms.parsing import parse_items_one_by_one
from learning.learners import learner_for
from learning.ledger.events import record_events
from learning.ledger.schemas import MAX_BATCH, EventsIn, EventsOut, ParsedEvent, RejectedItem

router = Router(tags=["progress"])  # beside the progress it feeds, in the docs


@router.post(
    "/events",
    response={200: EventsOut, **error_responses(404)},
    summary="Record a batch of events",
    operation_id="learning_events_api_post_events",  # as before the move, for generated clients
    description=(
        f"Up to {MAX_BATCH} events, each with the app's UUID. The answer has one result per item, "
        "in the order sent: `accepted`, `duplicate` (already recorded, or repeated in this batch) "
        "or `rejected` with the reason. A rejected item does not stop the others, and sending the "
        "same batch again changes nothing, so the app can retry until it gets an answer. Events "
        "recorded offline days ago are fine; more than 5 minutes in the future is not."
    ),
)
def post_events(request: HttpRequest, payload: EventsIn):
    learner = learner_for(request)
    # Each item comes out of the schema's _lenient validator parsed or rejected, not as EventIn.
    items = cast("list[ParsedEvent | RejectedItem]", payload.events)
    outcome = record_events(learner, items, now=timezone.now())
    for result in outcome.results:
        EVENTS.labels(str(result.status)).inc()
    return outcome


# A NUL inside one item rejects that item (events_schemas.parse_item), not the whole batch. ninja
# names the operation's URL after its function.
parse_items_one_by_one(post_events.__name__, "events")
