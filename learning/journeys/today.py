"""The micro-moment feed: what a learner can do now, with the minutes they have.

Journey steps they can act on come first (overdue, then due within DEADLINE_DAYS, then the rest of the
unlocked ones); then live modules that fit in the minutes given, from their journeys or for the job
tasks those journeys cover, leaving out what they already completed. A fixed number of queries.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from cms.models import MicroModule
from learning.journeys.states import (
    AVAILABLE,
    LOCKED,
    OVERDUE,
    enrollments_with_steps,
    journey_states,
)
from learning.models import Activity, Enrollment, Learner, Verb
from learning.practice.cards import DueCard, due_cards, due_count

DEADLINE_DAYS = 2  # an unlocked step due within this many local days is a deadline
PRACTICE_PREVIEW = 3  # due cards shown in the feed; the app fetches the rest from /reviews/due
MODULE_LIMIT = 10

JOURNEY, JOB_TASK = "journey", "job_task"


@dataclass(frozen=True)
class TodayStep:
    journey_id: int
    event_name: str
    step_id: int
    title: str
    kind: str
    category: str
    module_id: int | None
    estimated_minutes: int | None  # of the step's module, if it has one
    instructions: str
    state: str  # available | overdue
    unlocks_on: datetime.date
    due_on: datetime.date
    due_soon: bool


@dataclass(frozen=True)
class TodayModule:
    id: int
    title: str
    summary: str
    estimated_minutes: int
    reason: str  # "journey": a step of one of their journeys; "job_task": covers one of its tasks


@dataclass(frozen=True)
class TodayPractice:
    due: int
    cards: list[DueCard]  # the first few, oldest due first


@dataclass(frozen=True)
class TodayFeed:
    date: datetime.date  # the learner's local date
    minutes: int
    practice: TodayPractice
    steps: list[TodayStep]
    modules: list[TodayModule]


def today_feed(learner: Learner, *, minutes: int, now: datetime.datetime) -> TodayFeed:
    """What `learner` can do at `now` in `minutes` minutes: due practice first (at most 9 queries)."""
    today = learner.local_date(now)
    enrollments = list(enrollments_with_steps(Enrollment.objects.for_learner(learner).current()))
    journeys = journey_states(enrollments, now=now)
    deadline = today + datetime.timedelta(days=DEADLINE_DAYS)

    actionable = []  # (state, journey) of steps the learner can act on now
    journey_module_ids: set[int] = set()
    task_ids: set[int] = set()
    settled_module_ids: set[int] = set()  # modules of unlocked or done steps: not offered again
    for journey in journeys:
        for state in journey.steps:
            step = state.step
            if step.module_id:
                journey_module_ids.add(step.module_id)
                if state.state != LOCKED:
                    settled_module_ids.add(step.module_id)
            if step.job_task_id:
                task_ids.add(step.job_task_id)
            # A step waiting for its buddy's or manager's confirmation leaves the learner nothing to do.
            if state.is_open:
                actionable.append((state, journey))

    def urgency(item) -> tuple:
        state, _ = item
        rank = 0 if state.state == OVERDUE else 1 if state.due_on <= deadline else 2
        return (rank, state.due_on, state.unlocks_on, state.step.sort_order or 0, state.step.pk)

    actionable.sort(key=urgency)
    step_module_ids = {s.step.module_id for s, _ in actionable if s.step.module_id}
    step_minutes = (
        dict(
            MicroModule.objects.filter(pk__in=step_module_ids)
            .values_list("pk", "estimated_minutes")
            .order_by()
        )
        if step_module_ids
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
            estimated_minutes=step_minutes.get(state.step.module_id),
            instructions=state.step.instructions,
            state=state.state,
            unlocks_on=state.unlocks_on,
            due_on=state.due_on,
            due_soon=state.state == AVAILABLE and state.due_on <= deadline,
        )
        for state, journey in actionable
    ]
    return TodayFeed(
        date=today,
        minutes=minutes,
        practice=TodayPractice(
            due=due_count(learner, now=now),
            cards=due_cards(learner, now=now, limit=PRACTICE_PREVIEW),
        ),
        steps=steps,
        modules=_modules(
            learner,
            minutes=minutes,
            journey_module_ids=journey_module_ids,
            task_ids=task_ids,
            exclude_ids=settled_module_ids,
        ),
    )


def _modules(
    learner: Learner,
    *,
    minutes: int,
    journey_module_ids: set[int],
    task_ids: set[int],
    exclude_ids: set[int],
) -> list[TodayModule]:
    """Live modules that fit in `minutes`, from the journeys or sharing a job task with them (1 query).

    The learner's job tasks are those of their journeys' steps and of those steps' modules; the
    relations are resolved in subqueries so the whole selection is one statement.
    """
    if not journey_module_ids and not task_ids:
        return []
    tagged = MicroModule.job_tasks.through.objects
    journey_tasks = tagged.filter(micromodule_id__in=journey_module_ids).values("jobtask_id")
    for_tasks = tagged.filter(Q(jobtask_id__in=task_ids) | Q(jobtask_id__in=journey_tasks)).values(
        "micromodule_id"
    )
    completed = Activity.objects.filter(
        learner=learner, verb=Verb.MODULE_COMPLETED, module_id__isnull=False
    ).values("module_id")
    rows = (
        MicroModule.objects.live()
        .filter(estimated_minutes__lte=minutes)
        .filter(Q(pk__in=journey_module_ids) | Q(pk__in=for_tasks))
        .exclude(pk__in=completed)
        .exclude(pk__in=exclude_ids)
        .annotate(
            in_journey=Case(
                When(pk__in=journey_module_ids, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-in_journey", "estimated_minutes", "title", "pk")
        .values_list("pk", "title", "summary", "estimated_minutes", "in_journey")[:MODULE_LIMIT]
    )
    return [
        TodayModule(
            id=pk,
            title=title,
            summary=summary,
            estimated_minutes=estimated,
            reason=JOURNEY if in_journey else JOB_TASK,
        )
        for pk, title, summary, estimated, in_journey in rows
    ]
