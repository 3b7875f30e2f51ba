"""Nudges' Celery tasks: thin, id-taking, safe to run twice (the claims in sending.py see to it)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cms.handoff import BROKER_DOWN, after_commit
from nudges import planning, purge, sending

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def plan(*, helping: bool = False) -> int:
    """Beat, every minute: plan nudges for learners due for a check.

    The beat's planner starts NUDGES_PLANNERS − 1 more on other workers; they share the due
    learners chunk by chunk (FOR UPDATE SKIP LOCKED) and each stops when none is left, so a
    morning with 100,000 learners due is planned in parallel and a quiet minute costs each
    helper one query.
    """
    if not helping:
        try:
            for _ in range(max(settings.NUDGES_PLANNERS, 1) - 1):
                plan.apply_async(kwargs={"helping": True}, expires=55)
        except BROKER_DOWN:
            logger.warning("Broker unreachable: this planner plans alone")
    return planning.plan_nudges(now=timezone.now()).planned


@shared_task(ignore_result=True)
def dispatch() -> int:
    """Beat, every minute: hand due nudges to sender tasks, at most 500 per task."""
    with transaction.atomic():
        batches = sending.dispatch_due(now=timezone.now())
        for ids in batches:
            # Nudges stay planned until a sender claims them: a batch the broker lost is handed
            # on again by the next minute's dispatch.
            after_commit(send_batch, ids, if_broker_down="sweep", sweep="the next dispatch")
    return len(batches)


@shared_task(acks_late=True, ignore_result=True)
def send_batch(nudge_ids: list[int]) -> None:
    sending.send(nudge_ids, now=timezone.now())


@shared_task(ignore_result=True)
def reap() -> int:
    """Beat: nudges left in `sending` by a worker that died go back to `planned`."""
    timeout = settings.NUDGES_SENDING_TIMEOUT  # seconds
    return sending.reap_stuck(now=timezone.now(), timeout=datetime.timedelta(seconds=timeout))


@shared_task(ignore_result=True)
def deactivate_stale_devices() -> int:
    return sending.deactivate_stale_devices(now=timezone.now())


@shared_task(ignore_result=True)
def purge_old_records() -> dict[str, int]:
    return purge.purge_old_records(now=timezone.now(), keep_days=settings.NUDGES_KEEP_DAYS)
