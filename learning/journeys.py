"""Enrolment in change events and the state of each journey step.

A step unlocks at local midnight (the learner's time zone) on anchor + day_offset and is due at the
end of the local day unlock + due_offset. It is done when the learner completed its module (formal
steps) or recorded it as done and, where a buddy or manager confirms, that confirmation came.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Now

from cms.models import ChangeEvent, JourneyStep
from learning.ledger_times import add_days, displayable
from learning.models import Activity, Confirmation, Enrollment, Learner, Verb

LOCKED, AVAILABLE, DONE, OVERDUE = "locked", "available", "done", "overdue"


@dataclass(frozen=True)
class StepState:
    step: JourneyStep
    state: str
    unlocks_on: datetime.date
    due_on: datetime.date
    done_at: datetime.datetime | None
    awaiting_confirmation: bool


@dataclass(frozen=True)
class JourneyState:
    enrollment: Enrollment
    steps: list[StepState]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state == DONE)

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.steps if s.state == OVERDUE)

    @property
    def completion(self) -> float:
        return round(self.done / len(self.steps), 3) if self.steps else 0.0


# --- Enrolment ------------------------------------------------------------------------------------


def audience_q(event: ChangeEvent, *, today: datetime.date) -> Q | None:
    """Learners an event is for, as a filter; None when it is for nobody."""
    if event.audience_everyone:
        audience = Q()
    else:
        rules = [
            Q(
                **{
                    k: v
                    for k, v in (("role__iexact", r.role.strip()), ("team__iexact", r.team.strip()))
                    if v
                }
            )
            for r in event.audience_rules.all()
        ]
        if not rules:
            return None
        audience = rules[0]
        for rule in rules[1:]:
            audience |= rule
    if event.anchors_on_start_date:
        # Onboarding is for people still onboarding: publishing it must not enrol the whole
        # workforce with every step overdue.
        since = today - datetime.timedelta(days=settings.MICROMOMENTS_ONBOARDING_WINDOW_DAYS)
        audience &= Q(start_date__gte=since)
    return audience


def _enrol(event: ChangeEvent, learners: Iterable[Learner]) -> int:
    rows = [
        Enrollment(
            learner=learner,
            event=event,
            anchor_date=learner.start_date if event.anchors_on_start_date else event.date,
        )
        for learner in learners
    ]
    # ignore_conflicts on (learner, event): enrolling twice enrols nobody twice.
    created = Enrollment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    wake_planner([row.learner_id for row in rows])
    return len(created) if rows else 0


def wake_planner(learner_ids: list[int]) -> None:
    """New steps may need nudges: have the nudge planner look at these learners at its next tick."""
    if learner_ids:
        Learner.objects.filter(pk__in=learner_ids).filter(
            Q(next_nudge_check_at__isnull=True) | Q(next_nudge_check_at__gt=Now())
        ).update(next_nudge_check_at=Now())


def enrol_audience(event_id: int, *, today: datetime.date) -> int:
    """Enrol a live event's whole audience; safe to run any number of times. Returns rows attempted."""
    event = (
        ChangeEvent.objects.filter(pk=event_id, live=True)
        .prefetch_related("audience_rules")
        .first()
    )
    if event is None:
        return 0
    audience = audience_q(event, today=today)
    if audience is None:
        return 0
    already = Enrollment.objects.filter(event=event).values("learner_id")
    learners = Learner.objects.filter(audience).exclude(pk__in=already).only("pk", "start_date")
    return _enrol(event, learners.iterator(chunk_size=2000))


def enrol_in_matching_events(learner_ids: list[int], *, today: datetime.date) -> int:
    """Enrol these (new or changed) learners in every live event whose audience they match.

    Onboarding enrolments follow a changed start date.
    """
    total = 0
    events = list(ChangeEvent.objects.filter(live=True).prefetch_related("audience_rules"))
    for event in events:
        audience = audience_q(event, today=today)
        if audience is None:
            continue
        learners = Learner.objects.filter(audience, pk__in=learner_ids).only("pk", "start_date")
        total += _enrol(event, learners)
    if any(event.anchors_on_start_date for event in events):
        _reanchor_onboarding(learner_ids)
    return total


