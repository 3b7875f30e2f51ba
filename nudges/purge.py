"""Retention: push payloads and delivery rows are kept NUDGES_KEEP_DAYS, then purged (beat, daily).

An outbox row holds a device's push address and the words sent to a person; a delivery row ties a
nudge to a device. Neither is needed once the nudge analytics' longest period has passed. Deleted
in batches by primary key, so no delete holds locks on a large table for long; the nudges
themselves stay (analytics and the learner's own history count them).
"""

import datetime
import logging

from django.db.models import Model

from nudges.models import Delivery, OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 5000


def purge_old_records(*, now: datetime.datetime, keep_days: int) -> dict[str, int]:
    cutoff = now - datetime.timedelta(days=keep_days)
    purged = {
        "outbox messages": _purge(OutboxMessage, cutoff),
        "deliveries": _purge(Delivery, cutoff),
    }
    if any(purged.values()):
        logger.info("Purged records older than %d days: %s", keep_days, purged)
    return purged


def _purge(model: type[Model], cutoff: datetime.datetime) -> int:
    total = 0
    while True:
        ids = list(
            model._default_manager.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return total
        total += model._default_manager.filter(pk__in=ids).delete()[0]
