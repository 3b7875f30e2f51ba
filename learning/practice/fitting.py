"""Fitting FSRS to our own learners: parameters from a review log, judged on a time-ordered hold-out.

Pure functions over fsrs-rs-python (the Rust optimiser behind Anki's FSRS; no torch): no database
here. `learning.practice.calibration` reads the `Review` log into `History` values and keeps the
sets it fits; `benchmarks/retention_sim.py` fits the simulated population's log with the same code.

The review log becomes training items as fsrs-rs expects them: one item per review that came a day
or more after the one before it, holding the card's whole history up to that review (days between
reviews in the learner's own calendar; same-day answers are fsrs's short-term steps). The items are
ordered by the day of their last review and the latest share is held out: a new set is judged on
answers given after everything it was fitted on, as it would be used.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import fsrs_rs_python as fsrs_rs

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs_rs.DEFAULT_PARAMETERS)
HOLDOUT_SHARE = 0.2  # the latest fifth of the items, by date, judges a fit
BINS = 10  # predicted recall in tenths, for the calibration chart


@dataclass(frozen=True)
class History:
    """One card's counted answers in order: (the learner's local date, the FSRS rating 1–4)."""

    reviews: tuple[tuple[datetime.date, int], ...]


@dataclass(frozen=True)
class Item:
    """A review to predict, with the history before it (fsrs-rs's FSRSItem, and its date)."""

    on: datetime.date
    reviews: tuple[tuple[int, int], ...]  # (rating, days since the review before), oldest first

    def fsrs_item(self) -> fsrs_rs.FSRSItem:
        return fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in self.reviews])

    @property
    def recalled(self) -> bool:
        return self.reviews[-1][0] > 1  # anything but Again

    @property
    def elapsed_days(self) -> int:
        return self.reviews[-1][1]


def items_of(histories: Iterable[History]) -> list[Item]:
    """Every predictable review of the histories, ordered by date (fsrs-rs's own conversion)."""
    found: list[Item] = []
    for history in histories:
        if not history.reviews:
            continue
        reviews: list[tuple[int, int]] = []
        last = history.reviews[0][0]
        for on, rating in history.reviews:
            delta = (on - last).days
            reviews.append((rating, delta))
            last = on
            # A prediction needs a day or more since the review before (same-day answers are
            # fsrs's short-term steps: history, not something to predict).
            if delta > 0:
                found.append(Item(on=on, reviews=tuple(reviews)))
    found.sort(key=lambda item: item.on)
    return found


def split(
    items: Sequence[Item], *, holdout: float = HOLDOUT_SHARE
) -> tuple[list[Item], list[Item]]:
    """(the earlier items to fit on, the later ones to judge with), by date: no day is cut in two."""
    if not items:
        return [], []
    cut = max(1, math.floor(len(items) * (1 - holdout)))
    cut = min(cut, len(items) - 1)
    boundary = items[cut].on
    while cut > 0 and items[cut - 1].on == boundary:
        cut -= 1
    return list(items[:cut]), list(items[cut:])


@dataclass(frozen=True)
class Bin:
    """Predicted against actual recall for the held-out reviews whose prediction fell in one tenth."""

    low: float
    high: float
    count: int
    predicted: float  # mean predicted recall in the bin
    actual: float  # share actually recalled


@dataclass(frozen=True)
class Evaluation:
    log_loss: float
    rmse_bins: float  # fsrs-rs's RMSE over bins (its calibration error)
    bins: tuple[Bin, ...]

    def better_than(self, other: Evaluation) -> bool:
        """Log loss decides: a proper scoring rule, where RMSE over bins is noisy on small logs."""
        return self.log_loss < other.log_loss


def evaluate(parameters: Sequence[float], items: Sequence[Item]) -> Evaluation:
    """How well `parameters` predict these reviews: fsrs-rs's log loss and RMSE, and the bins."""
    model = fsrs_rs.FSRS(list(parameters))
    result = model.evaluate([item.fsrs_item() for item in items])
    return Evaluation(
        log_loss=float(result.log_loss),
        rmse_bins=float(result.rmse_bins),
        bins=tuple(_bins(model, parameters, items)),
    )


def fit(items: Sequence[Item]) -> tuple[float, ...]:
    """FSRS parameters fitted to these items, starting from the defaults (fsrs-rs's optimiser,
    its own fixed seed: the same items give the same set)."""
    model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    return tuple(float(w) for w in model.compute_parameters([item.fsrs_item() for item in items]))


def retrievability(parameters: Sequence[float], *, stability: float, days: float) -> float:
    """FSRS 6's forgetting curve: recall probability `days` after a review at this stability."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * days / stability) ** decay


def _bins(model: fsrs_rs.FSRS, parameters: Sequence[float], items: Sequence[Item]) -> Iterable[Bin]:
    if not items:
        return []
    before = [
        fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in item.reviews[:-1]]) for item in items
    ]
    states = model.memory_state_batch(before)
    sums = [[0, 0.0, 0] for _ in range(BINS)]  # count, predicted, recalled
    for item, state in zip(items, states, strict=True):
        p = retrievability(parameters, stability=state.stability, days=item.elapsed_days)
        slot = sums[min(BINS - 1, int(p * BINS))]
        slot[0] += 1
        slot[1] += p
        slot[2] += item.recalled
    return [
        Bin(
            low=i / BINS,
            high=(i + 1) / BINS,
            count=int(count),
            predicted=predicted / count,
            actual=recalled / count,
        )
        for i, (count, predicted, recalled) in enumerate(sums)
        if count
    ]
