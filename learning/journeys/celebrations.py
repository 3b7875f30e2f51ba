"""Moments of glory: a journey's last step done, a step confirmed (and a week of practice, found by
learning.practice.streaks). Each is recorded once (learning.models.Celebration), appears once in
the learner's today feed, and the nudge planner may tell them in their next window."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from learning.journeys.states import DONE, journey_states, live_enrollments
from learning.models import Activity, Celebration, Enrollment, Learner, display_name

FEED_LIMIT = 3  # celebrations shown in one feed; the rest wait for the next


def celebrate_confirmation(activity: Activity, confirmer, *, now: datetime.datetime) -> None:
    step = activity.step.title if activity.step else activity.title
    Celebration.objects.record(
        [
            Celebration(
                learner_id=activity.learner_id,
                kind=Celebration.Kind.CONFIRMED,
                key=f"confirmed:{activity.pk}",
                title=f"Confirmed: {step}"[:200],
                detail=f"{display_name(confirmer)} confirmed “{step}”."[:300],
                achieved_at=now,
            )
        ]
    )
    celebrate_finished_journeys([activity.learner_id], now=now)


def celebrate_finished_journeys(learner_ids: Iterable[int], *, now: datetime.datetime) -> None:
    """Record a celebration for each of these learners' current journeys whose every step is done
    (once per journey). A fixed number of queries."""
    ids = list(dict.fromkeys(learner_ids))
    if not ids:
        return
    enrollments = list(live_enrollments(Enrollment.objects.current().filter(learner_id__in=ids)))
    Celebration.objects.record(
        [
            Celebration(
                learner_id=journey.enrollment.learner_id,
                kind=Celebration.Kind.JOURNEY_DONE,
                key=f"journey:{journey.enrollment.pk}",
                title=f"{journey.enrollment.event.name}: journey complete"[:200],
                detail=f"All {len(journey.steps)} steps done."[:300],
                achieved_at=now,
            )
            for journey in journey_states(enrollments, now=now)
            if journey.steps and all(s.state == DONE for s in journey.steps)
        ]
    )


def on_progress(activities: list[Activity]) -> None:
    """For the module_completed and step_done rows a batch accepted: a journey may be finished."""
    celebrate_finished_journeys({a.learner_id for a in activities}, now=timezone.now())


def unshown(learner: Learner) -> QuerySet[Celebration]:
    return Celebration.objects.filter(learner=learner, shown_at__isnull=True).order_by(
        "achieved_at", "pk"
    )


def take_for_feed(learner: Learner, *, now: datetime.datetime) -> list[Celebration]:
    """The celebrations not yet shown (the oldest few), marked shown: each appears in one feed."""
    rows = list(unshown(learner)[:FEED_LIMIT])
    if rows:
        Celebration.objects.filter(pk__in=[r.pk for r in rows], shown_at__isnull=True).update(
            shown_at=now
        )
    return rows
