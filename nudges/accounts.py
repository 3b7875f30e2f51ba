"""What nudges does when learning deactivates accounts or withdraws enrolments (registered with
learning.changes): a deactivated person's devices stop receiving pushes and the nudges planned for
them are suppressed; a withdrawn journey's planned step nudges are suppressed, and so are those of
a journey whose dates moved. Kept for the record."""

import datetime

from django.db.models import F

from cms.models import JourneyStep
from nudges import dedupe
from nudges.lookups import AnyOf
from nudges.models import Device, Nudge

ACCOUNT_DEACTIVATED = "account deactivated"


def on_accounts_deactivated(
    user_ids: list[int], learner_ids: list[int], *, now: datetime.datetime
) -> None:
    Device.objects.filter(user_id__in=user_ids, active=True).update(
        active=False, deactivated_reason=ACCOUNT_DEACTIVATED
    )
    if learner_ids:
        # Planned only: a nudge in `sending` is a sender's now, and its devices are off already.
        Nudge.objects.filter(learner_id__in=learner_ids, state=Nudge.State.PLANNED).update(
            state=Nudge.State.SUPPRESSED, last_error="Account deactivated."
        )


def on_enrolments_withdrawn(pairs: list[tuple[int, int]], *, now: datetime.datetime) -> None:
    """(learner id, event id) pairs: their step-unlocked and deadline nudges planned for that
    event's steps are suppressed (two queries, however many pairs)."""
    _suppress_step_nudges(pairs, reason="Withdrawn from the journey.")


def on_journey_dates_moved(pairs: list[tuple[int, int]], *, now: datetime.datetime) -> None:
    """(learner id, event id) pairs re-anchored on a new date: their planned step nudges are
    cancelled (the planner, woken for them, plans new ones for the new dates; sent ones stay)."""
    _suppress_step_nudges(pairs, reason="The journey's dates moved.")


def _suppress_step_nudges(pairs: list[tuple[int, int]], *, reason: str) -> None:
    steps: dict[int, list[int]] = {}
    for event_id, step_id in JourneyStep.objects.filter(
        AnyOf(F("event_id"), sorted({event for _, event in pairs}))
    ).values_list("event_id", "pk"):
        steps.setdefault(event_id, []).append(step_id)
    keys = [
        key
        for learner_id, event_id in pairs
        for step_id in steps.get(event_id, [])
        for key in (dedupe.step_unlocked(learner_id, step_id), dedupe.deadline(learner_id, step_id))
    ]
    if keys:
        Nudge.objects.filter(AnyOf(F("dedupe_key"), keys), state=Nudge.State.PLANNED).update(
            state=Nudge.State.SUPPRESSED, last_error=reason
        )


def on_learner_paused(
    learner_id: int, *, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> None:
    """A pause: what was planned to go out while they are away is suppressed (kept for the record)."""
    Nudge.objects.filter(
        learner_id=learner_id,
        state=Nudge.State.PLANNED,
        planned_for__gte=starts_at,
        planned_for__lt=ends_at,
    ).update(state=Nudge.State.SUPPRESSED, last_error="The learner is paused.")
