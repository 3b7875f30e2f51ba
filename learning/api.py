"""Learner endpoints: profile, journeys, progress, the today feed, events, and the manager's view."""

from django.http import HttpRequest
from ninja import Router

from learning.learners import is_manager, learner_for
from learning.schemas import MeOut

router = Router(tags=["learners"])


@router.get("/me", response=MeOut, summary="My profile")
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
        "manager": {"id": manager.pk, "name": manager.get_full_name() or manager.get_username()}
        if manager
        else None,
        "is_manager": is_manager(user),
    }
