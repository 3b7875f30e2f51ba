"""Learning records out to the organisation's Learning Record Store, as xAPI statements.

Two streams go: the activity ledger (each row's `as_xapi()`) and the practice answers ("answered",
with success and duration). A beat task sends each stream in batches, in id order, from its
high-water mark (LrsCursor); the mark moves only when the LRS took the batch, so nothing is
skipped, and each statement's id is derived from its row, so a batch sent twice (the LRS answered
but we crashed before moving the mark) is stored once: an LRS keeps one statement per id. A
failure (the LRS down, refused credentials, a 5xx) leaves the mark and backs off, doubling from a
minute to an hour. Rows younger than SETTLE_SECONDS wait a tick: a transaction that took a lower
id may commit after a higher one, and the mark must not pass it by.

Settings: LRS_ENDPOINT (the xAPI base, e.g. https://lrs.example.com/xAPI), LRS_KEY and LRS_SECRET
(basic auth), LRS_XAPI_VERSION (the X-Experience-API-Version header); unset, nothing is sent.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from learning.models import Activity, LrsCursor, Review

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 60
BATCH = 200
TIMEOUT_SECONDS = 20
MAX_BACKOFF = datetime.timedelta(hours=1)
# Statement ids: uuid5 of the row under this namespace (stable, and unique across streams).
NAMESPACE = uuid.UUID("5b0cf2d4-5a0e-4c53-9f43-3f1d4c1a7e21")
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


class LrsError(Exception):
    pass


@dataclass(frozen=True)
class Stream:
    name: str
    rows: Callable[[], QuerySet]  # the stream's rows, with what the statements read
    statement: Callable[[Any], dict | None]


def configured() -> bool:
    return bool(settings.LRS_ENDPOINT)


def statement_id(stream: str, pk: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{stream}:{pk}"))


def _activity_statement(activity) -> dict | None:
    if not activity.learner.user.email:
        return None  # an erased person: no one to name (learning records identify by email)
    statement = activity.as_xapi()
    statement["id"] = statement_id("activities", activity.pk)
    return statement


def _answer_statement(answer) -> dict | None:
    user = answer.learner.user
    if not user.email:
        return None
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    card = answer.card
    result: dict = {"duration": f"PT{answer.response_ms / 1000:g}S"}
    if answer.correct is not None:
        result["success"] = answer.correct
    return {
        "id": statement_id("reviews", answer.pk),
        "actor": {
            "objectType": "Agent",
            "name": str(answer.learner),
            "mbox": f"mailto:{user.email}",
        },
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {
            "id": f"{base}/api/v1/modules/{card.module_id}#question-{card.block_id}",
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "name": {"en": card.module.title},
            },
        },
        "result": result,
        "timestamp": answer.answered_at.isoformat(),
        "context": {"extensions": {f"{base}/xapi/rating": answer.rating}},
    }


STREAMS = (
    Stream(
        "activities",
        lambda: Activity.objects.select_related("learner__user").order_by("pk"),
        _activity_statement,
    ),
    Stream(
        "reviews",
        lambda: Review.objects.select_related("learner__user", "card__module").order_by("pk"),
        _answer_statement,
    ),
)


def forward(*, now: datetime.datetime, session: requests.Session | None = None) -> dict[str, int]:
    """Send what each stream has beyond its mark, batch by batch; returns statements sent."""
    if not configured():
        return {}
    session = session or requests.Session()
    return {stream.name: _forward_stream(stream, now=now, session=session) for stream in STREAMS}


def _forward_stream(stream: Stream, *, now: datetime.datetime, session: requests.Session) -> int:
    sent = 0
    settled = now - datetime.timedelta(seconds=SETTLE_SECONDS)
    while True:
        with transaction.atomic():
            # One sender per stream at a time: a slow run and the next tick never overlap.
            LrsCursor.objects.get_or_create(stream=stream.name)
            cursor = LrsCursor.objects.select_for_update().get(stream=stream.name)
            if cursor.next_attempt_at is not None and now < cursor.next_attempt_at:
                return sent
            rows = list(
                stream.rows().filter(pk__gt=cursor.last_id, recorded_at__lte=settled)[:BATCH]
            )
            if not rows:
                return sent
            statements = [s for s in (stream.statement(r) for r in rows) if s is not None]
            try:
                if statements:
                    _post(session, statements)
            except LrsError as exc:
                _back_off(cursor, now=now, error=str(exc))
                return sent
            cursor.last_id = rows[-1].pk
            cursor.failures = 0
            cursor.next_attempt_at = None
            cursor.last_error = ""
            cursor.save()
            sent += len(statements)
        if len(rows) < BATCH:
            return sent


def _post(session: requests.Session, statements: Iterable[dict]) -> None:
    try:
        response = session.post(
            f"{settings.LRS_ENDPOINT.rstrip('/')}/statements",
            json=list(statements),
            auth=(settings.LRS_KEY, settings.LRS_SECRET),
            headers={"X-Experience-API-Version": settings.LRS_XAPI_VERSION},
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise LrsError(f"the LRS did not answer: {type(exc).__name__}") from exc
    if response.status_code in (200, 204):
        return
    if response.status_code == 409:
        # A statement with one of these ids is stored already (a batch sent twice): taken.
        logger.warning("The LRS had some of these statements already (409): moving on")
        return
    raise LrsError(f"the LRS answered {response.status_code}: {response.text[:150]}")


def _back_off(cursor: LrsCursor, *, now: datetime.datetime, error: str) -> None:
    cursor.failures += 1
    delay = min(datetime.timedelta(minutes=2 ** (cursor.failures - 1)), MAX_BACKOFF)
    cursor.next_attempt_at = now + delay
    cursor.last_error = error[:255]
    cursor.save()
    logger.warning(
        "Sending %s to the LRS failed (%d in a row), next try in %s: %s",
        cursor.stream,
        cursor.failures,
        delay,
        error,
    )
