"""GET /reviews/due and POST /reviews: spaced practice from the app."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from cms.errors import error_responses
from learning.cached import per_learner
from learning.learners import learner_for
from learning.practice import cards
from learning.practice.schemas import DueCardOut, ReviewIn, ReviewOut

router = Router(tags=["practice"])


@router.get(
    "/reviews/due",
    response={200: list[DueCardOut], **error_responses(404)},
    summary="My due practice cards",
    operation_id="learning_practice_api_list_due",  # as before the move, for generated clients
)
@per_learner(until=cards.until_next_due)
def list_due(request: HttpRequest, limit: int = Query(10, ge=1, le=50)):
    """Cards due now, oldest due first, with the question and its choices (never the answer)."""
    return cards.due_cards(learner_for(request), now=timezone.now(), limit=limit)


@router.post(
    "/reviews",
    response={200: ReviewOut, **error_responses(404)},
    summary="Answer a practice card",
    operation_id="learning_practice_api_post_review",
    description=(
        "Send the chosen `choices` (checked here) or a self-graded `rating`, not both. A checked "
        "answer earns an FSRS rating: wrong → Again (1); right in more than 15 s → Hard (2); right "
        "in under 5 s → Easy (4); right otherwise → Good (3). Sending the same `client_id` again "
        "returns the recorded result and changes nothing (`replayed`), so the app can retry. "
        "Answers recorded offline are applied in `answered_at` order, whatever order they arrive in."
    ),
)
def post_review(request: HttpRequest, payload: ReviewIn):
    learner = learner_for(request)
    return cards.answer(
        learner,
        card_id=payload.card_id,
        client_id=payload.client_id,
        answered_at=payload.answered_at,
        choices=payload.choices,
        rating=payload.rating,
        response_ms=payload.response_ms,
        now=timezone.now(),
    )
