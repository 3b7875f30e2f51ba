"""Learner endpoints: profile, journeys, progress, the today feed, events, and the manager's view."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from cms.errors import NotFound, error_responses
from cms.fields import Id
from cms.pagination import Pages
from learning.events_api import router as events_router
from learning.journeys import enrollments_with_steps, journey_states
from learning.learners import is_manager, learner_for
from learning.manager_api import router as manager_router
from learning.models import Enrollment
from learning.practice_api import router as practice_router
from learning.progress_api import router as progress_router
from learning.schemas import JourneyOut, MeOut, journey_out

router = Router(tags=["learners"])


@router.get("/me", response={200: MeOut, **error_responses(404)}, summary="My profile")
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


@router.get(
    "/journeys", response={200: list[JourneyOut], **error_responses(404)}, summary="My journeys"
)
@paginate(Pages)
def list_journeys(request: HttpRequest):
    """My enrolments in live change events, each with its steps, their states and due dates."""
    learner = learner_for(request)
    enrollments = list(enrollments_with_steps(Enrollment.objects.for_learner(learner)))
    return [journey_out(j) for j in journey_states(enrollments, now=timezone.now())]


@router.get(
    "/journeys/{int:journey_id}",
    response={200: JourneyOut, **error_responses(404)},
    summary="One of my journeys",
)
def get_journey(request: HttpRequest, journey_id: Id):
    learner = learner_for(request)
    enrollments = list(
        enrollments_with_steps(Enrollment.objects.for_learner(learner).filter(pk=journey_id))
    )
    if not enrollments:
        raise NotFound("No such journey.")
    return journey_out(journey_states(enrollments, now=timezone.now())[0])


router.add_router("", progress_router)
router.add_router("", manager_router)
router.add_router("", events_router)
router.add_router("", practice_router)
