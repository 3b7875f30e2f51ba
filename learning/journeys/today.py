"""The micro-moment feed: what a learner can do now, fitted into the minutes they have.

What they can do, in the stated priority: overdue steps, steps due today, due practice (each review
counted at MICROMOMENTS_REVIEW_SECONDS), the other unlocked steps, then live modules for the job
tasks their journeys cover. The feed takes each in turn while it fits in the minutes left (as many
reviews as fit); a step with a module takes the module's minutes, one without takes its own estimate.
Nothing for a locked step is offered, nor a module already completed or that is a step's. When there
is something to do but nothing fits, the feed says so and offers the single smallest item.
A fixed number of queries.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from cms.models import JourneyStep, MicroModule
from learning.journeys.celebrations import take_for_feed
from learning.journeys.states import (
    AVAILABLE,
    OVERDUE,
    journey_states,
    learner_enrollments,
)
from learning.models import Activity, Celebration, Enrollment, Learner, Verb
from learning.practice.cards import DueCard, due_now

DEADLINE_DAYS = 2  # an unlocked step due within this many local days is a deadline
PRACTICE_PREVIEW = 3  # due cards shown in the feed; the app fetches the rest from /reviews/due
MODULE_LIMIT = 10

JOB_TASK = "job_task"
# What each item of the plan is, in the order the feed takes them.
OVERDUE_STEP, DUE_TODAY_STEP, PRACTICE, STEP, MODULE = (
    "overdue_step",
    "due_today_step",
    "practice",
    "step",
    "module",
)


@dataclass(frozen=True)
class TodayStep:
    journey_id: int
    event_name: str
    step_id: int
    title: str
    kind: str
    category: str
    module_id: int | None
    estimated_minutes: int  # its module's, else the step's own estimate
    instructions: str
    state: str  # available | overdue
    unlocks_on: datetime.date
    due_on: datetime.date
    due_soon: bool
    priority: str  # overdue_step | due_today_step | step


@dataclass(frozen=True)
class TodayModule:
    id: int
    title: str
    summary: str
    estimated_minutes: int
    reason: (
        str  # "job_task": covers a task of one of their journeys (a journey's modules are steps)
    )


@dataclass(frozen=True)
class TodayPractice:
    due: int  # every card due now
    offered: int  # the reviews that fit in the minutes given
    minutes: float  # offered × the per-review estimate
    cards: list[DueCard]  # the first few offered, oldest due first


@dataclass(frozen=True)
class PlanItem:
    """One entry of the plan, in priority order: what it is, what it points at, its minutes."""

    type: str  # overdue_step | due_today_step | practice | step | module
    minutes: float
    journey_id: int | None = None
    step_id: int | None = None
    module_id: int | None = None
    reviews: int | None = None


@dataclass(frozen=True)
class TodayFeed:
    date: datetime.date  # the learner's local date
    minutes: int
    planned_minutes: float  # the plan's total: at most `minutes` unless nothing fits
    nothing_fits: (
        bool  # there is something to do, but nothing in `minutes`: the smallest is offered
    )
    message: str
    plan: list[PlanItem]
    practice: TodayPractice
    steps: list[TodayStep]
    modules: list[TodayModule]
    celebrations: list[Celebration]  # moments not yet shown: each appears in one feed


@dataclass(frozen=True)
class _Candidate:
    priority: str
    seconds: int  # of one unit: the step or module, or one review
    item: TodayStep | TodayModule | None  # None: practice
    units: int = 1  # reviews due, for practice


def today_feed(learner: Learner, *, minutes: int, now: datetime.datetime) -> TodayFeed:
    """What `learner` can do at `now` in `minutes` minutes, in priority order, and the moments
    to celebrate (a fixed number of queries)."""
    today = learner.local_date(now)
    enrollments = learner_enrollments(learner, Enrollment.objects.for_learner(learner).current())
    journeys = journey_states(enrollments, now=now)
    deadline = today + datetime.timedelta(days=DEADLINE_DAYS)

    actionable = []  # (state, journey) of steps the learner can act on now
    step_module_ids: set[int] = set()  # every step's module: offered as the step or not at all
    task_ids: set[int] = set()
    for journey in journeys:
        for state in journey.steps:
            step = state.step
            if step.module_id:
                step_module_ids.add(step.module_id)
            if step.job_task_id:
                task_ids.add(step.job_task_id)
            # A step waiting for its buddy's or manager's confirmation leaves the learner nothing to do.
            if state.is_open:
                actionable.append((state, journey))

    def urgency(item) -> tuple:
        state, _ = item
        rank = 0 if state.state == OVERDUE else 1 if state.due_on <= today else 2
        return (rank, state.due_on, state.unlocks_on, state.step.sort_order or 0, state.step.pk)

    actionable.sort(key=urgency)
    open_module_ids = {s.step.module_id for s, _ in actionable if s.step.module_id}
    module_minutes = (
        dict(
            MicroModule.objects.filter(pk__in=open_module_ids)
            .values_list("pk", "estimated_minutes")
            .order_by()
        )
        if open_module_ids
        else {}
    )
    steps = [
        TodayStep(
            journey_id=journey.enrollment.pk,
            event_name=journey.enrollment.event.name,
            step_id=state.step.pk,
            title=state.step.title,
            kind=state.step.kind,
            category=state.step.category,
            module_id=state.step.module_id,
            estimated_minutes=_step_minutes(state.step, module_minutes),
            instructions=state.step.instructions,
            state=state.state,
            unlocks_on=state.unlocks_on,
            due_on=state.due_on,
            due_soon=state.state == AVAILABLE and state.due_on <= deadline,
            priority=(
                OVERDUE_STEP
                if state.state == OVERDUE
                else DUE_TODAY_STEP
                if state.due_on <= today
                else STEP
            ),
        )
        for state, journey in actionable
    ]
    due, preview = due_now(learner, now=now, limit=PRACTICE_PREVIEW)
    modules = _modules(learner, task_ids=task_ids, exclude_ids=step_module_ids)

    review_seconds = settings.MICROMOMENTS_REVIEW_SECONDS
    candidates = [
        _Candidate(s.priority, s.estimated_minutes * 60, s) for s in steps if s.priority != STEP
    ]
    if due:
        candidates.append(_Candidate(PRACTICE, review_seconds, None, units=due))
    candidates += [
        _Candidate(STEP, s.estimated_minutes * 60, s) for s in steps if s.priority == STEP
    ]
    candidates += [_Candidate(MODULE, m.estimated_minutes * 60, m) for m in modules]
    chosen, nothing_fits = _fit(candidates, budget=minutes * 60)

    reviews = next((units for c, units in chosen if c.priority == PRACTICE), 0)
    plan = [_plan_item(c, units) for c, units in chosen]
    planned = round(sum(item.minutes for item in plan), 1)
    return TodayFeed(
        date=today,
        minutes=minutes,
        planned_minutes=planned,
        nothing_fits=nothing_fits,
        message=_message(minutes, planned, nothing_fits=nothing_fits, empty=not candidates),
        plan=plan,
        practice=TodayPractice(
            due=due,
            offered=reviews,
            minutes=_minutes(reviews * review_seconds),
            cards=preview[: min(PRACTICE_PREVIEW, reviews)],
        ),
        steps=[c.item for c, _ in chosen if isinstance(c.item, TodayStep)],
        modules=[c.item for c, _ in chosen if isinstance(c.item, TodayModule)],
        celebrations=take_for_feed(learner, now=now),
    )


def _step_minutes(step: JourneyStep, module_minutes: dict[int, int]) -> int:
    if step.module_id and step.module_id in module_minutes:
        return module_minutes[step.module_id]
    return step.estimated_minutes or settings.MICROMOMENTS_STEP_MINUTES


def _fit(candidates: list[_Candidate], *, budget: int) -> tuple[list[tuple[_Candidate, int]], bool]:
    """Take each candidate in turn while it fits in what is left of `budget` seconds (as many
    reviews as fit); when none fits, the single smallest (one review for practice)."""
    chosen: list[tuple[_Candidate, int]] = []
    left = budget
    for candidate in candidates:
        units = min(candidate.units, left // candidate.seconds)
        if units >= 1:
            chosen.append((candidate, units))
            left -= units * candidate.seconds
    if chosen or not candidates:
        return chosen, False
    smallest = min(candidates, key=lambda c: c.seconds)  # the first of the smallest: by priority
    return [(smallest, 1)], True


def _minutes(seconds: int) -> float:
    return round(seconds / 60, 1)


def _plan_item(candidate: _Candidate, units: int) -> PlanItem:
    item = candidate.item
    minutes = _minutes(candidate.seconds * units)
    if isinstance(item, TodayStep):
        return PlanItem(
            candidate.priority,
            minutes,
            journey_id=item.journey_id,
            step_id=item.step_id,
            module_id=item.module_id,
        )
    if isinstance(item, TodayModule):
        return PlanItem(candidate.priority, minutes, module_id=item.id)
    return PlanItem(candidate.priority, minutes, reviews=units)


def _message(minutes: int, planned: float, *, nothing_fits: bool, empty: bool) -> str:
    if empty:
        return "Nothing to do right now."
    if nothing_fits:
        return (
            f"Nothing fits in {minutes} min: the shortest thing to do takes {_shown(planned)} min."
        )
    return f"{_shown(planned)} of your {minutes} min planned."


def _shown(minutes: float) -> str:
    return f"{minutes:g}"


def _modules(learner: Learner, *, task_ids: set[int], exclude_ids: set[int]) -> list[TodayModule]:
    """Live modules for the job tasks of the journeys, shortest first (1 query).

    The job tasks are those of the journeys' steps and of those steps' modules, resolved in
    subqueries so the whole selection is one statement. Left out: the steps' own modules (offered
    as the step when it is unlocked, not at all while it is locked) and what the learner completed.
    """
    if not exclude_ids and not task_ids:
        return []
    tagged = MicroModule.job_tasks.through.objects
    journey_tasks = tagged.filter(micromodule_id__in=exclude_ids).values("jobtask_id")
    for_tasks = tagged.filter(Q(jobtask_id__in=task_ids) | Q(jobtask_id__in=journey_tasks)).values(
        "micromodule_id"
    )
    # Asked of each candidate (an index probe each, on activity_learner_completed) rather than
    # NOT IN every completion of a long history.
    completed = Activity.objects.filter(
        learner=learner, verb=Verb.MODULE_COMPLETED, module_id=OuterRef("pk")
    )
    rows = (
        MicroModule.objects.live()
        .filter(pk__in=for_tasks)
        .exclude(Exists(completed))
        .exclude(pk__in=exclude_ids)
        .order_by("estimated_minutes", "title", "pk")
        .values_list("pk", "title", "summary", "estimated_minutes")[:MODULE_LIMIT]
    )
    return [
        TodayModule(
            id=pk, title=title, summary=summary, estimated_minutes=estimated, reason=JOB_TASK
        )
        for pk, title, summary, estimated in rows
    ]
