"""The team view: a manager's direct reports, their progress (onboarding, overdue steps, the mix),
who is drifting, and confirming the on-the-job steps that wait for them.

A manager sees only their direct reports (`Learner.objects.reports_of`), whose accounts are active;
anyone else (a deactivated report too) is not found. Figures count current enrolments only.
"""

import datetime
from dataclasses import dataclass

from cms.models import ChangeEvent
from learning.journeys import confirmations, pauses
from learning.journeys.confirmations import MANAGER, confirmer, shown
from learning.journeys.states import (
    DONE,
    OVERDUE,
    JourneyState,
    is_drifting,
    journey_states,
    live_enrollments,
)
from learning.learners import report_of
from learning.ledger.mix import Mix, mixes_for
from learning.ledger.times import plausible
from learning.models import Activity, Confirmation, EndReason, Enrollment, Learner
from learning.practice.readiness import EventOnTheDay, Readiness, readiness, team_readiness
from learning.practice.retention import LearnerRetention, retention

RECENT_ACTIVITY_LIMIT = 20


@dataclass(frozen=True)
class ReportSummary:
    learner: Learner
    # Over the report's onboarding journeys; None when they are in none.
    onboarding_completion: float | None
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int  # of the onboarding steps
    overdue_steps: int  # in every journey
    # Steps recorded as done that wait for this manager's confirmation.
    awaiting_confirmation: int
    last_active: datetime.datetime | None
    mix: Mix
    drifting: bool
    retention: LearnerRetention  # predicted recall of their practice cards, now and in 7 days
    paused_until: datetime.date | None = None  # the last day of the pause they are in today
    # Predicted recall on the day of their next dated event (a launch); None without one.
    readiness: Readiness | None = None

    @property
    def last_login(self) -> datetime.datetime | None:
        """Their last sign-in (app or admin); None: they have never signed in."""
        return self.learner.user.last_login

    @property
    def never_signed_in(self) -> bool:
        return self.learner.user.last_login is None


@dataclass(frozen=True)
class ReportDetail:
    summary: ReportSummary
    # Current journeys, then those they were withdrawn from (shown as such, counted nowhere).
    journeys: list[JourneyState]
    recent_activity: list[Activity]
    # Every pending step activity this manager can confirm, however old.
    to_confirm: list[Activity]


def team_overview(manager_user, *, now: datetime.datetime) -> list[ReportSummary]:
    """Each direct report's summary, in a fixed number of queries whatever the team's size.

    Someone with no reports gets an empty list (being a manager is having reports).
    """
    reports = list(Learner.objects.reports_of(manager_user).select_related("user"))
    return _summaries(reports, now=now)[0]


def report_detail(manager_user, learner_id: int, *, now: datetime.datetime) -> ReportDetail:
    """One direct report's journeys, step states and recent activity; 404 for anyone else."""
    learner = report_of(manager_user, learner_id)
    summaries, journeys = _summaries([learner], now=now)
    ended = live_enrollments(
        Enrollment.objects.filter(learner=learner, end_reason=EndReason.WITHDRAWN)
    )
    journeys = journeys + journey_states(list(ended), now=now)
    activities = Activity.objects.filter(learner=learner).select_related("step", "confirmed_by")
    to_confirm = activities.filter(confirmation=Confirmation.PENDING).filter(
        confirmations.waiting_for(manager_user)
    )
    return ReportDetail(
        summary=summaries[0],
        journeys=journeys,
        recent_activity=shown(activities[:RECENT_ACTIVITY_LIMIT]),
        to_confirm=shown(to_confirm),
    )


def confirm_activity(manager_user, activity_id: int, *, now: datetime.datetime) -> Activity:
    """Confirm a direct report's pending step that waits for its manager (a manager step, or a
    buddy step of a journey with no buddy): from now on the step counts as done.

    404 unless the activity is a direct report's. ConfirmationConflict (409) when it was already
    confirmed, or when it needs no manager's confirmation (not a step, a self-confirmed step, one
    their buddy confirms, or a row that never waited): confirming twice is refused rather than
    silently repeated, so the app can tell the manager someone (or another device) got there first.
    """
    return confirmations.confirm(manager_user, activity_id, now=now, reports_only=True)


