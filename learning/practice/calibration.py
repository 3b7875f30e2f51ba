"""The scheduler fitted to our own learners: the weekly fit, the adoption rule, and the set in force.

Every week (beat: learning.tasks.fit_scheduler) the whole workforce's review log is fitted, and so
is each change event's where it holds enough (PRACTICE_FIT_MIN_REVIEWS reviews from
PRACTICE_FIT_MIN_LEARNERS learners; below that a fit is noise). A fit is judged against the set in
force for those cards on the latest fifth of the log, held out (learning.practice.fitting), and
adopted only when its log loss there is lower. Every fit is kept, adopted or not, with its figures.

Cards are scheduled with the set in force when they are answered: an event's newest adopted set,
else the workforce's, else fsrs's defaults.
"""

from __future__ import annotations

import datetime
import logging
import math
import time
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from learning.models import Review, SchedulerParameters
from learning.practice import fitting, scheduling
from learning.practice.fitting import Evaluation, History

logger = logging.getLogger(__name__)


def in_force(event_id: int | None) -> SchedulerParameters | None:
    """The fitted set that schedules a card of this event (or of none) now; None for the defaults."""
    scopes = Q(event__isnull=True)
    if event_id is not None:
        scopes |= Q(event_id=event_id)
    return (
        SchedulerParameters.objects.adopted()
        .filter(scopes)
        .order_by(F("event_id").asc(nulls_last=True), "-fitted_at", "-pk")
        .only("pk", "parameters")
        .first()
    )


def parameters_of(chosen: SchedulerParameters | None) -> tuple[float, ...] | None:
    """The set's 21 parameters; None (fsrs's defaults) for no set, or for a stored value that is
    not a set (a hand edit): an answer is never refused for it."""
    if chosen is None:
        return None
    values = chosen.parameters
    if (
        isinstance(values, list)
        and len(values) == len(fitting.DEFAULT_PARAMETERS)
        and all(isinstance(w, int | float) and math.isfinite(w) for w in values)
        and scheduling.usable(values)
    ):
        return tuple(float(w) for w in values)
    logger.warning("scheduler parameter set %s is not a usable set: using the defaults", chosen.pk)
    return None


def in_force_for_events(
    event_ids: Iterable[int | None],
) -> dict[int | None, tuple[float, ...] | None]:
    """The parameters that schedule each event's cards now (None: fsrs's defaults), in one query;
    the id None stands for cards of no event (the workforce's set)."""
    wanted = set(event_ids)
    events = [pk for pk in wanted if pk is not None]
    sets = (
        SchedulerParameters.objects.adopted()
        .filter(Q(event__isnull=True) | Q(event_id__in=events))
        .order_by("-fitted_at", "-pk")
        .only("pk", "event_id", "parameters")
    )
    newest: dict[int | None, SchedulerParameters] = {}
    for chosen in sets:
        newest.setdefault(chosen.event_id, chosen)
    workforce = newest.get(None)
    return {pk: parameters_of(newest.get(pk, workforce)) for pk in wanted}


def _counted_reviews(event_id: int | None):
    """The reviews that count toward their card (none from before the card's last reset)."""
    reviews = Review.objects.filter(
        Q(card__reset_at__isnull=True) | Q(answered_at__gte=F("card__reset_at"))
    )
    if event_id is not None:
        reviews = reviews.filter(card__event_id=event_id)
    return reviews


@lru_cache(maxsize=512)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def histories(event_id: int | None) -> Iterator[History]:
    """Each card's counted answers as dates in its learner's calendar, streamed in card order."""
    rows = (
        _counted_reviews(event_id)
        .order_by("card_id", "answered_at", "pk")
        .values_list("card_id", "answered_at", "rating", "learner__timezone")
        .iterator(chunk_size=5000)
    )
    card: int | None = None
    reviews: list[tuple[datetime.date, int]] = []
    for card_id, answered_at, rating, zone in rows:
        if card_id != card:
            if reviews:
                yield History(reviews=tuple(reviews))
            card, reviews = card_id, []
        reviews.append((answered_at.astimezone(_zone(zone)).date(), rating))
    if reviews:
        yield History(reviews=tuple(reviews))


def fit(event_id: int | None, *, now: datetime.datetime) -> SchedulerParameters | None:
    """Fit this scope's log, judge it against the set in force, and keep it; None when the log is
    too small to fit (fewer reviews or learners than the settings ask)."""
    size = _counted_reviews(event_id).aggregate(
        reviews=Count("pk"), learners=Count("learner_id", distinct=True)
    )
    if (
        size["reviews"] < settings.PRACTICE_FIT_MIN_REVIEWS
        or size["learners"] < settings.PRACTICE_FIT_MIN_LEARNERS
    ):
        return None
    items = fitting.items_of(histories(event_id))
    train, holdout = fitting.split(items)
    if not train or not holdout:
        return None
    started = time.monotonic()
    current = in_force(event_id)
    current_parameters = parameters_of(current) or fitting.DEFAULT_PARAMETERS
    fitted = fitting.fit(train)
    new, old = fitting.evaluate(fitted, holdout), fitting.evaluate(current_parameters, holdout)
    chosen = SchedulerParameters.objects.create(
        event_id=event_id,
        parameters=list(fitted),
        fitted_at=now,
        review_count=size["reviews"],
        learner_count=size["learners"],
        training_items=len(train),
        holdout_items=len(holdout),
        log_loss=new.log_loss,
        rmse_bins=new.rmse_bins,
        previous_log_loss=old.log_loss,
        previous_rmse_bins=old.rmse_bins,
        previous=current,
        calibration={"fitted": _bins(new), "previous": _bins(old)},
        # fsrs's scheduler must take the set too (its bounds are its own): else it is not adopted.
        adopted=new.better_than(old) and scheduling.usable(fitted),
        seconds=time.monotonic() - started,
    )
    logger.info(
        "scheduler fit",
        extra={
            "event_id": event_id,
            "reviews": size["reviews"],
            "adopted": chosen.adopted,
            "log_loss": new.log_loss,
            "previous_log_loss": old.log_loss,
        },
    )
    return chosen


def events_to_fit() -> list[int]:
    """Events whose cards' counted reviews are enough to fit on their own."""
    return list(
        _counted_reviews(None)
        .filter(card__event__isnull=False)
        .values("card__event_id")
        .annotate(reviews=Count("pk"), learners=Count("learner_id", distinct=True))
        .filter(
            reviews__gte=settings.PRACTICE_FIT_MIN_REVIEWS,
            learners__gte=settings.PRACTICE_FIT_MIN_LEARNERS,
        )
        .order_by("card__event_id")
        .values_list("card__event_id", flat=True)
    )


def fit_all(*, now: datetime.datetime) -> list[SchedulerParameters]:
    """The weekly fit: the workforce first (events are judged against what is in force after it)."""
    kept = [fit(None, now=now)]
    kept += [fit(event_id, now=now) for event_id in events_to_fit()]
    return [chosen for chosen in kept if chosen is not None]


def _bins(evaluation: Evaluation) -> list[dict]:
    return [asdict(b) for b in evaluation.bins]


def last_fits() -> list[SchedulerParameters]:
    """Every kept fit, newest first, with its event's title (the admin report's rows)."""
    return list(
        SchedulerParameters.objects.select_related("event").order_by(
            Coalesce("event_id", 0), "-fitted_at", "-pk"
        )
    )
