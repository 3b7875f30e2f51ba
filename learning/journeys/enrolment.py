"""Enrolment in change events: who an event is for, enrolling its audience, withdrawing people who
moved out of it, onboarding journeys following a changed start date, and journeys following their
event (a new date moves them, unpublishing ends them, publishing again resumes them). Only active
accounts are enrolled. Every function is safe to run any number of times.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from cms.models import ChangeEvent
from learning.changes import enrolments_withdrawn, journey_dates_moved, learner_changed
from learning.journeys.sql import IdIn
from learning.models import EndReason, Enrollment, Learner

logger = logging.getLogger(__name__)


def audience_q(event: ChangeEvent, *, today: datetime.date) -> Q | None:
    """Learners an event is for, as a filter; None when it is for nobody."""
    audience = _members_q(event)
    if audience is None:
        return None
    if event.anchors_on_start_date:
        # Onboarding is for people still onboarding: publishing it must not enrol the whole
        # workforce with every step overdue.
        since = today - datetime.timedelta(days=settings.MICROMOMENTS_ONBOARDING_WINDOW_DAYS)
        audience &= Q(start_date__gte=since)
    return audience


def _members_q(event: ChangeEvent) -> Q | None:
    """Learners an event's audience names (everyone, or its role and team rules), whatever the
    date: an onboarding window that closes withdraws nobody."""
    if event.audience_everyone:
        audience = Q()
    else:
        rules = [
            Q(
                **{
                    k: v
                    for k, v in (("role__iexact", r.role.strip()), ("team__iexact", r.team.strip()))
                    if v
                }
            )
            for r in event.audience_rules.all()
        ]
        if not rules:
            return None
        audience = rules[0]
        for rule in rules[1:]:
            audience |= rule
    return audience


def _enrol(event: ChangeEvent, learners: Iterable[Learner]) -> int:
    rows = [
        Enrollment(
            learner=learner,
            event=event,
            # An onboarding audience has start dates (audience_q filters on them).
            anchor_date=cast(
                datetime.date,
                learner.start_date if event.anchors_on_start_date else event.date,
            ),
        )
        for learner in learners
    ]
    # ignore_conflicts on (learner, event): enrolling twice enrols nobody twice.
    created = Enrollment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    # New steps may need nudges.
    learner_changed(row.learner_id for row in rows)
    return len(created) if rows else 0


def enrol_audience(event_id: int, *, today: datetime.date) -> int:
    """Enrol a live event's whole audience; safe to run any number of times. Returns rows attempted."""
    event = (
        ChangeEvent.objects.filter(pk=event_id, live=True)
        .prefetch_related("audience_rules")
        .first()
    )
    if event is None:
        return 0
    audience = audience_q(event, today=today)
    if audience is None:
        return 0
    already = Enrollment.objects.filter(event=event).values("learner_id")
    learners = (
        Learner.objects.active().filter(audience).exclude(pk__in=already).only("pk", "start_date")
    )
    return _enrol(event, learners.iterator(chunk_size=2000))


def reconcile(*, today: datetime.date) -> int:
    """Enrol each live event's missing audience (as publishing does); returns the enrolments made.
    A hand-off to the broker that was lost (cms.handoff) is made good here."""
    made = 0
    for event_id in (
        ChangeEvent.objects.filter(live=True).order_by("pk").values_list("pk", flat=True)
    ):
        enrolled = enrol_audience(event_id, today=today)
        if enrolled:
            logger.warning("Reconciliation enrolled %d missing in event %d", enrolled, event_id)
        made += enrolled
    return made


def enrol_in_matching_events(learner_ids: list[int], *, today: datetime.date) -> int:
    """Enrol these (new or changed) learners in every live event whose audience they match; an
    enrolment they were withdrawn from resumes. Two queries per live event, whatever the number
    of learners.

    Onboarding enrolments follow a changed start date.
    """
    total = 0
    events = list(ChangeEvent.objects.filter(live=True).prefetch_related("audience_rules"))
    for event in events:
        audience = audience_q(event, today=today)
        if audience is None:
            continue
        learners = Learner.objects.active().filter(audience, IdIn(F("pk"), learner_ids))
        total += _enrol(event, learners.only("pk", "start_date"))
        # Back in the audience after a move out of it: the same row, with its history, resumes.
        resumed = Enrollment.objects.filter(
            event=event, end_reason=EndReason.WITHDRAWN, learner__in=learners.values("pk")
        ).update(ended_at=None, end_reason="")
        total += resumed
    if any(event.anchors_on_start_date for event in events):
        _reanchor_onboarding(learner_ids)
    return total


