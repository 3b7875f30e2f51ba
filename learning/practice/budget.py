"""The daily practice budget: the most practice a learner is offered in a day, most important first.

The organisation sets minutes per learner per day (PracticeBudget, Settings → Practice budget in
the admin; PRACTICE_DAILY_BUDGET_MINUTES until then). At half a minute a question, as the nudges
promise, that is a number of answers per local day; the answers already given today count against
it. What is offered (the due queue, the today feed's count, the practice nudge) is what is left of
it, the most important due cards first: the lowest predicted recall now relative to the card's
event target, and a card not yet answered (in its first minutes-long steps) before any.

For the author, `costs` simulates what each target retention would cost a learner of an event per
day, with the scheduler in force for it (fsrs-rs-python's simulator), and `suggested` the highest
target that fits the budget.
"""

from __future__ import annotations

import datetime
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import fsrs_rs_python as fsrs_rs

from learning.models import Learner, PracticeBudget, Review
from learning.practice.fitting import DEFAULT_PARAMETERS
from learning.practice.scheduling import DEFAULT_RETENTION, retrievability

SECONDS_PER_QUESTION = 30  # about half a minute per practice question
SETTING_SECONDS = 60  # a change in the admin reaches every process within this


class _Memo:
    """The budget as last read, per process, for SETTING_SECONDS (every due queue asks for it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: int | None = None
        self._read_at = 0.0

    def get(self) -> int:
        with self._lock:
            if self._value is not None and time.monotonic() - self._read_at <= SETTING_SECONDS:
                return self._value
        # Read outside the lock: the first load creates the row, whose post_save forgets.
        value = PracticeBudget.load().daily_minutes
        with self._lock:
            self._value, self._read_at = value, time.monotonic()
        return value

    def forget(self) -> None:
        with self._lock:
            self._value = None


_BUDGET = _Memo()


def daily_minutes() -> int:
    return _BUDGET.get()


def forget(**kwargs) -> None:
    """Receiver for the setting's post_save: this process reads the new budget at once."""
    _BUDGET.forget()


def questions_per_day(minutes: int | None = None) -> int:
    """Answers a day the budget allows (at least one)."""
    minutes = daily_minutes() if minutes is None else minutes
    return max(1, minutes * 60 // SECONDS_PER_QUESTION)


def minutes_for(questions: int) -> int:
    """Minutes that many questions take, rounded up (at least one): the nudges' estimate."""
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def _local_midnight(learner: Learner, now: datetime.datetime) -> datetime.datetime:
    today = learner.local_date(now)
    return datetime.datetime.combine(today, datetime.time.min, tzinfo=learner.tz)


def remaining_today(learner: Learner, *, now: datetime.datetime) -> int:
    """Answers the learner may still be offered today, in their own calendar. One query."""
    return remaining_today_of([learner], now=now)[learner.pk]


def remaining_today_of(learners: Sequence[Learner], *, now: datetime.datetime) -> dict[int, int]:
    """Answers each may still be offered today, in one query: their answers since the earliest
    of their midnights, each counted from their own (a phone a few minutes ahead included)."""
    if not learners:
        return {}
    allowed = questions_per_day()
    midnights = {learner.pk: _local_midnight(learner, now) for learner in learners}
    rows = (
        Review.objects.filter(
            learner_id__in=list(midnights),
            answered_at__gte=min(midnights.values()),
        )
        .values_list("learner_id", "answered_at")
        .order_by()
    )
    answered: dict[int, int] = defaultdict(int)
    for learner_id, answered_at in rows:
        if answered_at >= midnights[learner_id]:
            answered[learner_id] += 1
    return {pk: max(0, allowed - answered[pk]) for pk in midnights}


def importance(
    *,
    stability: float | None,
    last_review: datetime.datetime | None,
    target: Decimal | float | None,
    now: datetime.datetime,
    parameters: Sequence[float] | None,
) -> float:
    """Lower first: predicted recall now less the event's target; a card never answered is -1."""
    if stability is None or last_review is None:
        return -1.0
    recall = retrievability(
        stability=stability, last_review=last_review, at=now, parameters=parameters
    )
    return recall - (float(target) if target is not None else DEFAULT_RETENTION)


# --- What a target retention costs -----------------------------------------------------------------

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
SIMULATED_DAYS = 90
SEEDS = 16  # one simulated learner is noisy at a deck of a few dozen questions; average these


@dataclass(frozen=True)
class Cost:
    retention: float
    minutes_per_day: float  # mean over the simulated days, per learner
    fits: bool  # within the budget


def costs(
    *,
    questions: int,
    learn_days: int,
    parameters: Sequence[float] | None,
    budget_minutes: int,
    retentions: Iterable[float] = RETENTIONS,
) -> list[Cost]:
    """Minutes per learner per day each target would cost over SIMULATED_DAYS: `questions` cards
    met evenly over `learn_days` days, every answer half a minute, with these parameters."""
    if questions <= 0:
        return []
    config = simulator_config(questions=questions, learn_days=learn_days)
    w = list(parameters) if parameters is not None else list(DEFAULT_PARAMETERS)
    found = []
    for retention in retentions:
        minutes = [
            sum(fsrs_rs.simulate(w, retention, config, seed=seed).cost_per_day)
            / SIMULATED_DAYS
            / 60
            for seed in range(SEEDS)
        ]
        mean = sum(minutes) / len(minutes)
        found.append(Cost(retention, round(mean, 2), mean <= budget_minutes))
    return found


def suggested(found: Sequence[Cost]) -> float | None:
    """The highest target that fits the budget; None if even the lowest does not."""
    fitting = [c.retention for c in found if c.fits]
    return max(fitting) if fitting else None


def simulator_config(*, questions: int, learn_days: int) -> fsrs_rs.SimulatorConfig:
    config = fsrs_rs.default_simulator_config()
    config.deck_size = questions
    config.learn_span = SIMULATED_DAYS
    config.learn_limit = max(1, math.ceil(questions / max(1, learn_days)))
    config.max_cost_perday = 24 * 3600.0  # the simulation measures cost; the budget is ours
    # Every answer, in any state and of any rating, at our half a minute.
    config.state_rating_costs = [[float(SECONDS_PER_QUESTION)] * 4 for _ in range(3)]
    return config
