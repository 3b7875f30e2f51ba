"""What nudges does when learning deactivates accounts (registered with learning.changes): their
devices stop receiving pushes and the nudges planned for them are suppressed, kept for the record."""

import datetime

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
