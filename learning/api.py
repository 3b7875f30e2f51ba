"""Learner endpoints: profile, journeys, progress, the today feed, events, and the manager's view."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from learning.journeys import JourneyState, enrollments_with_steps, journey_states
from learning.learners import is_manager, learner_for
from learning.models import Enrollment
from learning.schemas import JourneyOut, MeOut

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


def _journey_out(journey: JourneyState) -> dict:
    enrollment = journey.enrollment
    event = enrollment.event
    return {
        "id": enrollment.pk,
        "event": {"id": event.pk, "name": event.name, "kind": event.kind, "date": event.date},
        "anchor_date": enrollment.anchor_date,
        "completion": journey.completion,
        "steps_done": journey.done,
        "steps_total": len(journey.steps),
        "overdue_steps": journey.overdue,
        "steps": [
            {
                "id": s.step.pk,
                "title": s.step.title,
                "kind": s.step.kind,
                "category": s.step.category,
                "module_id": s.step.module_id,
                "job_task_id": s.step.job_task_id,
                "instructions": s.step.instructions,
                "confirmed_by": s.step.confirmed_by,
                "state": s.state,
                "unlocks_on": s.unlocks_on,
                "due_on": s.due_on,
                "done_at": s.done_at,
                "awaiting_confirmation": s.awaiting_confirmation,
            }
            for s in journey.steps
        ],
    }


@router.get("/journeys", response=list[JourneyOut], summary="My journeys")
@paginate(PageNumberPagination)
def list_journeys(request: HttpRequest):
    """My enrolments in live change events, each with its steps, their states and due dates."""
    learner = learner_for(request)
    enrollments = list(enrollments_with_steps(Enrollment.objects.for_learner(learner)))
    return [_journey_out(j) for j in journey_states(enrollments, now=timezone.now())]


@router.get("/journeys/{int:journey_id}", response=JourneyOut, summary="One of my journeys")
def get_journey(request: HttpRequest, journey_id: int):
    learner = learner_for(request)
    enrollments = list(enrollments_with_steps(Enrollment.objects.for_learner(learner).filter(pk=journey_id)))
    if not enrollments:
        raise Http404("No such journey.")
    return _journey_out(journey_states(enrollments, now=timezone.now())[0])