def _summaries(
    reports: list[Learner], *, now: datetime.datetime
) -> tuple[list[ReportSummary], list[JourneyState]]:
    """Summaries of these learners in a fixed number of queries: enrolments (2), step states and
    pauses, mix, retention, last active, pauses, readiness (cards and scheduler sets)."""
    if not reports:
        return [], []
    ids = [learner.pk for learner in reports]
    enrollments = list(live_enrollments(Enrollment.objects.current().filter(learner_id__in=ids)))
    journeys = journey_states(enrollments, now=now)
    mixes = mixes_for(ids)
    retentions = retention(ids, now=now)
    # Rows dated before the app existed or in the future are no evidence of activity: skipped, so a
    # year-9999 row does not keep someone "active" (and never drifting) for good.
    last_active = Activity.objects.filter(plausible(now), learner_id__in=ids).last_active()
    spans = pauses.spans_of(ids)
    by_learner: dict[int, list[JourneyState]] = {pk: [] for pk in ids}
    for journey in journeys:
        by_learner[journey.enrollment.learner_id].append(journey)
    ready = readiness(
        reports,
        {r.pk: e for r in reports if (e := next_dated_event(r, by_learner[r.pk], now=now))},
        now=now,
    )
    summaries = [
        _summary(
            learner,
            by_learner[learner.pk],
            mix=mixes[learner.pk],
            retention=retentions[learner.pk],
            last_active=last_active.get(learner.pk),
            now=now,
            paused_until=pauses.paused_until(
                spans.get(learner.pk, []), today=learner.local_date(now)
            ),
            readiness=ready.get(learner.pk),
        )
        for learner in reports
    ]
    return summaries, journeys


def _summary(
    learner: Learner,
    journeys: list[JourneyState],
    *,
    mix: Mix,
    retention: LearnerRetention,
    last_active: datetime.datetime | None,
    now: datetime.datetime,
    paused_until: datetime.date | None,
    readiness: Readiness | None,
) -> ReportSummary:
    onboarding = [
        s
        for j in journeys
        if j.enrollment.event.kind == ChangeEvent.Kind.ONBOARDING
        for s in j.steps
    ]
    onboarding_done = sum(1 for s in onboarding if s.state == DONE)
    steps = [s for j in journeys for s in j.steps]
    return ReportSummary(
        learner=learner,
        onboarding_completion=round(onboarding_done / len(onboarding), 3) if onboarding else None,
        onboarding_steps_done=onboarding_done,
        onboarding_steps_total=len(onboarding),
        onboarding_overdue=sum(1 for s in onboarding if s.state == OVERDUE),
        overdue_steps=sum(1 for s in steps if s.state == OVERDUE),
        awaiting_confirmation=sum(
            1
            for j in journeys
            for s in j.steps
            if s.awaiting_confirmation and confirmer(s.step, j.enrollment) == MANAGER
        ),
        last_active=last_active,
        mix=mix,
        retention=retention,
        drifting=is_drifting(learner, journeys, last_active=last_active, now=now),
        paused_until=paused_until,
        readiness=readiness,
    )


def next_dated_event(
    learner: Learner, journeys: list[JourneyState], *, now: datetime.datetime
) -> EventOnTheDay | None:
    """The soonest event of their current journeys dated today or later in their calendar (a
    launch); onboarding anchors on each start date instead and has no day of its own."""
    today = learner.local_date(now)
    dated = [
        j.enrollment.event
        for j in journeys
        if j.enrollment.event.date is not None and j.enrollment.event.date >= today
    ]
    if not dated:
        return None
    event = min(dated, key=lambda e: (e.date, e.pk))
    return EventOnTheDay(
        event_id=event.pk, name=event.name, date=event.date, target_retention=event.target_retention
    )


@dataclass(frozen=True)
class TeamFigures:
    """The team at a glance, summed from its members' summaries (nothing is queried again)."""

    reports: int
    onboarding: int  # reports with an onboarding journey
    onboarding_average: float | None  # mean completion over those, 0..1
    onboarding_steps_done: int
    onboarding_steps_total: int
    onboarding_overdue: int
    overdue_steps: int
    awaiting_confirmation: int
    drifting: list[ReportSummary]
    mix: Mix
    readiness: list[Readiness]  # per dated event ahead, the team's mean predicted recall on the day


def team_figures(summaries: list[ReportSummary]) -> TeamFigures:
    completions = [
        s.onboarding_completion for s in summaries if s.onboarding_completion is not None
    ]
    minutes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for s in summaries:
        for category, value in s.mix.minutes.items():
            minutes[category] = minutes.get(category, 0) + value
        for category, value in s.mix.counts.items():
            counts[category] = counts.get(category, 0) + value
    return TeamFigures(
        reports=len(summaries),
        onboarding=len(completions),
        onboarding_average=round(sum(completions) / len(completions), 3) if completions else None,
        onboarding_steps_done=sum(s.onboarding_steps_done for s in summaries),
        onboarding_steps_total=sum(s.onboarding_steps_total for s in summaries),
        onboarding_overdue=sum(s.onboarding_overdue for s in summaries),
        overdue_steps=sum(s.overdue_steps for s in summaries),
        awaiting_confirmation=sum(s.awaiting_confirmation for s in summaries),
        drifting=[s for s in summaries if s.drifting],
        mix=Mix(minutes=minutes, counts=counts),
        readiness=team_readiness(s.readiness for s in summaries if s.readiness is not None),
    )
