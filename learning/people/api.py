"""GET /me: the signed-in learner's profile."""

from django.http import HttpRequest
from ninja import Router

from cms.errors import error_responses
from learning.learners import is_manager, learner_for
from learning.models import display_name
from learning.people.schemas import MeOut

router = Router(tags=["learners"])


@router.get(
    "/me",
    response={200: MeOut, **error_responses(404)},
    summary="My profile",
    operation_id="learning_api_me",  # as before the move, for generated clients
)
def me(request: HttpRequest):
    learner = learner_for(request)
    user = learner.user
    manager = learner.manager
    return {
        "id": learner.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": learner.role,
        "team": learner.team,
        "start_date": learner.start_date,
        "timezone": learner.timezone,
        "locale": learner.locale,
        "manager": {"id": manager.pk, "name": display_name(manager)} if manager else None,
        "is_manager": is_manager(user),
    }
