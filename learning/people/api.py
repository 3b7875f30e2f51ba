"""GET /me: the signed-in learner's profile."""

from django.http import HttpRequest
from ninja import Router

from cms.errors import error_responses
from learning.learners import learner_for
from learning.people.schemas import MeOut

router = Router(tags=["learners"])


@router.get(
    "/me",
    response={200: MeOut, **error_responses(404)},
    summary="My profile",
    operation_id="learning_api_me",  # as before the move, for generated clients
)
def me(request: HttpRequest):
    return learner_for(request)
