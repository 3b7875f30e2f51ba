"""Spaced practice against a simulated population whose memory is not FSRS's model.

200 learners each meet 30 questions (10 modules of 3, one module every 3 days) and practise for 90
days. Memory is one of two forgetting curves that are not FSRS 6's, both written with S = the days
until recall falls to 90%: exponential, p(t) = 0.9^(t/S), and a hyperbolic power law,
p(t) = (1 + t/(9S))^-1. S is drawn per learner and per question (lognormal "person" and "item"
factors, median 1.5 days after studying the module); a successful recall multiplies S by
1 + g·sqrt(1 - p) (more when recall had fallen further: the spacing effect; g per learner, median
2.5), a failure halves it (not below its first value: the explanation re-encodes it). A recall is
fast when memory is fresh and slow when it is shaky; a failed recall may still pick the right
choice by chance (1 in 4), slowly.

Each schedule sees the same population: FSRS through the real scheduling code (learning.scheduling's
rating_for and review: the fsrs Scheduler with our settings, fuzzing on as in production), and
fixed intervals. A learner answers a card in the session it falls due in: at once for fsrs's
minute-long learning steps, otherwise at their next daily session (up to a day late). Printed per
schedule: reviews per learner over the 90 days, recall probability at the moment of review, and
the share of questions recalled at day 90 (the mean of p over all learner × question pairs).
No database: the scheduling step is pure.
"""

import datetime
import math
import os
import random
import statistics
import time
from dataclasses import dataclass

LEARNERS = 200
MODULES, QUESTIONS_PER_MODULE, MODULE_EVERY_DAYS = 10, 3, 3
DAYS = 90
CHOICES = 4
FIXED_INTERVALS = (1, 3, 7, 14, 30)
RETENTIONS = (0.9, 0.95)
SEED = 20261123
START = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)
END = START + datetime.timedelta(days=DAYS)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Pair:
    """One learner × question: when it was learnt and how this person remembers this item."""

    learnt_at: datetime.datetime
    initial_strength: float  # days for recall to fall to 90% after studying the module
    gain: float  # how much a successful, effortful recall strengthens memory


FORGETTING = {
    "exponential": lambda days, s: 0.9 ** (days / s),
    "power law": lambda days, s: 1 / (1 + days / (9 * s)),
}


@dataclass
class Memory:
    curve: str
    strength: float  # days until recall falls to 90%
    last: datetime.datetime

    def recall(self, at: datetime.datetime) -> float:
        return FORGETTING[self.curve]((at - self.last) / DAY, self.strength)


