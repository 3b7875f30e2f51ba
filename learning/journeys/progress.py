"""A learner's progress: journey completion, the 70:20:10 mix and their streak in their own days.

Every figure comes from a fixed number of grouped queries, however long the learner's ledger is.
"""

import datetime
import itertools
from dataclasses import dataclass

from django.db.models.functions import TruncDate

from learning.journeys.states import journey_states, learner_enrollments
from learning.ledger.mix import Mix, mixes_for
from learning.ledger.times import EARLIEST_PLAUSIBLE
from learning.models import Activity, Enrollment, Learner, Verb
from learning.practice.retention import LearnerRetention, retention


@dataclass(frozen=True)
class JourneyProgress:
    journey_id: int
    event_id: int
    event_name: str
    event_kind: str
    steps_done: int
    steps_total: int
    overdue_steps: int
    completion: float


@dataclass(frozen=True)
class Streak:
    days: int  # consecutive local days with activity, ending today or yesterday
    active_today: bool
    last_active_on: datetime.date | None


@dataclass(frozen=True)
class Progress:
    today: datetime.date  # in the learner's time zone
    journeys: list[JourneyProgress]
    mix: Mix
    streak: Streak
    retention: LearnerRetention

    @property
    def steps_done(self) -> int:
        return sum(j.steps_done for j in self.journeys)

    @property
    def steps_total(self) -> int:
        return sum(j.steps_total for j in self.journeys)

    @property
    def completion(self) -> float:
        return round(self.steps_done / self.steps_total, 3) if self.steps_total else 0.0


def progress_for(learner: Learner, *, now: datetime.datetime) -> Progress:
    """Journeys, mix and streak of one learner as of `now` (5 queries)."""
    enrollments = learner_enrollments(learner, Enrollment.objects.for_learner(learner).current())
    journeys = [
        JourneyProgress(
            journey_id=state.enrollment.pk,
            event_id=state.enrollment.event_id,
            event_name=state.enrollment.event.name,
            event_kind=state.enrollment.event.kind,
            steps_done=state.done,
            steps_total=len(state.steps),
            overdue_steps=state.overdue,
            completion=state.completion,
        )
        for state in journey_states(enrollments, now=now)
    ]
    return Progress(
        today=learner.local_date(now),
        journeys=journeys,
        mix=mixes_for([learner.pk])[learner.pk],
        streak=streak_for(learner, now=now),
        retention=retention([learner.pk], now=now)[learner.pk],
    )


# How many of the learner's recent days the streak reads first: a streak that reaches back to the
# window's first day, or no activity in it at all, reads the whole history instead.
STREAK_WINDOW_DAYS = 64


def streak_for(learner: Learner, *, now: datetime.datetime) -> Streak:
    """Consecutive days (in the learner's time zone) with at least one activity, up to today.

    One query returning the distinct local dates the learner was active on, newest first: at most one
    row per day, never one per activity, and only for the last STREAK_WINDOW_DAYS days unless the
    streak (or the search for the last active day) needs more. Opening a nudge is not learning, so it
    keeps no streak alive. A day without activity yet today does not break the streak: it ends today
    or yesterday. Rows dated before any phone ran the app are skipped (an old bug's year 1 would not
    even convert to a local date in a zone west of UTC).
    """
    tz = learner.tz
    today = learner.local_date(now)
    first_in_window = today - datetime.timedelta(days=STREAK_WINDOW_DAYS - 1)
    since = datetime.datetime.combine(first_in_window, datetime.time.min, tzinfo=tz)
    days = _active_days(learner, since=max(since, EARLIEST_PLAUSIBLE), today=today)
    streak = _streak(days, today=today)
    if not days or (streak.days and _streak_start(streak) <= first_in_window):
        streak = _streak(_active_days(learner, since=EARLIEST_PLAUSIBLE, today=today), today=today)
    return streak


def _active_days(
    learner: Learner, *, since: datetime.datetime, today: datetime.date
) -> list[datetime.date]:
    start_of_tomorrow = datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time.min, tzinfo=learner.tz
    )
    return list(
        Activity.objects.filter(
            learner=learner, occurred_at__gte=since, occurred_at__lt=start_of_tomorrow
        )
        .exclude(verb=Verb.NUDGE_OPENED)
        .annotate(day=TruncDate("occurred_at", tzinfo=learner.tz))
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")
    )


def _streak_start(streak: Streak) -> datetime.date:
    assert streak.last_active_on is not None
    return streak.last_active_on - datetime.timedelta(days=streak.days - 1)


def _streak(days: list[datetime.date], *, today: datetime.date) -> Streak:
    """The streak of these active days, newest first."""
    if not days:
        return Streak(days=0, active_today=False, last_active_on=None)
    last = days[0]
    yesterday = today - datetime.timedelta(days=1)
    if last < yesterday:
        return Streak(days=0, active_today=False, last_active_on=last)
    length = 1
    for previous, day in itertools.pairwise(days):
        if previous - day != datetime.timedelta(days=1):
            break
        length += 1
    return Streak(days=length, active_today=last == today, last_active_on=last)
