"""Buddies: the colleague who confirms a learner's buddy steps, set on their enrolments.

A manager sets one for a report (the API, My team); the HR import's `buddy_email` column sets one
on a newcomer's onboarding. A buddy is a person with an active account, found by email (case
aside), and never the learner themselves. Who then confirms what is learning.journeys.confirmations'.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from cms.errors import Invalid
from cms.models import ChangeEvent
from learning.changes import learner_changed
from learning.learners import report_of
from learning.models import Enrollment, Learner


@dataclass(frozen=True)
class BuddySet:
    learner: Learner
    buddy: object | None  # the User, or None: their manager confirms again
    journey_ids: list[int]  # the enrolments changed


def find_buddy(email: str, *, learner: Learner, field: str = "email"):
    """The active account with this email; Invalid naming `field` when there is none, or it is the
    learner's own."""
    address = email.strip()
    users = list(
        get_user_model().objects.filter(email__iexact=address, is_active=True).order_by("pk")[:2]
    )
    if not users:
        raise Invalid.field(field, f"No active account has the email {address}.")
    if len(users) > 1:
        raise Invalid.field(field, f"More than one account has the email {address}.")
    if users[0].pk == learner.user_id:
        raise Invalid.field(field, "A learner cannot be their own buddy.")
    return users[0]


def set_buddy(
    manager_user,
    learner_id: int,
    *,
    email: str | None,
    journey_id: int | None,
    now: datetime.datetime,
) -> BuddySet:
    """Set (or, with no email, clear) the buddy of a direct report's current journeys: one of them
    with `journey_id`, else all. 404 for anyone but the manager's report; 422 naming the field."""
    learner = report_of(manager_user, learner_id)
    journeys: QuerySet[Enrollment] = Enrollment.objects.for_learner(learner).current()
    if journey_id is not None:
        journeys = journeys.filter(pk=journey_id)
        if not journeys.exists():
            raise Invalid.field("journey_id", "No such current journey for this learner.")
    buddy = find_buddy(email, learner=learner) if email and email.strip() else None
    ids = list(journeys.values_list("pk", flat=True))
    Enrollment.objects.filter(pk__in=ids).update(buddy=buddy)
    # What waits for whom has changed: the buddy may get a nudge, the manager no longer.
    _wake([learner.user_id, manager_user.pk] + ([buddy.pk] if buddy else []))
    return BuddySet(learner, buddy, ids)


def assign_onboarding_buddies(buddy_by_learner: dict[int, int]) -> int:
    """Learner id → buddy user id, on each learner's current onboarding journeys (the HR import);
    the number of enrolments changed. A few queries per thousand learners."""
    if not buddy_by_learner:
        return 0
    rows = list(
        Enrollment.objects.current()
        .filter(learner_id__in=list(buddy_by_learner), event__kind=ChangeEvent.Kind.ONBOARDING)
        .only("pk", "learner_id", "buddy_id")
    )
    changed = [row for row in rows if row.buddy_id != buddy_by_learner[row.learner_id]]
    for row in changed:
        row.buddy_id = buddy_by_learner[row.learner_id]
    Enrollment.objects.bulk_update(changed, ["buddy"], batch_size=1000)
    _wake(list(set(buddy_by_learner.values())))
    return len(changed)


def _wake(user_ids: list[int]) -> None:
    learner_changed(Learner.objects.filter(user_id__in=user_ids).values_list("pk", flat=True))
