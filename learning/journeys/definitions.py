"""An event's journey steps as published, read once per published version in each process.

Steps change only when their event is published (they are the event page's inline children): the
live rows are the published version, and the event's `last_published_at` names it. So the cache key
holds that version, and a publish in any process is a new key everywhere; a save or delete in this
process (the shell, a data fix, a demo loader, a test) forgets the event at once (the signals in
learning.apps). The steps are shared between requests: read them, never change them.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable

from cms.models import ChangeEvent, JourneyStep

_EVENTS_KEPT = 256
_steps: OrderedDict[tuple[int, object], tuple[JourneyStep, ...]] = OrderedDict()
_lock = threading.Lock()


def published_steps(events: Iterable[ChangeEvent]) -> dict[int, tuple[JourneyStep, ...]]:
    """event id → its steps in order (sort order, then id), one query for those not kept yet."""
    found: dict[int, tuple[JourneyStep, ...]] = {}
    missing: dict[int, ChangeEvent] = {}
    for event in events:
        kept = _steps.get((event.pk, event.last_published_at))
        if kept is None:
            missing[event.pk] = event
        else:
            found[event.pk] = kept
    if missing:
        grouped: dict[int, list[JourneyStep]] = {pk: [] for pk in missing}
        rows = JourneyStep.objects.filter(event_id__in=missing).order_by("sort_order", "pk")
        for step in rows:
            grouped[step.event_id].append(step)
        with _lock:
            for pk, steps in grouped.items():
                found[pk] = tuple(steps)
                _steps[(pk, missing[pk].last_published_at)] = found[pk]
            while len(_steps) > _EVENTS_KEPT:
                _steps.popitem(last=False)
    return found


def forget_steps(event_id: int | None) -> None:
    with _lock:
        for key in [key for key in _steps if key[0] == event_id]:
            del _steps[key]


def on_step_changed(sender, instance: JourneyStep, **kwargs) -> None:
    forget_steps(instance.event_id)


def on_event_saved(sender, instance: ChangeEvent, **kwargs) -> None:
    forget_steps(instance.pk)
