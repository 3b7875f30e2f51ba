"""Who confirms a step the learner recorded as done, what waits for whom, and confirming it.

A step says who confirms it (`JourneyStep.confirmed_by`): the learner (nothing waits), their buddy
or their manager. The buddy is the enrolment's (`Enrollment.buddy`); a buddy step of an enrolment
without one is the learner's manager's to confirm. The rule lives here twice over, as a filter for
the database (`waiting_for`) and for enrolments already read (`confirmer`), and nowhere else.

A confirmation is one conditional UPDATE: two devices confirming at once change the row once, and
the second is told someone got there first (409).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cms.errors import Conflict, NotFound
from cms.models import JourneyStep
from learning.changes import learner_changed
from learning.journeys.celebrations import celebrate_confirmation
from learning.ledger.times import displayable
from learning.models import Activity, Confirmation, Enrollment, Learner

BUDDY, MANAGER = JourneyStep.Confirmer.BUDDY.value, JourneyStep.Confirmer.MANAGER.value


class ConfirmationConflict(Conflict):
    """The activity is the asker's to see, but there is nothing for them to confirm."""


def confirmer(step: JourneyStep, enrollment: Enrollment) -> str | None:
    """Who confirms `step` in this enrolment: "buddy", "manager", or None (nobody: the learner)."""
    if step.confirmed_by == BUDDY:
        return BUDDY if enrollment.buddy_id else MANAGER
    if step.confirmed_by == MANAGER:
        return MANAGER
    return None


def _enrolment_of_activity() -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(learner=OuterRef("learner"), event=OuterRef("step__event"))


def as_buddy(user) -> Exists:
    """The activity's enrolment has `user` as its buddy."""
    return Exists(_enrolment_of_activity().filter(buddy=user))


def waiting_for(user) -> Q:
    """Step activities whose confirmation is `user`'s, whatever their state: the buddy steps of the
    journeys they are buddy in; as a manager, their active reports' manager steps and the buddy
    steps of journeys with no buddy."""
    manager = Q(learner__manager=user, learner__user__is_active=True)
    no_buddy = ~Q(Exists(_enrolment_of_activity().filter(buddy__isnull=False)))
    return Q(learner__user__is_active=True) & (
        Q(step__confirmed_by=BUDDY) & (Q(as_buddy(user)) | manager & no_buddy)
        | Q(step__confirmed_by=MANAGER) & manager
    )


def inbox(user) -> QuerySet[Activity]:
    """What waits for `user`'s confirmation, oldest first, each annotated `confirming_as`."""
    return (
        Activity.objects.filter(confirmation=Confirmation.PENDING, step__isnull=False)
        .filter(waiting_for(user))
        .annotate(is_buddy=as_buddy(user))
        .select_related("learner__user", "step__event")
        .order_by("occurred_at", "pk")
    )


def confirm(
    user, activity_id: int, *, now: datetime.datetime, reports_only: bool = False
) -> Activity:
    """Confirm an activity that waits for `user`: from now on its step counts as done.

    Not found (404) unless the activity waits, or waited, for `user` (with `reports_only`, the
    manager's endpoint: unless it is one of their reports'). ConfirmationConflict (409) when it is
    already confirmed, or (the manager's endpoint) when it needs no manager's confirmation.
    """
    visible = Q(learner__in=Learner.objects.reports_of(user)) if reports_only else waiting_for(user)
    activity = (
        Activity.objects.filter(visible, pk=activity_id)
        .annotate(theirs=Q(waiting_for(user)))
        .select_related("step")
        .first()
    )
    if activity is None:
        raise NotFound(
            "No such activity among your reports."
            if reports_only
            else "No such activity waiting for you."
        )
    if activity.confirmation == Confirmation.CONFIRMED:
        raise ConfirmationConflict("This activity is already confirmed.")
    if activity.confirmation != Confirmation.PENDING or not activity.theirs:
        raise ConfirmationConflict(
            "This activity needs no confirmation by a manager."
            if reports_only
            else "This activity needs no confirmation from you."
        )
    claimed = Activity.objects.filter(pk=activity.pk, confirmation=Confirmation.PENDING).update(
        confirmation=Confirmation.CONFIRMED, confirmed_by=user, confirmed_at=now
    )
    if not claimed:
        raise ConfirmationConflict("This activity is already confirmed.")
    # The step is done: what the planner would nudge the learner about has changed.
    learner_changed([activity.learner_id])
    celebrate_confirmation(activity, user, now=now)
    return shown(Activity.objects.select_related("step", "confirmed_by").filter(pk=activity.pk))[0]


def shown(activities) -> list[Activity]:
    """Rows to show one by one: every row, however odd its time, clamped so it renders in any zone
    (a year-1 row stays listed, as 3 January 0001; these instances are for display, never saved)."""
    rows = list(activities)
    for row in rows:
        row.occurred_at = displayable(row.occurred_at)
        row.confirmed_at = displayable(row.confirmed_at)
    return rows


@dataclass(frozen=True)
class Waiting:
    """What waits for one buddy: how many steps, and the newest of them."""

    count: int
    latest_id: int  # the newest activity waiting
    learner: str  # whose it is: their first name (else their username), as a nudge says it
    step: str


def waiting_for_buddies(user_ids: Iterable[int]) -> dict[int, Waiting]:
    """For each of these users who is someone's buddy, the buddy steps waiting for them (1 query)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = (
        Activity.objects.filter(
            confirmation=Confirmation.PENDING,
            step__confirmed_by=BUDDY,
            learner__user__is_active=True,
            # One join: the enrolment of this activity's learner in its step's event.
            learner__enrollments__buddy_id__in=ids,
            learner__enrollments__event=F("step__event"),
        )
        .order_by("pk")
        .values_list(
            "learner__enrollments__buddy_id",
            "pk",
            "learner__user__first_name",
            "learner__user__username",
            "step__title",
        )
    )
    counts: dict[int, int] = {}
    latest: dict[int, tuple] = {}
    for buddy_id, pk, first, username, step in rows:
        counts[buddy_id] = counts.get(buddy_id, 0) + 1
        latest[buddy_id] = (pk, first or username, step)
    return {
        buddy_id: Waiting(counts[buddy_id], pk, name, step)
        for buddy_id, (pk, name, step) in latest.items()
    }


def buddies_of(learner_id: int, step_ids: Iterable[int]) -> list[int]:
    """User ids of the buddies who confirm these steps of this learner's journeys (1 query)."""
    steps = list(step_ids)
    if not steps:
        return []
    return list(
        Enrollment.objects.filter(
            learner_id=learner_id, event__steps__in=steps, buddy__isnull=False
        )
        .values_list("buddy_id", flat=True)
        .distinct()
    )
