"""The state of each journey step, which steps are still the learner's to do, and who is drifting.

A step unlocks at local midnight (the learner's time zone) on anchor + day_offset and is due at the
end of the local day unlock + due_offset; a pause moves what was still to come by the days it held. It is done when the learner completed its module (formal
steps) or recorded it as done and, where a buddy or manager confirms, that confirmation came.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from cms.models import JourneyStep
from learning.journeys import pauses
from learning.journeys.definitions import published_steps
from learning.ledger.times import add_days, displayable
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

    @property
    def is_open(self) -> bool:
        """The learner's to do now: unlocked, not done, and not waiting for someone's confirmation."""
        return self.state in (AVAILABLE, OVERDUE) and not self.awaiting_confirmation


@dataclass(frozen=True)
class JourneyState:
    enrollment: Enrollment
    steps: list[StepState]
    # The learner's pauses (learning.journeys.pauses): the last day of the one they are in today,
    # and the first day back after the latest one that ended.
    paused_until: datetime.date | None = None
    back_on: datetime.date | None = None

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state == DONE)

    @property
    def steps_total(self) -> int:
        return len(self.steps)

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.steps if s.state == OVERDUE)

    @property
    def completion(self) -> float:
        return round(self.done / len(self.steps), 3) if self.steps else 0.0


def step_dates(anchor: datetime.date, step: JourneyStep) -> tuple[datetime.date, datetime.date]:
    # add_days stops at the calendar's edge: an anchor an import set to year 1 or 9999 still renders.
    unlocks_on = add_days(anchor, step.day_offset)
    return unlocks_on, add_days(unlocks_on, step.due_offset)


def live_enrollments(queryset=None, *, with_learner: bool = True):
    """Enrollments of live events with their event, buddy and (unless the caller has them) learner
    and user, in one query; journey_states adds each event's steps as published
    (learning.journeys.definitions)."""
    queryset = Enrollment.objects.all() if queryset is None else queryset
    related = ("event", "buddy", "learner__user") if with_learner else ("event", "buddy")
    return queryset.filter(event__live=True).select_related(*related)


def learner_enrollments(learner: Learner, queryset) -> list[Enrollment]:
    """One learner's own live enrollments (`queryset` of theirs): the learner is the one in hand
    (the token read loaded it), not joined again."""
    enrollments = list(live_enrollments(queryset, with_learner=False))
    for enrollment in enrollments:
        enrollment.learner = learner
    return enrollments


def journey_states(enrollments: list[Enrollment], *, now: datetime.datetime) -> list[JourneyState]:
    """States of every step of these enrollments (from `live_enrollments` or
    `learner_enrollments`) in two more queries (what the learners did, and their pauses), and one
    for the steps of events whose published version this process has not read yet."""
    if not enrollments:
        return []
    learner_ids = {e.learner_id for e in enrollments}
    steps_of = published_steps({e.event for e in enrollments})
    steps = [step for e in enrollments for step in steps_of[e.event_id]]
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

    spans = pauses.spans_of(learner_ids)
    result = []
    for enrollment in enrollments:
        today = enrollment.learner.local_date(now)
        held = spans.get(enrollment.learner_id, [])
        since = enrollment.learner.local_date(enrollment.enrolled_at)
        states = []
        for step in steps_of[enrollment.event_id]:
            unlocks_on, due_on = step_dates(enrollment.anchor_date, step)
            if held:  # each day away moves what was still to come a day on
                unlocks_on = pauses.moved(
                    unlocks_on, held, today=today, since=since, on_the_day=False
                )
                due_on = pauses.moved(due_on, held, today=today, since=since, on_the_day=True)
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
        result.append(
            JourneyState(
                enrollment,
                states,
                paused_until=pauses.paused_until(held, today=today),
                back_on=pauses.back_since(held, today=today),
            )
        )
    return result


def open_steps(journeys: Iterable[JourneyState]) -> list[StepState]:
    """Steps that are the learner's to do now (not waiting for someone's confirmation)."""
    return [s for j in journeys for s in j.steps if s.is_open]


def is_drifting(
    learner: Learner,
    journeys: list[JourneyState],
    *,
    last_active: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Enrolled, with steps to do, and quiet for MICROMOMENTS_DRIFTING_AFTER_DAYS days.

    Nobody is drifting while paused, nor in their first days back (quiet is counted from then).
    A journey has had work waiting since the later of its enrolment and local midnight of the day
    its oldest open step unlocked; quiet is counted from the later of the oldest such moment and the
    last activity. So a new hire is not drifting on day one, nor someone enrolled yesterday in a
    journey whose steps were already overdue. A step done and waiting for its confirmation is not
    theirs to do.
    """
    if any(journey.paused_until is not None for journey in journeys):
        return False  # away: not drifting
    waiting_since = []
    for journey in journeys:
        steps = open_steps([journey])
        if steps:
            first_unlock = min(s.unlocks_on for s in steps)
            unlocked_at = datetime.datetime.combine(
                first_unlock, datetime.time.min, tzinfo=learner.tz
            )
            waiting_since.append(max(unlocked_at, journey.enrollment.enrolled_at))
    if not waiting_since:
        return False
    quiet_since = min(waiting_since)
    if last_active is not None:
        quiet_since = max(quiet_since, last_active)
    # Back from a pause: quiet is counted from their first day back.
    back = [j.back_on for j in journeys if j.back_on is not None]
    if back:
        back_at = datetime.datetime.combine(max(back), datetime.time.min, tzinfo=learner.tz)
        quiet_since = max(quiet_since, back_at)
    return now - quiet_since >= datetime.timedelta(days=settings.MICROMOMENTS_DRIFTING_AFTER_DAYS)


def find_enrolled_step(learner: Learner, step_id: int) -> JourneyStep | None:
    """The step, if it belongs to a live event this learner is enrolled in."""
    return (
        JourneyStep.objects.filter(
            pk=step_id, event__live=True, event__enrollments__learner=learner
        )
        .select_related("event")
        .first()
    )
