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
            # Ids only: a push address and a nudge's words stay in the outbox (the admin's Push
            # outbox shows them to authors), never in a log (backend.logs).
            logger.info(
                "outbox %s: push %s to %s device %s [%s]",
                row.pk,
                push.tag,
                push.platform,
                push.device_id,
                push.deep_link,
            )
        return [Outcome.sent(f"outbox/{row.pk}") for row in rows]
