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

FSRS runs twice: on fsrs's default parameters, then on parameters fitted (learning.practice.fitting,
the code the weekly fit runs) to a 30-day warm-up: every answer both default arms gave in their first
30 days, same-day steps included, pooled as the workforce fit pools events of any desired retention.
The set is used only if production would adopt it (lower held-out log loss, a set fsrs takes). The
fitted arms then run the same 90 days. Targets: recall at review within 3 points of the desired
retention, and fewer reviews than the fixed schedule that recalls as much at day 90.
"""

import datetime
import math
import os
import random
import statistics
import time
from dataclasses import dataclass, field

from learning.practice import fitting, scheduling
from learning.practice.fitting import History

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
WARM_UP_DAYS = 30
TARGET_GAP_POINTS = 3


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


def population(rng: random.Random, *, learners: int = LEARNERS) -> list[list[Pair]]:
    people = []
    items = [rng.lognormvariate(0, 0.5) for _ in range(MODULES * QUESTIONS_PER_MODULE)]
    for _ in range(learners):
        person = rng.lognormvariate(0, 0.35)
        gain = 2.5 * rng.lognormvariate(0, 0.25)
        people.append(
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
    return people


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
    # Reviews scheduled a day or more out: the ones desired retention is about (the others are the
    # answer on completing the module and fsrs's minute-long steps, recalled almost surely).
    spaced_reviews: int = 0
    recall_at_spaced_review: float = 0.0
    recalled_at_end: float = 0.0
    log: list[History] = field(default_factory=list)  # each card's answers (local date, rating)

    def answered(self, p: float, *, spaced: bool) -> None:
        self.reviews += 1
        self.recall_at_review += p
        if spaced:
            self.spaced_reviews += 1
            self.recall_at_spaced_review += p


def run_fsrs(
    people: list[list[Pair]],
    *,
    curve: str,
    retention: float,
    seed: int,
    parameters: tuple[float, ...] | None = None,
) -> Outcome:
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
            at, interval = pair.learnt_at, datetime.timedelta(0)
            answers: list[tuple[datetime.date, int]] = []
            while at <= END:
                correct, response_ms, p = attempt(memory, pair, at, rng)
                outcome.answered(p, spaced=interval >= DAY)
                rating = scheduling.rating_for(correct=correct, response_ms=response_ms)
                # The simulation's clock is the learners' own: its date is their local date.
                answers.append((at.date(), int(rating)))
                schedule = scheduling.review(
                    schedule,
                    rating=rating,
                    reviewed_at=at,
                    desired_retention=retention,
                    parameters=parameters,
                    card_id=card_id,
                )
                interval = schedule.due - at
                at = schedule.due + session_lag(interval, rng)
            outcome.recalled_at_end += memory.recall(END)
            outcome.log.append(History(reviews=tuple(answers)))
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
                    outcome.answered(p, spaced=True)
                    at += interval + session_lag(interval, rng)
            outcome.recalled_at_end += memory.recall(END)
    return outcome


@dataclass(frozen=True)
class Fit:
    parameters: tuple[float, ...] | None  # None: not adopted, the arms keep fsrs's defaults
    reviews: int
    train: int
    holdout: int
    fitted: fitting.Evaluation
    default: fitting.Evaluation
    seconds: float


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
        default = run_fsrs_arms(people, curve=curve, parameters=None)
        fixed = run_fixed_arms(people, curve=curve)
        fit = fit_warm_up([outcome for _label, outcome in default])
        print_fit(fit)
        fitted = run_fsrs_arms(people, curve=curve, parameters=fit.parameters)
        print_table(default + fixed, fitted + fixed)
        print_targets(fitted, fixed)
    print(f"(simulated in {time.perf_counter() - started:.1f} s)")


def run_fsrs_arms(
    people: list[list[Pair]], *, curve: str, parameters: tuple[float, ...] | None
) -> list[tuple[str, Outcome]]:
    return [
        (
            f"FSRS, desired retention {retention:.2f}",
            run_fsrs(
                people, curve=curve, retention=retention, seed=SEED + 1, parameters=parameters
            ),
        )
        for retention in RETENTIONS
    ]


def run_fixed_arms(people: list[list[Pair]], *, curve: str) -> list[tuple[str, Outcome]]:
    rows = []
    for days in FIXED_INTERVALS:
        label = f"fixed, every {days} day{'s' if days > 1 else ''}"
        rows.append((label, run_fixed(people, curve=curve, days=days, seed=SEED + 1)))
    rows.append(("no practice", run_fixed(people, curve=curve, days=None, seed=SEED + 1)))
    return rows


def fit_warm_up(outcomes: list[Outcome]) -> Fit:
    """Fit the default arms' first WARM_UP_DAYS as the weekly fit would, and adopt it as it would."""
    end = (START + DAY * WARM_UP_DAYS).date()
    log = [
        History(reviews=tuple(r for r in history.reviews if r[0] < end))
        for outcome in outcomes
        for history in outcome.log
    ]
    train, holdout = fitting.split(fitting.items_of(log))
    fit_started = time.perf_counter()
    parameters = fitting.fit(train)
    seconds = time.perf_counter() - fit_started
    fitted = fitting.evaluate(parameters, holdout)
    default = fitting.evaluate(fitting.DEFAULT_PARAMETERS, holdout)
    adopted = fitted.better_than(default) and scheduling.usable(parameters)
    return Fit(
        parameters=parameters if adopted else None,
        reviews=sum(len(history.reviews) for history in log),
        train=len(train),
        holdout=len(holdout),
        fitted=fitted,
        default=default,
        seconds=seconds,
    )


