"""Recording what learners did: a batch of app events becomes rows of the Activity ledger.

Replays are harmless: (learner, client_id) is unique, rows go in with ON CONFLICT DO NOTHING, and
whether an item was ours or someone else's (a concurrent copy of the same batch) is decided by
re-reading the rows afterwards. The work per batch is a fixed number of queries, not per item.

Higher apps react to accepted events through `register_handler` (nudges, for `nudge_opened`):
learning never imports them.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from django.conf import settings
from django.db import transaction

from cms.models import JobTask, JourneyStep, MicroModule
from learning.ledger.schemas import (
    ActivityLoggedIn,
    EventIn,
    FeedbackIn,
    ModuleCompletedIn,
    ModuleStartedIn,
    NudgeOpenedIn,
    ParsedEvent,
    RejectedItem,
    StepDoneIn,
    parse_item,
)
from learning.ledger.times import FUTURE_TOLERANCE
from learning.models import Activity, Confirmation, Learner, Verb

logger = logging.getLogger(__name__)


ACCEPTED: Final = "accepted"
DUPLICATE: Final = "duplicate"
REJECTED: Final = "rejected"
Status = Literal["accepted", "duplicate", "rejected"]

Handler = Callable[[list[Activity]], None]
_HANDLERS: dict[str, list[Handler]] = defaultdict(list)


@dataclass(frozen=True)
class EventResult:
    id: str | None  # the item's id as the app sent it
    status: Status
    reason: str | None = None


@dataclass(frozen=True)
class BatchOutcome:
    """What became of a batch: `results` has one `EventResult` per item, in the order sent."""

    results: list[EventResult]


def register_handler(verb: str, handler: Handler) -> None:
    """Call `handler(activities)` with the rows of `verb` each batch accepted, after writing them.

    Meant for AppConfig.ready() of apps above learning. A handler runs in its own savepoint: if it
    fails, its own writes roll back and the ledger rows stay (the ledger is the record of truth).
    """
    if verb not in Verb.values:
        raise ValueError(f"Unknown verb {verb!r}; expected one of {', '.join(Verb.values)}.")
    if handler not in _HANDLERS[verb]:
        _HANDLERS[verb].append(handler)


@dataclass
class _Slot:
    """One item of the batch on its way to a result."""

    ref: str | None
    client_id: uuid.UUID | None
    item: EventIn | None
    reason: str | None = None
    status: Status | None = None
    row: Activity | None = None
    first: "_Slot | None" = None  # the earlier item of this batch with the same id


@dataclass(frozen=True)
class _References:
    modules: dict[int, tuple[str, int]]  # live module id → (title, estimated minutes)
    steps: dict[int, JourneyStep]  # steps of live events the learner is enrolled in
    job_tasks: set[int]


def record_events(
    learner: Learner,
    items: Iterable[ParsedEvent | RejectedItem | Mapping[str, Any]],
    *,
    now: datetime.datetime,
    source: str = "app",
) -> BatchOutcome:
    """Write the accepted items of a batch to the ledger; one result per item, in order.

    Items come parsed (`events_schemas.parse_item`, as the API does) or as raw mappings of the
    API's shape, parsed here.
    """
    slots = [_slot(item) for item in items]
    _mark_repeats(slots)
    ids = {s.client_id for s in slots if s.client_id is not None and s.first is None}
    recorded = _recorded_ids(learner, ids)

    # A phone offline for weeks is fine; a clock at 1970 (or an import of year 1) is not.
    max_age_days = settings.API_MAX_EVENT_AGE_DAYS
    oldest = now - datetime.timedelta(days=max_age_days)
    candidates: list[tuple[_Slot, EventIn]] = []
    for slot in slots:
        if slot.client_id is None or slot.first is not None:
            continue
        if slot.client_id in recorded:
            slot.status, slot.reason = DUPLICATE, "already recorded"
        elif slot.item is None:
            slot.status = REJECTED
        elif slot.item.occurred_at > now + FUTURE_TOLERANCE:
            slot.status, slot.reason = REJECTED, "occurred_at: more than 5 minutes in the future"
        elif slot.item.occurred_at < oldest:
            slot.status, slot.reason = (
                REJECTED,
                f"occurred_at: more than {max_age_days} days ago, too old to record",
            )
        else:
            candidates.append((slot, slot.item))

    refs = _load_references(learner, [item for _, item in candidates])
    for slot, item in candidates:
        slot.row, slot.reason = _build_row(learner, item, refs, source=source)
        if slot.row is None:
            slot.status = REJECTED

    _write([(s, s.row) for s, _ in candidates if s.row is not None], learner=learner)

    for slot in slots:
        if slot.client_id is None:
            slot.status = REJECTED
        elif slot.first is not None:
            if slot.first.status == REJECTED:
                slot.status, slot.reason = (
                    REJECTED,
                    "id: repeats an earlier item of this batch, which was rejected",
                )
            else:
                slot.status, slot.reason = DUPLICATE, "repeats an earlier item of this batch"
    # Every slot has its status by now.
    return BatchOutcome([EventResult(s.ref, cast(Status, s.status), s.reason) for s in slots])


def _slot(item: ParsedEvent | RejectedItem | Mapping[str, Any]) -> _Slot:
    if isinstance(item, Mapping):
        item = parse_item(dict(item))
    if isinstance(item, RejectedItem):
        return _Slot(ref=item.ref, client_id=item.client_id, item=None, reason=item.reason)
    return _Slot(ref=item.ref, client_id=item.client_id, item=item.event)


def _recorded_ids(learner: Learner, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    rows = Activity.objects.filter(learner=learner, client_id__in=ids)
    return set(rows.values_list("client_id", flat=True))


def _mark_repeats(slots: list[_Slot]) -> None:
    first_by_id: dict[uuid.UUID, _Slot] = {}
    for slot in slots:
        if slot.client_id is None:
            continue
        first = first_by_id.setdefault(slot.client_id, slot)
        if first is not slot:
            slot.first = first


def _load_references(learner: Learner, items: list[EventIn]) -> _References:
    """Everything the items point at, in at most three queries (none for kinds not in the batch)."""
    module_ids = {
        i.module_id
        for i in items
        if isinstance(i, ModuleStartedIn | ModuleCompletedIn | FeedbackIn)
    }
    step_ids = {i.step_id for i in items if isinstance(i, StepDoneIn)}
    task_ids = {i.job_task_id for i in items if isinstance(i, ActivityLoggedIn) and i.job_task_id}
    modules = (
        {
            pk: (title, minutes)
            for pk, title, minutes in MicroModule.objects.live()
            .filter(pk__in=module_ids)
            .values_list("pk", "title", "estimated_minutes")
        }
        if module_ids
        else {}
    )
    steps = (
        {
            step.pk: step
            for step in JourneyStep.objects.filter(
                pk__in=step_ids, event__live=True, event__enrollments__learner=learner
            )
            .select_related("module")
            .only("title", "kind", "confirmed_by", "job_task_id", "module__estimated_minutes")
        }
        if step_ids
        else {}
    )
    job_tasks = (
        set(JobTask.objects.filter(pk__in=task_ids).values_list("pk", flat=True))
        if task_ids
        else set()
    )
    return _References(modules=modules, steps=steps, job_tasks=job_tasks)


def _build_row(
    learner: Learner, item: EventIn, refs: _References, *, source: str
) -> tuple[Activity | None, str | None]:
    """The ledger row for a valid item, or None and why its references do not hold."""
    row = Activity(
        learner=learner,
        client_id=item.id,
        verb=item.type,
        occurred_at=item.occurred_at,
        source=source,
    )
    if isinstance(item, ModuleStartedIn | ModuleCompletedIn | FeedbackIn):
        if item.module_id not in refs.modules:
            return None, "module_id: no such module"
        title, estimated = refs.modules[item.module_id]
        row.module_id, row.title = item.module_id, title
        if isinstance(item, ModuleCompletedIn):
            row.category, row.minutes = "formal", item.minutes or estimated
        elif isinstance(item, FeedbackIn):
            row.rating, row.comment = item.rating, item.comment
    elif isinstance(item, StepDoneIn):
        step = refs.steps.get(item.step_id)
        if step is None:
            return None, "step_id: no such step in your journeys"
        row.step_id, row.title, row.job_task_id = step.pk, step.title, step.job_task_id
        if step.kind == JourneyStep.Kind.FORMAL:
            # The module's own module_completed counts the formal minutes; counting the step too
            # would count the same learning twice in the mix.
            row.category, row.minutes = None, 0
        else:
            row.category = step.category
            row.minutes = item.minutes or (step.module.estimated_minutes if step.module else 0)
        if step.confirmed_by != JourneyStep.Confirmer.SELF:
            row.confirmation = Confirmation.PENDING
    elif isinstance(item, ActivityLoggedIn):
        if item.job_task_id and item.job_task_id not in refs.job_tasks:
            return None, "job_task_id: no such job task"
        row.category, row.minutes, row.title = item.category, item.minutes, item.title
        row.job_task_id = item.job_task_id
    elif isinstance(item, NudgeOpenedIn):
        row.nudge_id = item.nudge_id
    return row, None


def _write(written: list[tuple[_Slot, Activity]], *, learner: Learner) -> None:
    """Insert the rows; a row is ours only if the one in the table is the one we wrote."""
    if not written:
        return
    rows = [row for _, row in written]
    with transaction.atomic():
        # ON CONFLICT DO NOTHING on (learner, client_id): a concurrent copy of this batch waits
        # for ours to commit and then inserts nothing.
        Activity.objects.bulk_create(rows, ignore_conflicts=True)
        # auto_now_add stamped each instance as it was inserted; the stored row carries the same
        # stamp only if this insert wrote it (and not a batch that won the race).
        stored = {
            client_id: (pk, recorded_at)
            for client_id, pk, recorded_at in Activity.objects.filter(
                learner=learner, client_id__in=[r.client_id for r in rows]
            ).values_list("client_id", "pk", "recorded_at")
        }
        accepted = []
        for slot, row in written:
            pk, recorded_at = stored.get(row.client_id, (None, None))
            if pk is None:  # deleted again before we looked (the learner is being removed)
                slot.status, slot.reason = REJECTED, "not recorded: send it again"
            elif recorded_at == row.recorded_at:
                row.pk = pk
                slot.status = ACCEPTED
                accepted.append(row)
            else:
                slot.status, slot.reason = DUPLICATE, "already recorded"
        _notify(accepted)


def _notify(accepted: list[Activity]) -> None:
    by_verb: dict[str, list[Activity]] = defaultdict(list)
    for row in accepted:
        by_verb[row.verb].append(row)
    for verb, rows in by_verb.items():
        for handler in _HANDLERS.get(verb, ()):
            try:
                with transaction.atomic():
                    handler(rows)
            except Exception:
                logger.exception("Event handler %r failed for %d %s rows", handler, len(rows), verb)
