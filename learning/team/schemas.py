"""The manager API's shapes: a team member's summary, one report in detail, an activity.

They read the domain's objects (learning.team.reports' summaries and details, Activity rows), so the
views return those as they are. Comments, not docstrings, on the schemas: a docstring would become
the schema's description in OpenAPI.
"""

import datetime

from ninja import Field, Schema

from cms.fields import BodyId, Text
from learning.journeys.schemas import JourneyOut
from learning.ledger.mix import Mix
from learning.ledger.schemas import MixOut
from learning.models import Activity, display_name
from learning.people.schemas import ManagerRef
from learning.practice.readiness import Readiness
from learning.practice.retention import LearnerRetention
from learning.practice.schemas import ReadinessOut, RetentionOut
from learning.team.reports import ReportDetail, ReportSummary


def _summary(obj: ReportSummary | ReportDetail) -> ReportSummary:
    # ReportDetailOut is this shape and more, read from a ReportDetail, which holds the summary.
    return obj.summary if isinstance(obj, ReportDetail) else obj


# Read from a learning.team.reports.ReportSummary (or a ReportDetail, through its summary).
class TeamMemberOut(Schema):
    id: int
    username: str
    name: str
    role: str
    team: str
    start_date: datetime.date | None
    timezone: str
    onboarding_completion: float | None
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int = Field(..., description="Overdue steps of onboarding journeys.")
    overdue_steps: int = Field(..., description="Overdue steps of every journey.")
    awaiting_confirmation: int
    last_active: datetime.datetime | None
    last_login: datetime.datetime | None = Field(
        ..., description="Their last sign-in (app or admin); null if they never signed in."
    )
    never_signed_in: bool = Field(
        ..., description="True until their first sign-in (password, invitation link or SSO)."
    )
    mix: MixOut
    retention: RetentionOut
    readiness: ReadinessOut | None = Field(
        ...,
        description="Predicted recall on the day of their next dated event (a launch), if they "
        "keep to their practice schedule and if they stopped today; null without such an event.",
    )
    drifting: bool
    paused_until: datetime.date | None = Field(
        ..., description="The last day of the pause they are in today; null when not paused."
    )

    # The learner's own fields.
    @staticmethod
    def resolve_id(obj) -> int:
        return _summary(obj).learner.pk

    @staticmethod
    def resolve_username(obj) -> str:
        return _summary(obj).learner.user.get_username()

    @staticmethod
    def resolve_name(obj) -> str:
        return display_name(_summary(obj).learner.user)

    @staticmethod
    def resolve_role(obj) -> str:
        return _summary(obj).learner.role

    @staticmethod
    def resolve_team(obj) -> str:
        return _summary(obj).learner.team

    @staticmethod
    def resolve_start_date(obj) -> datetime.date | None:
        return _summary(obj).learner.start_date

    @staticmethod
    def resolve_timezone(obj) -> str:
        return _summary(obj).learner.timezone

    # The summary's figures.
    @staticmethod
    def resolve_onboarding_completion(obj) -> float | None:
        return _summary(obj).onboarding_completion

    @staticmethod
    def resolve_onboarding_steps_done(obj) -> int:
        return _summary(obj).onboarding_steps_done

    @staticmethod
    def resolve_onboarding_steps_total(obj) -> int:
        return _summary(obj).onboarding_steps_total

    @staticmethod
    def resolve_onboarding_overdue(obj) -> int:
        return _summary(obj).onboarding_overdue

    @staticmethod
    def resolve_overdue_steps(obj) -> int:
        return _summary(obj).overdue_steps

    @staticmethod
    def resolve_awaiting_confirmation(obj) -> int:
        return _summary(obj).awaiting_confirmation

    @staticmethod
    def resolve_last_active(obj) -> datetime.datetime | None:
        return _summary(obj).last_active

    @staticmethod
    def resolve_last_login(obj) -> datetime.datetime | None:
        return _summary(obj).last_login

    @staticmethod
    def resolve_never_signed_in(obj) -> bool:
        return _summary(obj).never_signed_in

    @staticmethod
    def resolve_mix(obj) -> Mix:
        return _summary(obj).mix

    @staticmethod
    def resolve_retention(obj) -> LearnerRetention:
        return _summary(obj).retention

    @staticmethod
    def resolve_readiness(obj) -> Readiness | None:
        return _summary(obj).readiness

    @staticmethod
    def resolve_drifting(obj) -> bool:
        return _summary(obj).drifting

    @staticmethod
    def resolve_paused_until(obj) -> datetime.date | None:
        return _summary(obj).paused_until


# Read from an Activity (its step and confirmer selected).
class ReportActivityOut(Schema):
    id: int
    verb: str
    category: str | None
    minutes: int
    title: str
    occurred_at: datetime.datetime
    module_id: int | None
    step_id: int | None
    step_title: str | None
    job_task_id: int | None
    confirmation: str
    confirmed_by: ManagerRef | None
    confirmed_at: datetime.datetime | None

    @staticmethod
    def resolve_step_title(activity: Activity) -> str | None:
        return activity.step.title if activity.step else None


# Read from a learning.team.reports.ReportDetail.
class ReportDetailOut(TeamMemberOut):
    journeys: list[JourneyOut]
    recent_activity: list[ReportActivityOut]
    to_confirm: list[ReportActivityOut]


# Read from a User: a buddy as the manager set them.
class BuddyRef(ManagerRef):
    email: str


class BuddyIn(Schema):
    email: Text(max_length=254, required=False) | None = Field(  # type: ignore[valid-type]
        ...,
        description="The buddy's email (an active account); null or empty clears the buddy, "
        "and the manager confirms buddy steps again.",
    )
    journey_id: BodyId | None = Field(None, description="One current journey; omitted: all.")


# Read from a learning.journeys.buddies.BuddySet.
class BuddyOut(Schema):
    learner_id: int = Field(..., alias="learner.pk")
    buddy: BuddyRef | None
    journey_ids: list[int] = Field(..., description="The journeys whose buddy this set.")


# Read from an Activity of learning.journeys.confirmations.inbox (learner, step and event selected).
class ConfirmationOut(Schema):
    activity_id: int = Field(..., alias="pk")
    learner: ManagerRef = Field(..., alias="learner.user")
    event_name: str = Field(..., alias="step.event.name")
    step_id: int
    step_title: str = Field(..., alias="step.title")
    kind: str = Field(..., alias="step.kind")
    category: str | None
    minutes: int
    comment: str
    occurred_at: datetime.datetime
    confirming_as: str = Field(
        ..., description="buddy: you are their buddy; manager: you are their manager."
    )

    @staticmethod
    def resolve_confirming_as(activity) -> str:
        # `is_buddy` is inbox()'s annotation.
        return "buddy" if activity.is_buddy else "manager"
