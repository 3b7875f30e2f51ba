"""Demo content: Brightwave's job tasks, modules and change events, and `load_demo_content` to load them.

Loading is idempotent by natural key (job task name, module slug, event name): whatever is already
there is left alone, so a second run creates nothing and writes no revision.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import transaction

from cms.demo import modules_launch, modules_support_later, modules_support_week1
from cms.demo.accounts import ensure_content_accounts
from cms.demo.events import EVENTS
from cms.demo.job_tasks import JOB_TASKS
from cms.demo.specs import EventSpec, JobTaskSpec, ModuleSpec, StepSpec
from cms.models import (
    ChangeEvent,
    EventAudience,
    JobTask,
    JourneyStep,
    MicroModule,
    ModuleIndexPage,
)

# In journey order, which is also the order of the pages in the library.
MODULES: list[ModuleSpec] = [
    *modules_support_week1.MODULES,
    *modules_support_later.MODULES,
    *modules_launch.MODULES,
]


@dataclass
class SeedResult:
    """How many rows of each kind were created, and how many were already there."""

    created: Counter = field(default_factory=Counter)
    already_present: Counter = field(default_factory=Counter)

    def count(self, kind: str, *, created: bool) -> None:
        (self.created if created else self.already_present)[kind] += 1


@transaction.atomic
def load_demo_content(*, today: date) -> SeedResult:
    """Create the demo accounts, job tasks, modules and events that are missing; `today` dates the launch."""
    result = SeedResult()
    _, author, reviewer = ensure_content_accounts()
    tasks = {spec.name: _ensure_job_task(spec, result) for spec in JOB_TASKS}
    library = ModuleIndexPage.objects.get()
    modules = {
        spec.slug: _ensure_module(spec, library, tasks, author, reviewer, result)
        for spec in MODULES
    }
    for spec in EVENTS:
        _ensure_event(spec, modules, tasks, author, today, result)
    return result


def _ensure_job_task(spec: JobTaskSpec, result: SeedResult) -> JobTask:
    task, created = JobTask.objects.get_or_create(
        name=spec.name,
        defaults={"description": spec.description, "synonyms": "\n".join(spec.synonyms)},
    )
    result.count("job tasks", created=created)
    return task


def _ensure_module(
    spec: ModuleSpec,
    library: ModuleIndexPage,
    tasks: dict[str, JobTask],
    author: AbstractUser,
    reviewer: AbstractUser,
    result: SeedResult,
) -> MicroModule:
    module = MicroModule.objects.child_of(library).filter(slug=spec.slug).first()
    if module is not None:
        result.count("modules", created=False)
        return module
    module = MicroModule(
        title=spec.title, slug=spec.slug, summary=spec.summary, body=spec.body, owner=author
    )
    library.add_child(instance=module)
    module.job_tasks.set([tasks[name] for name in spec.job_tasks])
    # Written by the author and published by the reviewer, as an approved review leaves it (authors
    # cannot publish modules): the history shows one revision.
    module.save_revision(user=author).publish(user=reviewer)
    result.count("modules", created=True)
    return module


def _ensure_event(
    spec: EventSpec,
    modules: dict[str, MicroModule],
    tasks: dict[str, JobTask],
    author: AbstractUser,
    today: date,
    result: SeedResult,
) -> ChangeEvent:
    event = ChangeEvent.objects.filter(name=spec.name).first()
    if event is not None:
        result.count("events", created=False)
        return event
    event = ChangeEvent(
        name=spec.name,
        kind=spec.kind,
        description=spec.description,
        date=None if spec.days_from_today is None else today + timedelta(days=spec.days_from_today),
        audience_everyone=spec.audience_everyone,
    )
    event.audience_rules = [
        EventAudience(role=role, team=team, sort_order=i)
        for i, (role, team) in enumerate(spec.audience)
    ]
    event.steps = [_step(step, i, modules, tasks) for i, step in enumerate(spec.steps)]
    event.full_clean()
    event.save()
    event.save_revision(user=author).publish(user=author)
    result.count("events", created=True)
    return event


def _step(
    spec: StepSpec, sort_order: int, modules: dict[str, MicroModule], tasks: dict[str, JobTask]
) -> JourneyStep:
    return JourneyStep(
        title=spec.title,
        kind=spec.kind,
        module=modules[spec.module] if spec.module else None,
        job_task=tasks[spec.job_task] if spec.job_task else None,
        instructions=spec.instructions,
        day_offset=spec.day,
        due_offset=spec.due_in,
        confirmed_by=spec.confirmed_by,
        estimated_minutes=spec.minutes,
        sort_order=sort_order,
    )
