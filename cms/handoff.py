"""Handing work to the broker once a transaction commits, so that a broker outage loses nothing.

Every hand-off from a request or a task to Celery goes through `after_commit`. A broker that is
down must neither fail a request whose transaction has committed nor lose the work, so each
hand-off says what happens instead:

- "inline": run the task here and now; for small work someone is waiting for (a password link);
- "sweep": leave it to a task on beat that finds the work that should have happened and does it,
  named at the call (an event's audience: learning's reconcile_enrolments; a due nudge's send:
  the next minute's dispatch, which hands on every nudge still planned).

We chose sweeps over a transactional outbox: the work they redo is idempotent and set-based
already (enrolling an audience enrols nobody twice; sending claims each nudge), so finding what
is missing repairs every lost hand-off, including those from before a deploy, with no relay and
no table; the cost is a delay of up to one sweep.
"""

import logging
from typing import Literal

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What Celery raises when it cannot publish: kombu's wrapper, or the socket's own error where a
# retry policy gives up on a refused connection.
BROKER_DOWN = (OperationalError, OSError)


def after_commit(task: Task, *args, if_broker_down: Literal["inline", "sweep"], sweep: str = ""):
    """Enqueue `task(*args)` once the current transaction commits (at once outside one)."""

    def hand_off() -> None:
        try:
            task.delay(*args)
        except Exception as exc:
            # The transaction has committed: whatever the publish raised, the request stands.
            if not isinstance(exc, BROKER_DOWN):
                logger.exception("Publishing %s failed", task.name)
            if if_broker_down == "inline":
                logger.warning("Broker unreachable: running %s here instead", task.name)
                task.apply(args=args, throw=True)
            else:
                logger.warning(
                    "Broker unreachable: %s is left to %s", task.name, sweep or "its sweep"
                )

    transaction.on_commit(hand_off)
