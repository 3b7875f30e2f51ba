"""The manager's endpoints: their direct reports' progress, and confirming on-the-job steps.

Being a manager is having direct reports: anyone may call these, and sees only their own reports
(someone with none gets an empty team); another manager's report or activity is 404.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from cms.errors import error_responses
from cms.fields import Id
from cms.pagination import Pages
from learning.journeys.schemas import journey_out
from learning.models import Activity, display_name
from learning.team import reports
from learning.team.schemas import ReportActivityOut, ReportDetailOut, TeamMemberOut

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
    return [_member_out(s) for s in reports.team_overview(request.user, now=timezone.now())]


@router.get(
    "/manager/learners/{int:learner_id}",
    response={200: ReportDetailOut, **error_responses(404)},
    summary="One direct report",
    operation_id="learning_manager_api_learner_detail",
)
def learner_detail(request: HttpRequest, learner_id: Id):
    """One direct report's summary, journeys with step states, recent activity, and the steps
    waiting for your confirmation."""
    detail = reports.report_detail(request.user, learner_id, now=timezone.now())
    return {
        **_member_out(detail.summary),
        "journeys": [journey_out(j) for j in detail.journeys],
        "recent_activity": [_activity_out(a) for a in detail.recent_activity],
        "to_confirm": [_activity_out(a) for a in detail.to_confirm],
    }


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
    activity = reports.confirm_activity(request.user, activity_id, now=timezone.now())
    return _activity_out(activity)


def _member_out(summary: reports.ReportSummary) -> dict:
    learner = summary.learner
    user = learner.user
    return {
        "id": learner.pk,
        "username": user.get_username(),
        "name": display_name(user),
        "role": learner.role,
        "team": learner.team,
        "start_date": learner.start_date,
        "timezone": learner.timezone,
        "onboarding_completion": summary.onboarding_completion,
        "onboarding_steps_done": summary.onboarding_steps_done,
        "onboarding_steps_total": summary.onboarding_steps_total,
        "onboarding_overdue": summary.onboarding_overdue,
        "overdue_steps": summary.overdue_steps,
        "awaiting_confirmation": summary.awaiting_confirmation,
        "last_active": summary.last_active,
        "mix": summary.mix,
        "retention": summary.retention,
        "drifting": summary.drifting,
    }


def _activity_out(activity: Activity) -> dict:
    confirmer = activity.confirmed_by
    return {
        "id": activity.pk,
        "verb": activity.verb,
        "category": activity.category,
        "minutes": activity.minutes,
        "title": activity.title,
        "occurred_at": activity.occurred_at,
        "module_id": activity.module_id,
        "step_id": activity.step_id,
        "step_title": activity.step.title if activity.step else None,
        "job_task_id": activity.job_task_id,
        "confirmation": activity.confirmation,
        "confirmed_by": {"id": confirmer.pk, "name": display_name(confirmer)}
        if confirmer
        else None,
        "confirmed_at": activity.confirmed_at,
    }
