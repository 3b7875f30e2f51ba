"""An event's journey steps as published, read once per published version in each process
(cms.published: a publish anywhere is a new key; a step saved or deleted, or the event saved, in
this process forgets the event, from the signals in learning.apps)."""

from collections.abc import Iterable

from cms.models import ChangeEvent, JourneyStep
from cms.published import PerPublishedVersion


def _load(event_ids: list[int]) -> dict[int, tuple[JourneyStep, ...]]:
    grouped: dict[int, list[JourneyStep]] = {pk: [] for pk in event_ids}
    for step in JourneyStep.objects.filter(event_id__in=event_ids).order_by("sort_order", "pk"):
        grouped[step.event_id].append(step)
    return {pk: tuple(steps) for pk, steps in grouped.items()}


_STEPS = PerPublishedVersion(_load, size=256)


def published_steps(events: Iterable[ChangeEvent]) -> dict[int, tuple[JourneyStep, ...]]:
    """event id → its steps in order (sort order, then id), one query for those not kept yet."""
    return _STEPS.get_many({event.pk: event.last_published_at for event in events})


def on_step_changed(sender, instance: JourneyStep, **kwargs) -> None:
    _STEPS.forget([instance.event_id])


def on_event_saved(sender, instance: ChangeEvent, **kwargs) -> None:
    _STEPS.forget([instance.pk])
