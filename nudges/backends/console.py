"""The quick-start's push backend: stores what would be sent (OutboxMessage, shown in the admin)
and logs one line per message. Every push "succeeds", with the outbox row as its message id."""

import datetime
import logging
from collections.abc import Sequence

from nudges.backends.base import Outcome, Push, PushBackend, payload
from nudges.models import OutboxMessage

logger = logging.getLogger("nudges.outbox")


class ConsoleBackend(PushBackend):
    def send(self, pushes: Sequence[Push], *, now: datetime.datetime) -> list[Outcome]:
        rows = OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    nudge_id=push.nudge_id,
                    device_id=push.device_id,
                    address=push.address,
                    payload=payload(push, now=now),
                )
                for push in pushes
            ]
        )
        for push, row in zip(pushes, rows, strict=True):
            logger.info(
                "outbox %s: push %s to %s device %s (%s…): %s — %s [%s]",
                row.pk,
                push.tag,
                push.platform,
                push.device_id,
                push.address[:12],
                push.title,
                push.body,
                push.deep_link,
            )
        return [Outcome.sent(f"outbox/{row.pk}") for row in rows]
