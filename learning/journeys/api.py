"""The learner's journeys (GET /journeys, /journeys/{id}), progress (GET /me/progress) and the
today feed (GET /me/today): read-only views of the signed-in learner's own data.

Operation ids are given as they were before learning/ was cut into packages (ninja derives them
from the module), so generated clients keep their method names.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from cms.errors import NotFound, error_responses
from cms.fields import Id
from cms.pagination import Pages
from learning.cached import per_learner
from learning.journeys import pauses
from learning.journeys.progress import progress_for
from learning.journeys.schemas import JourneyOut, PauseIn, PauseOut, ProgressOut, TodayOut
from learning.journeys.states import journey_states, learner_enrollments
from learning.journeys.today import today_feed
from learning.learners import learner_for
from learning.models import Enrollment
from learning.practice.cards import until_next_due

router = Router(tags=["journeys"])


@router.get(
    "/journeys",
    response={200: list[JourneyOut], **error_responses(404)},
    summary="My journeys",
    operation_id="learning_api_list_journeys",
)
@per_learner()
@paginate(Pages)
def list_journeys(request: HttpRequest):
    """My enrolments in live change events, each with its steps, their states and due dates;
    those I was withdrawn from (a new role or team) stay listed with `status` withdrawn."""
    learner = learner_for(request)
    enrollments = learner_enrollments(learner, Enrollment.objects.for_learner(learner))
    return journey_states(enrollments, now=timezone.now())


@router.get(
    "/journeys/{int:journey_id}",
    response={200: JourneyOut, **error_responses(404)},
    summary="One of my journeys",
    operation_id="learning_api_get_journey",
)
def get_journey(request: HttpRequest, journey_id: Id):
    learner = learner_for(request)
    enrollments = learner_enrollments(
        learner, Enrollment.objects.for_learner(learner).filter(pk=journey_id)
    )
    if not enrollments:
        raise NotFound("No such journey.")
    return journey_states(enrollments, now=timezone.now())[0]


@router.get(
    "/me/progress",
    response={200: ProgressOut, **error_responses(404)},
    summary="My progress",
    operation_id="learning_progress_api_my_progress",
)
@per_learner()
def my_progress(request: HttpRequest):
    """Journey completion, my 70:20:10 mix beside the 70/20/10 reference, and my streak in my own days."""
    return progress_for(learner_for(request), now=timezone.now())


@router.get(
    "/me/today",
    response={200: TodayOut, **error_responses(404)},
    summary="What I can do now",
    operation_id="learning_progress_api_my_today",
)
@per_learner(until=until_next_due)
def my_today(request: HttpRequest, minutes: int = Query(5, ge=1, le=60)):
    """What fits in `minutes`, in priority order: overdue steps, steps due today, due practice (each
    review at an estimate), the other unlocked steps, then modules for my job tasks. Nothing for a
    locked step. When something is to do but nothing fits, `nothing_fits` and the smallest item."""
    return today_feed(learner_for(request), minutes=minutes, now=timezone.now())


@router.get(
    "/me/pause",
    response={200: PauseOut, **error_responses(404)},
    summary="My pause",
    by_alias=True,  # PauseOut's "from"
)
def my_pause(request: HttpRequest):
    """My pause that is current or to come; 404 when there is none."""
    learner = learner_for(request)
    pause = pauses.open_pause(learner, today=learner.local_date(timezone.now()))
    if pause is None:
        raise NotFound("No pause is set.")
    return pause


@router.post(
    "/me/pause",
    response={201: PauseOut, **error_responses(404, 409, 422)},
    summary="Pause me (a vacation hold)",
    by_alias=True,  # PauseOut's "from"
)
def pause_me(request: HttpRequest, payload: PauseIn):
    """Hold everything from `from` to `until` (my days, at most 90, not in the past): no nudges,
    no step falls overdue, no drift, and practice waits. My open steps and cards are due as many
    days later as I was away. 409 when a pause is already set."""
    learner = learner_for(request)
    pause = pauses.start_pause(
        learner,
        starts_on=payload.from_,
        ends_on=payload.until,
        reason=payload.reason,
        set_by=request.user,
        now=timezone.now(),
    )
    return Status(201, pause)


@router.delete(
    "/me/pause",
    response={204: None, **error_responses(404)},
    summary="End my pause",
)
def end_my_pause(request: HttpRequest):
    """End my pause now (yesterday was its last day), or call off one to come."""
    pauses.end_pause(learner_for(request), now=timezone.now())
    return Status(204, None)
