"""Opens: the app reports a nudge opened (a `nudge_opened` event); the nudge records when.

`opened_at` feeds the bandit's choice of windows (bandit.py), and the open, like any activity,
ends a run of ignored nudges (the back-off in windows.py).
"""

import datetime

from django.db import connection

from learning.models import Activity
from nudges.models import Nudge


def on_nudges_opened(activities: list[Activity]) -> None:
    """Set `opened_at` of the nudges these activities report, in one UPDATE.

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
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Nudge._meta.db_table} AS n "  # noqa: S608 (our own table name)
            "SET opened_at = LEAST(COALESCE(n.opened_at, v.at), v.at) "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) AS v(id, learner_id, at) "
            "WHERE n.id = v.id AND n.learner_id = v.learner_id",
            [
                [nudge_id for nudge_id, _ in earliest],
                [learner_id for _, learner_id in earliest],
                list(earliest.values()),
            ],
        )
