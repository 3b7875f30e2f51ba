"""Opens: the app reports a nudge opened (a `nudge_opened` event); the nudge records when.

`opened_at` feeds the bandit's choice of windows (bandit.py), and the open, like any activity,
ends a run of ignored nudges (the back-off in windows.py).
"""

import datetime

from learning.models import Activity
from nudges.models import Nudge


def on_nudges_opened(activities: list[Activity]) -> None:
    """Set `opened_at` of the nudges these activities report (one SELECT, one bulk UPDATE).

    Only a learner's own nudges: an id of someone else's nudge changes nothing. A nudge reported
    opened twice keeps the earlier moment.
    """
    earliest: dict[tuple[int, int], datetime.datetime] = {}
    for a in activities:
        if a.nudge_id is not None:
            key = (a.nudge_id, a.learner_id)
            earliest[key] = min(earliest.get(key, a.occurred_at), a.occurred_at)
    if not earliest:
        return
    # Only the reporting learner's own nudges; an earlier open is kept.
    nudges = [
        nudge
        for nudge in Nudge.objects.filter(pk__in={nudge_id for nudge_id, _ in earliest}).only(
            "pk", "learner_id", "opened_at"
        )
        if (nudge.pk, nudge.learner_id) in earliest
    ]
    for nudge in nudges:
        at = earliest[(nudge.pk, nudge.learner_id)]
        nudge.opened_at = min(nudge.opened_at or at, at)
    Nudge.objects.bulk_update(nudges, ["opened_at"])
