"""The weekly scheduler fit on a log of over 100,000 reviews. Target: it finishes within a few minutes.

The log is retention_sim's population (memory that is not FSRS's), scaled to 600 learners and
scheduled for 90 days on fsrs's default parameters, as the product schedules before its first fit.
It goes through learning.practice.fitting as the weekly fit does (items_of, split, fit, evaluate on
the held-out fifth, for the fitted set and the defaults); the database read is not timed here.
Memory is the process's peak resident size, before the fit and after it (the optimiser is Rust, so
tracemalloc would not see it).
"""

import os
import random
import resource
import time

from benchmarks.retention_sim import SEED, population, run_fsrs
from learning.practice import fitting

LEARNERS = 600  # × 30 questions over 90 days: about 120,000 reviews


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()

    started = time.perf_counter()
    people = population(random.Random(SEED), learners=LEARNERS)
    log = run_fsrs(people, curve="exponential", retention=0.9, seed=SEED + 1).log
    reviews = sum(len(history.reviews) for history in log)
    print(f"{LEARNERS} learners' review log generated in {time.perf_counter() - started:.1f} s")
    before = _peak_mb()

    converted = time.perf_counter()
    items = fitting.items_of(log)
    train, holdout = fitting.split(items)
    converted = time.perf_counter() - converted
    fitted_at = time.perf_counter()
    parameters = fitting.fit(train)
    fit_seconds = time.perf_counter() - fitted_at
    evaluated_at = time.perf_counter()
    fitted = fitting.evaluate(parameters, holdout)
    default = fitting.evaluate(fitting.DEFAULT_PARAMETERS, holdout)
    evaluate_seconds = time.perf_counter() - evaluated_at

    print(
        f"{reviews} reviews of {len(log)} cards → {len(items)} items "
        f"({len(train)} to fit, {len(holdout)} held out) in {converted:.2f} s"
    )
    print(f"fit: {fit_seconds:.2f} s; evaluate (fitted and default sets): {evaluate_seconds:.2f} s")
    print(
        f"held out: log loss {default.log_loss:.3f} default → {fitted.log_loss:.3f} fitted, "
        f"RMSE (bins) {default.rmse_bins:.3f} → {fitted.rmse_bins:.3f}"
    )
    print(f"peak resident memory: {_peak_mb():.0f} MB ({before:.0f} MB before the fit)")
    total = converted + fit_seconds + evaluate_seconds
    print(
        f"target, the fit within a few minutes: {total:.1f} s, {'MET' if total < 180 else 'NOT MET'}"
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
