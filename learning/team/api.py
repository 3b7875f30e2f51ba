"""The manager's endpoints (their direct reports' progress, confirming steps, setting a buddy) and
the confirmer's inbox (GET /me/confirmations: what waits for me as a buddy or a manager).

Being a manager is having direct reports: anyone may call these, and sees only their own reports
(someone with none gets an empty team); another manager's report or activity is 404. A buddy sees
only the steps of the journeys they are buddy in.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from cms.errors import error_responses
from cms.fields import Id
from cms.pagination import Pages
from learning.journeys import buddies, confirmations, pauses
from learning.journeys.schemas import PauseIn, PauseOut
from learning.learners import report_of
from learning.practice.schemas import ReadinessOut
from learning.team import reports
from learning.team.schemas import (
    BuddyIn,
    BuddyOut,
    ConfirmationOut,
    ReportActivityOut,
    ReportDetailOut,
    TeamMemberOut,
)

router = Router(tags=["manager"])


@router.get(
    "/manager/team",
    response=list[TeamMemberOut],
    summary="My direct reports",
    operation_id="learning_manager_api_list_team",  # as before the move, for generated clients
)
@paginate(Pages)
def list_team(request: HttpRequest):
    """Each direct report with onboarding completion, overdue steps, last active, the 70:20:10 mix
    and whether they are drifting (steps to do and no activity for a few days)."""
    return reports.team_overview(request.user, now=timezone.now())


@router.get(
    "/manager/team/readiness",
    response=list[ReadinessOut],
    summary="My team's readiness for each dated event ahead",
)
def team_readiness(request: HttpRequest):
    """Per dated event ahead of your reports (a launch), the team's predicted recall of its
    practice on the day, if they keep to their schedule and if they stopped today: the mean over
    reports with answered cards, soonest event first. Each report's own is in GET /manager/team."""
    summaries = reports.team_overview(request.user, now=timezone.now())
    return reports.team_figures(summaries).readiness


@router.get(
    "/manager/learners/{int:learner_id}",
    response={200: ReportDetailOut, **error_responses(404)},
    summary="One direct report",
    operation_id="learning_manager_api_learner_detail",
)
def learner_detail(request: HttpRequest, learner_id: Id):
    """One direct report's summary, journeys with step states, recent activity, and the steps
    waiting for your confirmation."""
    return reports.report_detail(request.user, learner_id, now=timezone.now())


@router.post(
    "/manager/activities/{int:activity_id}/confirm",
    response={200: ReportActivityOut, **error_responses(404, 409)},
    summary="Confirm an on-the-job step",
    operation_id="learning_manager_api_confirm",
)
def confirm(request: HttpRequest, activity_id: Id):
    """Confirm a direct report's step that waits for its manager: the step becomes done.

    409 when the activity is already confirmed or needs no manager's confirmation.
    """
    return reports.confirm_activity(request.user, activity_id, now=timezone.now())


@router.put(
    "/manager/learners/{int:learner_id}/buddy",
    response={200: BuddyOut, **error_responses(404, 422)},
    summary="Set a report's buddy",
)
def set_buddy(request: HttpRequest, learner_id: Id, payload: BuddyIn):
    """Set who confirms a direct report's buddy steps, on one current journey (`journey_id`) or all
    of them; a null or empty email clears it (you confirm them again)."""
    return buddies.set_buddy(
        request.user,
        learner_id,
        email=payload.email,
        journey_id=payload.journey_id,
        now=timezone.now(),
    )


@router.get(
    "/me/confirmations",
    response=list[ConfirmationOut],
    summary="Steps waiting for my confirmation",
)
@paginate(Pages)
def my_confirmations(request: HttpRequest):
    """Steps people recorded as done that wait for me: as their buddy, or as their manager
    (their manager steps, and buddy steps of journeys with no buddy). Oldest first."""
    return confirmations.inbox(request.user)


@router.post(
    "/me/confirmations/{int:activity_id}",
    response={200: ReportActivityOut, **error_responses(404, 409)},
    summary="Confirm a step waiting for me",
)
def confirm_mine(request: HttpRequest, activity_id: Id):
    """Confirm a step from my inbox: it becomes done for the learner. 404 unless it waits (or
    waited) for me, as the learner's buddy or manager; 409 when it is already confirmed."""
    return confirmations.confirm(request.user, activity_id, now=timezone.now())


@router.post(
    "/manager/learners/{int:learner_id}/pause",
    response={201: PauseOut, **error_responses(404, 409, 422)},
    summary="Pause a report",
    by_alias=True,  # PauseOut's "from"
)
def pause_report(request: HttpRequest, learner_id: Id, payload: PauseIn):
    """Set a direct report's vacation hold, in their days (at most 90, not in the past).
    409 when they already have one."""
    pause = pauses.start_pause(
        report_of(request.user, learner_id),
        starts_on=payload.from_,
        ends_on=payload.until,
        reason=payload.reason,
        set_by=request.user,
        now=timezone.now(),
    )
    return Status(201, pause)


@router.delete(
    "/manager/learners/{int:learner_id}/pause",
    response={204: None, **error_responses(404)},
    summary="End a report's pause",
)
def end_report_pause(request: HttpRequest, learner_id: Id):
    """End a direct report's pause now, or call off one to come."""
    pauses.end_pause(report_of(request.user, learner_id), now=timezone.now())
    return Status(204, None)