def print_fit(fit: Fit) -> None:
    print(
        f"fit on the {WARM_UP_DAYS}-day warm-up of both FSRS arms: {fit.reviews} answers → "
        f"{fit.train} items to fit, {fit.holdout} held out; fitted in {fit.seconds:.2f} s"
    )
    print(
        f"held out: log loss {fit.default.log_loss:.3f} default → {fit.fitted.log_loss:.3f} "
        f"fitted, RMSE (bins) {fit.default.rmse_bins:.3f} → {fit.fitted.rmse_bins:.3f}; "
        + (
            "adopted: " + ", ".join(f"{w:.3f}" for w in fit.parameters)
            if fit.parameters
            else "not adopted: the fitted arms run on the defaults"
        )
    )


def print_table(default: list[tuple[str, Outcome]], fitted: list[tuple[str, Outcome]]) -> None:
    pairs = LEARNERS * MODULES * QUESTIONS_PER_MODULE
    print(f"{'':<32} {'reviews/learner':^17} {'recall at review':^17} {'recalled at day 90':^17}")
    header = f"{'schedule':<32}" + f" {'default':>8} {'fitted':>8}" * 3
    print(header)
    print("-" * len(header))
    for (label, before), (_label, after) in zip(default, fitted, strict=True):
        print(
            f"{label:<32}"
            f" {before.reviews / LEARNERS:>8.1f} {after.reviews / LEARNERS:>8.1f}"
            f" {_at_review(before):>8} {_at_review(after):>8}"
            f" {before.recalled_at_end / pairs:>8.1%} {after.recalled_at_end / pairs:>8.1%}"
        )


def print_targets(fsrs_arms: list[tuple[str, Outcome]], fixed: list[tuple[str, Outcome]]) -> None:
    pairs = LEARNERS * MODULES * QUESTIONS_PER_MODULE
    for retention, (label, fsrs) in zip(RETENTIONS, fsrs_arms, strict=True):
        at_review = fsrs.recall_at_review / fsrs.reviews
        gap = 100 * (at_review - retention)
        print(
            f"target, {label} fitted: recall at review {at_review:.1%} (at reviews a day or more "
            f"out {fsrs.recall_at_spaced_review / fsrs.spaced_reviews:.1%}) against {retention:.0%}"
            f": {gap:+.1f} points, {_met(abs(gap) <= TARGET_GAP_POINTS)}"
        )
        recalled = fsrs.recalled_at_end / pairs
        # The fixed schedule with day-90 recall nearest at or above FSRS's: equal recall, or better.
        rivals = [
            row for row in fixed if row[1].reviews and row[1].recalled_at_end / pairs >= recalled
        ]
        if not rivals:
            print(f"target, {label} fitted: {recalled:.1%} at day 90, no fixed schedule reaches it")
            continue
        rival, best = min(rivals, key=lambda row: row[1].recalled_at_end)
        print(
            f"target, {label} fitted: {fsrs.reviews / LEARNERS:.1f} reviews/learner for "
            f"{recalled:.1%} at day 90; {rival}: {best.reviews / LEARNERS:.1f} for "
            f"{best.recalled_at_end / pairs:.1%}, {_met(fsrs.reviews < best.reviews)}"
        )


def _at_review(outcome: Outcome) -> str:
    return f"{outcome.recall_at_review / outcome.reviews:.1%}" if outcome.reviews else "–"


def _met(met: bool) -> str:
    return "MET" if met else "NOT MET"


if __name__ == "__main__":
    main()