def population(rng: random.Random) -> list[list[Pair]]:
    learners = []
    items = [rng.lognormvariate(0, 0.5) for _ in range(MODULES * QUESTIONS_PER_MODULE)]
    for _ in range(LEARNERS):
        person = rng.lognormvariate(0, 0.35)
        gain = 2.5 * rng.lognormvariate(0, 0.25)
        learners.append(
            [
                Pair(
                    learnt_at=START
                    + DAY * (MODULE_EVERY_DAYS * (q // QUESTIONS_PER_MODULE))
                    # the module is done some time that day
                    + datetime.timedelta(hours=rng.uniform(0, 10)),
                    initial_strength=1.5 * person / item,
                    gain=gain,
                )
                for q, item in enumerate(items)
            ]
        )
    return learners


def attempt(
    memory: Memory, pair: Pair, at: datetime.datetime, rng: random.Random
) -> tuple[bool, int, float]:
    """(correct, response_ms, recall probability) for one answer; updates the memory."""
    p = memory.recall(at)
    if rng.random() < p:
        correct = True
        response_ms = (3_000 + 14_000 * (1 - p)) * rng.lognormvariate(0, 0.35)
        memory.strength *= 1 + pair.gain * math.sqrt(1 - p)
    else:
        correct = rng.random() < 1 / CHOICES
        response_ms = 15_000 * rng.lognormvariate(0, 0.35)
        memory.strength = max(pair.initial_strength, memory.strength * 0.5)
    memory.last = at
    return correct, int(response_ms), p


def session_lag(interval: datetime.timedelta, rng: random.Random) -> datetime.timedelta:
    # Minute-long learning steps are answered in the same sitting; anything longer waits for the
    # learner's next daily session.
    return datetime.timedelta(0) if interval < DAY else DAY * rng.random()


@dataclass
class Outcome:
    reviews: int = 0
    recall_at_review: float = 0.0
    recalled_at_end: float = 0.0


def run_fsrs(people: list[list[Pair]], *, curve: str, retention: float, seed: int) -> Outcome:
    from learning.practice import scheduling

    rng = random.Random(seed)
    random.seed(seed)  # fsrs fuzzes intervals with the module-level random
    outcome = Outcome()
    card_id = 0
    for pairs in people:
        for pair in pairs:
            card_id += 1
            memory = Memory(curve, pair.initial_strength, pair.learnt_at)
            # A card is made on completion, due at once (practice.create_cards_for_module).
            schedule = scheduling.Schedule.fresh(due=pair.learnt_at)
            at = pair.learnt_at
            while at <= END:
                correct, response_ms, p = attempt(memory, pair, at, rng)
                outcome.reviews += 1
                outcome.recall_at_review += p
                rating = scheduling.rating_for(correct=correct, response_ms=response_ms)
                schedule = scheduling.review(
                    schedule,
                    rating=rating,
                    reviewed_at=at,
                    desired_retention=retention,
                    card_id=card_id,
                )
                interval = schedule.due - at
                at = schedule.due + session_lag(interval, rng)
            outcome.recalled_at_end += memory.recall(END)
    return outcome


def run_fixed(people: list[list[Pair]], *, curve: str, days: int | None, seed: int) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    interval = DAY * days if days else None
    for pairs in people:
        for pair in pairs:
            memory = Memory(curve, pair.initial_strength, pair.learnt_at)
            if interval is not None:
                at = pair.learnt_at + interval + session_lag(interval, rng)
                while at <= END:
                    _correct, _ms, p = attempt(memory, pair, at, rng)
                    outcome.reviews += 1
                    outcome.recall_at_review += p
                    at += interval + session_lag(interval, rng)
            outcome.recalled_at_end += memory.recall(END)
    return outcome


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.conf import settings

    started = time.perf_counter()
    people = population(random.Random(SEED))
    initial = statistics.median(p.initial_strength for ps in people for p in ps)
    print(
        f"{LEARNERS} learners × {MODULES * QUESTIONS_PER_MODULE} questions over {DAYS} days; "
        f"median S {initial:.1f} days after the module; fsrs fuzzing "
        f"{'on' if settings.PRACTICE_FUZZING else 'off'}; right answers slower than "
        f"{settings.PRACTICE_HARD_MS / 1000:g} s → Hard, faster than "
        f"{settings.PRACTICE_EASY_MS / 1000:g} s → Easy, wrong → Again"
    )
    for curve in FORGETTING:
        print(f"\nmemory: {curve}")
        print_table(simulate(people, curve=curve))
    print(f"(simulated in {time.perf_counter() - started:.1f} s)")


def simulate(people: list[list[Pair]], *, curve: str) -> list[tuple[str, Outcome]]:
    rows = [
        (
            f"FSRS, desired retention {retention:.2f}",
            run_fsrs(people, curve=curve, retention=retention, seed=SEED + 1),
        )
        for retention in RETENTIONS
    ]
    for days in FIXED_INTERVALS:
        label = f"fixed, every {days} day{'s' if days > 1 else ''}"
        rows.append((label, run_fixed(people, curve=curve, days=days, seed=SEED + 1)))
    rows.append(("no practice", run_fixed(people, curve=curve, days=None, seed=SEED + 1)))
    return rows


def print_table(rows: list[tuple[str, Outcome]]) -> None:
    pairs = LEARNERS * MODULES * QUESTIONS_PER_MODULE
    header = (
        f"{'schedule':<32} {'reviews/learner':>16} {'recall at review':>17} "
        f"{'recalled at day 90':>19}"
    )
    print(header)
    print("-" * len(header))
    for label, outcome in rows:
        at_review = f"{outcome.recall_at_review / outcome.reviews:.0%}" if outcome.reviews else "–"
        print(
            f"{label:<32} {outcome.reviews / LEARNERS:>16.1f} {at_review:>17} "
            f"{outcome.recalled_at_end / pairs:>19.1%}"
        )


if __name__ == "__main__":
    main()
