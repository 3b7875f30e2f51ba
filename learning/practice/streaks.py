"""A week of practice: seven of the learner's own days in a row with an answer, celebrated once
for each whole week of the streak (learning.models.Celebration)."""

import datetime

from learning.models import Celebration, Learner, Review

WEEK = 7
LOOKBACK_WEEKS = 4  # streaks are counted over the last four weeks


def celebrate_practice_week(learner: Learner, *, now: datetime.datetime) -> Celebration | None:
    """After an answer at `now`: if it makes a whole week of days in a row (ending today), record
    that moment (once) and return it. One query."""
    since = now - datetime.timedelta(days=WEEK * LOOKBACK_WEEKS + 1)
    days = {
        learner.local_date(at)
        for at in Review.objects.filter(
            learner=learner, answered_at__gte=since, answered_at__lte=now
        ).values_list("answered_at", flat=True)
    }
    today = learner.local_date(now)
    run, day = 0, today
    while day in days:
        run, day = run + 1, day - datetime.timedelta(days=1)
    if run == 0 or run % WEEK:
        return None
    weeks = run // WEEK
    start = today - datetime.timedelta(days=run - 1)
    moment = Celebration(
        learner=learner,
        kind=Celebration.Kind.PRACTICE_WEEK,
        key=f"practice_week:{start.isoformat()}:{weeks}",
        title="A week of practice" if weeks == 1 else f"{weeks} weeks of practice",
        detail=f"You practised every day for {run} days in a row.",
        achieved_at=now,
    )
    Celebration.objects.record([moment])
    return moment
