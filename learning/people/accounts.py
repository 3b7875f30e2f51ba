"""A person leaves or comes back: deactivating and reactivating accounts, the one place each rule
lives. The import, the admins (through learning.people.signals) and the shell all end up here.

Deactivating keeps every row of history: enrolments end (they are not deleted), tokens are revoked
(not deleted), devices are switched off and planned nudges suppressed by the apps that own them
(nudges registers with learning.changes). Everything is set-based: a fixed number of queries however
many people.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from wagtail.models import APIToken

from learning.changes import accounts_deactivated, learner_changed
from learning.journeys import enrolment
from learning.models import EndReason, Enrollment, Learner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountChange:
    users: int  # accounts whose active flag this call changed
    enrolments: int  # enrolments ended (deactivating) or resumed (reactivating)


def _user_ids(users: Iterable) -> list[int]:
    return list(dict.fromkeys(u if isinstance(u, int) else u.pk for u in users))


def deactivate(users: Iterable, *, now: datetime.datetime, reason: str) -> AccountChange:
    """Deactivate these accounts (users or user ids) and everything that reaches them: their API
    tokens are revoked, their current enrolments end ("deactivated"), the planner stops looking at
    them, and the handlers registered with learning.changes run (nudges: devices off, planned
    nudges suppressed). They leave their manager's views, since those list active accounts only.

    Where they were someone's buddy, the enrolment loses its buddy (the manager confirms again).

    Safe to run again, and for accounts already saved as inactive (the admin's save): the
    consequences are applied whatever the flag was. `reason` is logged (who asked, and why).
    """
    User = get_user_model()
    ids = _user_ids(users)
    if not ids:
        return AccountChange(0, 0)
    changed = User.objects.filter(pk__in=ids, is_active=True).update(is_active=False)
    APIToken.objects.filter(user_id__in=ids, revoked_at__isnull=True).update(revoked_at=now)
    learner_ids = list(Learner.objects.filter(user_id__in=ids).values_list("pk", flat=True))
    ended = 0
    if learner_ids:
        ended = (
            Enrollment.objects.current()
            .filter(learner_id__in=learner_ids)
            .update(ended_at=now, end_reason=EndReason.DEACTIVATED)
        )
        # No check due: the planner claims only learners with one.
        Learner.objects.filter(pk__in=learner_ids).update(next_nudge_check_at=None)
    # A buddy who left confirms nothing more: their learners' managers confirm instead.
    buddied = list(Enrollment.objects.filter(buddy_id__in=ids).values_list("learner_id", flat=True))
    if buddied:
        Enrollment.objects.filter(buddy_id__in=ids).update(buddy=None)
        learner_changed(buddied)
    accounts_deactivated(ids, learner_ids, now=now)
    logger.info("Deactivated %d account(s) (%d enrolments ended): %s", len(ids), ended, reason)
    return AccountChange(changed, ended)


def reactivate(users: Iterable, *, now: datetime.datetime) -> AccountChange:
    """Bring these accounts back: active again, the enrolments that deactivation ended resume
    (with everything done in them), and they are enrolled in events published meanwhile (and
    withdrawn from those whose audience no longer names them).

    What deactivation revoked stays revoked: their old tokens (they sign in again) and their
    devices, which the app switches back on by registering on its next start (POST /devices).
    """
    User = get_user_model()
    ids = _user_ids(users)
    if not ids:
        return AccountChange(0, 0)
    changed = User.objects.filter(pk__in=ids, is_active=False).update(is_active=True)
    learner_ids = list(Learner.objects.filter(user_id__in=ids).values_list("pk", flat=True))
    resumed = 0
    if learner_ids:
        resumed = Enrollment.objects.filter(
            learner_id__in=learner_ids, end_reason=EndReason.DEACTIVATED
        ).update(ended_at=None, end_reason="")
        enrolment.follow_audiences(learner_ids, now=now)
        learner_changed(learner_ids)  # the planner looks at them again
    logger.info("Reactivated %d account(s) (%d enrolments resumed)", len(ids), resumed)
    return AccountChange(changed, resumed)