def _reanchor_onboarding(learner_ids: list[int]) -> None:
    """Onboarding enrolments follow their learner's (changed) start date: one UPDATE for all."""
    start_date = Learner.objects.filter(pk=OuterRef("learner_id")).values("start_date")[:1]
    Enrollment.objects.filter(
        learner_id__in=learner_ids,
        event__kind=ChangeEvent.Kind.ONBOARDING,
        learner__start_date__isnull=False,
    ).exclude(anchor_date=F("learner__start_date")).update(anchor_date=Subquery(start_date))


# --- Step states ----------------------------------------------------------------------------------


def local_date(learner: Learner, now: datetime.datetime) -> datetime.date:
    return now.astimezone(learner.tz).date()


def step_dates(anchor: datetime.date, step: JourneyStep) -> tuple[datetime.date, datetime.date]:
    # add_days stops at the calendar's edge: an anchor an import set to year 1 or 9999 still renders.
    unlocks_on = add_days(anchor, step.day_offset)
    return unlocks_on, add_days(unlocks_on, step.due_offset)


def enrollments_with_steps(queryset=None):
    """Enrollments of live events with their event and ordered steps prefetched (3 queries in all)."""
    queryset = Enrollment.objects.all() if queryset is None else queryset
    return (
        queryset.filter(event__live=True)
        .select_related("event", "learner", "learner__user")
        .prefetch_related(
            Prefetch("event__steps", queryset=JourneyStep.objects.order_by("sort_order", "pk"))
        )
    )


def journey_states(enrollments: list[Enrollment], *, now: datetime.datetime) -> list[JourneyState]:
    """States of every step of these enrollments (from `enrollments_with_steps`) in one more query."""
    if not enrollments:
        return []
    learner_ids = {e.learner_id for e in enrollments}
    steps = [step for e in enrollments for step in e.event.steps.all()]
    step_ids = {s.pk for s in steps}
    module_ids = {s.module_id for s in steps if s.kind == JourneyStep.Kind.FORMAL and s.module_id}

    # (learner, step) → (done_at, awaiting confirmation); (learner, module) → first completion.
    by_step: dict[tuple[int, int], tuple[datetime.datetime | None, bool]] = {}
    by_module: dict[tuple[int, int], datetime.datetime] = {}
    rows = (
        Activity.objects.filter(learner_id__in=learner_ids)
        .filter(Q(step_id__in=step_ids) | Q(verb=Verb.MODULE_COMPLETED, module_id__in=module_ids))
        .order_by("occurred_at")
        .values_list("learner_id", "step_id", "module_id", "verb", "occurred_at", "confirmation")
    )
    for learner_id, step_id, module_id, verb, occurred_at, confirmation in rows:
        # Shown in the learner's and the manager's zones: clamped so year 1 or 9999 converts.
        occurred_at = displayable(occurred_at)
        if verb == Verb.MODULE_COMPLETED and module_id:
            by_module.setdefault((learner_id, module_id), occurred_at)
        if step_id:
            done_at, _ = by_step.get((learner_id, step_id), (None, False))
            if done_at is None:
                pending = confirmation == Confirmation.PENDING
                by_step[(learner_id, step_id)] = (None if pending else occurred_at, pending)

    result = []
    for enrollment in enrollments:
        today = local_date(enrollment.learner, now)
        states = []
        for step in enrollment.event.steps.all():
            unlocks_on, due_on = step_dates(enrollment.anchor_date, step)
            done_at, pending = by_step.get((enrollment.learner_id, step.pk), (None, False))
            if done_at is None and step.kind == JourneyStep.Kind.FORMAL and step.module_id:
                done_at = by_module.get((enrollment.learner_id, step.module_id))
            if done_at is not None:
                state = DONE
            elif today < unlocks_on:
                state = LOCKED
            elif today > due_on:
                state = OVERDUE
            else:
                state = AVAILABLE
            states.append(
                StepState(step, state, unlocks_on, due_on, done_at, pending and done_at is None)
            )
        result.append(JourneyState(enrollment, states))
    return result


def find_enrolled_step(learner: Learner, step_id: int) -> JourneyStep | None:
    """The step, if it belongs to a live event this learner is enrolled in."""
    return (
        JourneyStep.objects.filter(
            pk=step_id, event__live=True, event__enrollments__learner=learner
        )
        .select_related("event")
        .first()
    )