def withdraw_from_unmatched_events(learner_ids: list[int], *, now: datetime.datetime) -> int:
    """End, as withdrawn, these learners' current enrolments in live events whose audience no
    longer names them (a new role or team). Two queries per live event, whatever the number of
    learners; the rows stay, shown as withdrawn, and the apps above hear of them (nudges drops the
    planned nudges about their steps)."""
    withdrawn: list[tuple[int, int]] = []
    for event in ChangeEvent.objects.filter(live=True).prefetch_related("audience_rules"):
        members = _members_q(event)
        leaving = Enrollment.objects.current().filter(
            IdIn(F("learner_id"), learner_ids), event=event
        )
        if members is not None:
            leaving = leaving.exclude(learner__in=Learner.objects.filter(members).values("pk"))
        rows = list(leaving.values_list("pk", "learner_id"))
        if rows:
            Enrollment.objects.current().filter(IdIn(F("pk"), [pk for pk, _ in rows])).update(
                ended_at=now, end_reason=EndReason.WITHDRAWN
            )
            withdrawn += [(learner_id, event.pk) for _, learner_id in rows]
    enrolments_withdrawn(withdrawn, now=now)
    return len(withdrawn)


def follow_audiences(learner_ids: list[int], *, now: datetime.datetime) -> None:
    """These learners' role or team changed: enrol them where the audience now names them and
    withdraw them where it no longer does."""
    if learner_ids:
        withdraw_from_unmatched_events(learner_ids, now=now)
        enrol_in_matching_events(learner_ids, today=timezone.localdate(now))


def _reanchor_onboarding(learner_ids: list[int]) -> None:
    """Onboarding enrolments follow their learner's (changed) start date: one UPDATE for all."""
    start_date = Learner.objects.filter(pk=OuterRef("learner_id")).values("start_date")[:1]
    Enrollment.objects.filter(
        learner_id__in=learner_ids,
        event__kind=ChangeEvent.Kind.ONBOARDING,
        learner__start_date__isnull=False,
    ).exclude(anchor_date=F("learner__start_date")).update(anchor_date=Subquery(start_date))


@dataclass(frozen=True)
class EventFollowed:
    resumed: int  # enrolments its unpublishing had ended
    moved: int  # enrolments re-anchored on its new date


def follow_published_event(event: ChangeEvent, *, now: datetime.datetime) -> EventFollowed:
    """A change event was published (a new revision, or a scheduled one going live): what its
    unpublishing ended resumes, and, unless it anchors on start dates, every current enrolment
    moves to its date in one UPDATE; the apps above hear which moved (nudges cancels the planned
    nudges about their steps) and the planner looks at them again. A fixed number of queries,
    however many people it moves. Enrolling the rest of its audience is the enrolment task's."""
    resumed_rows = Enrollment.objects.filter(
        event=event, end_reason=EndReason.EVENT_ENDED, learner__user__is_active=True
    )
    resumed = list(resumed_rows.values_list("learner_id", flat=True))
    if resumed:
        resumed_rows.update(ended_at=None, end_reason="")
    moved: list[int] = []
    if not event.anchors_on_start_date and event.date is not None:
        moving = Enrollment.objects.current().filter(event=event).exclude(anchor_date=event.date)
        moved = list(moving.values_list("learner_id", flat=True))
        if moved:
            moving.update(anchor_date=event.date)
            journey_dates_moved([(learner_id, event.pk) for learner_id in moved], now=now)
    learner_changed(resumed + moved)
    return EventFollowed(len(resumed), len(moved))


def end_unpublished_event(event: ChangeEvent, *, now: datetime.datetime) -> int:
    """A change event was unpublished or expired: its current enrolments end (kept for history,
    resumed if it is published again) and the apps above hear of them (nudges drops the planned
    nudges about their steps). Returns the number ended."""
    ending = Enrollment.objects.current().filter(event=event)
    learner_ids = list(ending.values_list("learner_id", flat=True))
    if learner_ids:
        ending.update(ended_at=now, end_reason=EndReason.EVENT_ENDED)
        enrolments_withdrawn([(learner_id, event.pk) for learner_id in learner_ids], now=now)
        learner_changed(learner_ids)
    return len(learner_ids)
