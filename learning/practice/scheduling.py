"""The scheduling step of spaced practice: pure functions over fsrs, shared by the API and the simulation.

No database here: `learning.practice` reads and writes cards; `benchmarks/retention_sim.py` drives the
same functions over a simulated population.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import fsrs
from django.conf import settings

if TYPE_CHECKING:
    from learning.models import Card

DEFAULT_RETENTION = 0.9
UTC = datetime.UTC  # fsrs refuses any other tzinfo object, ZoneInfo("UTC") included


@dataclass(frozen=True)
class Schedule:
    """A card's FSRS state, as the columns of Card hold it."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime.datetime
    last_review: datetime.datetime | None

    @classmethod
    def fresh(cls, *, due: datetime.datetime) -> Schedule:
        """A card never reviewed: fsrs has no "new" state, it is Learning at step 0."""
        return cls(
            state=fsrs.State.Learning,
            step=0,
            stability=None,
            difficulty=None,
            due=due,
            last_review=None,
        )

    @classmethod
    def of(cls, card: Card) -> Schedule:
        return cls(
            state=card.state,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )

    def as_fsrs(self, card_id: int) -> fsrs.Card:
        # Our primary key as card_id: fsrs would otherwise sleep a millisecond to invent one.
        return fsrs.Card(
            card_id=card_id,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due),
            last_review=_utc(self.last_review) if self.last_review else None,
        )

    def apply_to(self, card: Card) -> None:
        card.state, card.step = int(self.state), self.step
        card.stability, card.difficulty = self.stability, self.difficulty
        card.due, card.last_review = self.due, self.last_review


@lru_cache(maxsize=64)
def _scheduler(
    desired_retention: float, fuzzing: bool, parameters: tuple[float, ...] | None
) -> fsrs.Scheduler:
    if parameters is None:
        return fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing)
    return fsrs.Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=fuzzing
    )


def scheduler(
    desired_retention: float | Decimal | None = None,
    parameters: Sequence[float] | None = None,
) -> fsrs.Scheduler:
    """fsrs's scheduler at this retention with these parameters (a fitted set; fsrs's defaults
    without one), fuzzing as PRACTICE_FUZZING says."""
    retention = float(desired_retention) if desired_retention is not None else DEFAULT_RETENTION
    fitted = tuple(float(w) for w in parameters) if parameters is not None else None
    return _scheduler(retention, settings.PRACTICE_FUZZING, fitted)


def usable(parameters: Sequence[float]) -> bool:
    """Whether fsrs's scheduler takes this set (it refuses values outside its bounds)."""
    try:
        _scheduler(DEFAULT_RETENTION, False, tuple(float(w) for w in parameters))
    except (ValueError, TypeError):
        return False
    return True


def rating_for(*, correct: bool, response_ms: int) -> fsrs.Rating:
    """The FSRS rating a checked answer earns.

    | answer                                        | rating |
    | --------------------------------------------- | ------ |
    | wrong                                         | Again  |
    | right, slower than PRACTICE_HARD_MS (15 s)    | Hard   |
    | right, faster than PRACTICE_EASY_MS (5 s)     | Easy   |
    | right otherwise                               | Good   |

    A slow right answer was effortful recall (or a lucky elimination), a quick one fluent recall.
    Self-graded answers bring their own rating (1–4) and skip this.
    """
    if not correct:
        return fsrs.Rating.Again
    if response_ms > settings.PRACTICE_HARD_MS:
        return fsrs.Rating.Hard
    if response_ms < settings.PRACTICE_EASY_MS:
        return fsrs.Rating.Easy
    return fsrs.Rating.Good


def review(
    schedule: Schedule,
    *,
    rating: int,
    reviewed_at: datetime.datetime,
    desired_retention: float | Decimal | None = None,
    parameters: Sequence[float] | None = None,
    card_id: int = 0,
) -> Schedule:
    """The card's schedule after one review: fsrs's `review_card`, nothing of our own."""
    card, _log = scheduler(desired_retention, parameters).review_card(
        schedule.as_fsrs(card_id), fsrs.Rating(rating), _utc(reviewed_at)
    )
    return Schedule(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def retrievability(
    *,
    stability: float,
    last_review: datetime.datetime,
    at: datetime.datetime,
    parameters: Sequence[float] | None = None,
) -> float:
    """fsrs's predicted probability of recalling a reviewed card at `at` (whole days elapsed),
    with these parameters (fsrs's defaults without)."""
    card = fsrs.Card(
        card_id=0,
        state=fsrs.State.Review,
        stability=stability,
        due=_utc(last_review),
        last_review=_utc(last_review),
    )
    return scheduler(parameters=parameters).get_card_retrievability(card, _utc(at))


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(UTC)
