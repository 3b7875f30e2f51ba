"""Dispatch and send: planned nudges go out through the push backend, each at most once.

A nudge moves planned → sending in a committed transaction before any push leaves (the claim);
whatever happens after, it can only be handed back by `reap_stuck`, and a resend then carries the
same Android tag and apns-collapse-id, so the device replaces rather than repeats it.
"""

import datetime
import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Aggregate, F, JSONField, OuterRef, Subquery

from nudges.backends import Outcome, Push, PushBackend, Status, get_backend
from nudges.models import Delivery, Device, Nudge

if TYPE_CHECKING:
    from typing import TypeAlias, TypedDict

    from django_stubs_ext import WithAnnotations

    class _ClaimAnnotations(TypedDict):
        user_id: int
        nudges_enabled: bool | None  # None: the learner has no preferences row

    # A nudge as _claim returns it: its learner's user and nudge switch read in the same query.
    ClaimedNudge: TypeAlias = WithAnnotations[Nudge, _ClaimAnnotations]

logger = logging.getLogger(__name__)

# Retry back-off: BACKOFF_BASE × 2^(attempt−1), capped, with "equal jitter" (half fixed, half
# random) so a quota burst does not come back as one burst; never sooner than Retry-After.
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(minutes=30)
STALE_DEVICE_AFTER = datetime.timedelta(days=270)


@dataclass
class SendResult:
    claimed: int = 0  # nudges this call moved to `sending`
    sent: int = 0
    retrying: int = 0  # back to `planned` for a later attempt
    failed: int = 0
    expired: int = 0
    suppressed: int = 0
    pushes: int = 0  # messages handed to the backend
    devices_deactivated: int = 0


def max_attempts() -> int:
    return settings.NUDGES_MAX_ATTEMPTS


def dispatch_due(*, now: datetime.datetime, batch_size: int = 500) -> list[list[int]]:
    """Ids of planned nudges due at `now`, in batches for sender tasks; nudges whose moment has
    passed become `expired` instead. The caller enqueues (after its transaction commits)."""
    expired = Nudge.objects.filter(state=Nudge.State.PLANNED, expires_at__lt=now).update(
        state=Nudge.State.EXPIRED, last_error="Its moment passed before it could be sent."
    )
    if expired:
        logger.info("%d planned nudges expired unsent", expired)
    ids = list(
        Nudge.objects.filter(state=Nudge.State.PLANNED, planned_for__lte=now)
        .order_by("planned_for", "pk")
        .values_list("pk", flat=True)
    )
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def send(
    nudge_ids: Iterable[int], *, now: datetime.datetime, backend: PushBackend | None = None
) -> SendResult:
    """Claim the given nudges and push each to its learner's active devices.

    Nudges another worker claimed, or that are not due or no longer planned, are skipped:
    running this twice with the same ids sends nothing twice.
    """
    result = SendResult()
    nudges = _claim(sorted(set(nudge_ids)), now=now, result=result)
    if not nudges:
        return result
    backend = backend or get_backend()

    devices: dict[int, list[Device]] = defaultdict(list)
    for device in (
        Device.objects.filter(user_id__in={n.user_id for n in nudges}, active=True)
        .only("pk", "user_id", "platform", "fid", "token")
        .order_by("pk")
    ):
        devices[device.user_id].append(device)

    # Chunks of at most max_batch pushes that never split one nudge's devices, so each chunk's
    # nudges can be recorded as soon as the chunk is answered.
    chunk: list[tuple[Nudge, list[Push]]] = []
    size = 0
    for nudge in nudges:
        if nudge.nudges_enabled is False:  # turned off since it was planned
            _finish(nudge, Nudge.State.SUPPRESSED, "Nudges were turned off.", result)
            continue
        pushes = [_push(nudge, device) for device in devices.get(nudge.user_id, [])]
        if size + len(pushes) > backend.max_batch and chunk:
            _send_chunk(chunk, backend=backend, now=now, result=result)
            chunk, size = [], 0
        chunk.append((nudge, pushes))
        size += len(pushes)
    if chunk:
        _send_chunk(chunk, backend=backend, now=now, result=result)
    # Suppressed ones (and any chunk without pushes) were finished in memory only.
    suppressed = [n for n in nudges if n.state == Nudge.State.SUPPRESSED]
    if suppressed:
        _save_states(suppressed, now=now)
    return result


def _claim(ids: list[int], *, now: datetime.datetime, result: SendResult) -> "list[ClaimedNudge]":
    """planned → sending, committed before any push leaves. Rows locked by another claimer are
    skipped, and rows already `sending` no longer match: each nudge has exactly one owner."""
    if not ids:
        return []
    with transaction.atomic():
        mine: list[ClaimedNudge] = list(
            Nudge.objects.filter(
                pk__in=ids,
                state=Nudge.State.PLANNED,
                planned_for__lte=now,  # a retry backed off to later is not due yet
                expires_at__gte=now,
            )
            .annotate(
                user_id=F("learner__user_id"),
                nudges_enabled=F("learner__nudge_preferences__nudges_enabled"),
            )
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if mine:
            Nudge.objects.filter(pk__in=[n.pk for n in mine]).update(
                state=Nudge.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        if len(mine) < len(ids):
            result.expired += Nudge.objects.filter(
                pk__in=ids, state=Nudge.State.PLANNED, expires_at__lt=now
            ).update(
                state=Nudge.State.EXPIRED, last_error="Its moment passed before it could be sent."
            )
    for nudge in mine:
        nudge.state, nudge.claimed_at, nudge.attempts = Nudge.State.SENDING, now, nudge.attempts + 1
    result.claimed = len(mine)
    return mine


def _push(nudge: Nudge, device: Device) -> Push:
    return Push(
        nudge_id=nudge.pk,
        device_id=device.pk,
        platform=device.platform,
        fid=device.fid or None,
        token=None if device.fid else device.token,
        kind=nudge.kind,
        title=nudge.title,
        body=nudge.body,
        deep_link=nudge.deep_link,
        expires_at=nudge.expires_at,
    )


def _send_chunk(
    chunk: Sequence[tuple[Nudge, list[Push]]],
    *,
    backend: PushBackend,
    now: datetime.datetime,
    result: SendResult,
) -> None:
    pushes = [push for _, nudge_pushes in chunk for push in nudge_pushes]
    outcomes = backend.send(pushes, now=now) if pushes else []
    result.pushes += len(pushes)
    by_push = dict(zip(((p.nudge_id, p.device_id) for p in pushes), outcomes, strict=True))

    deliveries: list[Delivery] = []
    dead_devices: dict[int, str] = {}
    for nudge, nudge_pushes in chunk:
        answers = [by_push[(p.nudge_id, p.device_id)] for p in nudge_pushes]
        for push, outcome in zip(nudge_pushes, answers, strict=True):
            deliveries.append(_delivery(push, outcome))
            if outcome.status in (Status.UNREGISTERED, Status.INVALID_TOKEN):
                dead_devices[push.device_id] = outcome.error_code or outcome.status
        _decide(nudge, answers, now=now, result=result)

    with transaction.atomic():
        if deliveries:
            # A retried nudge meets its devices again: the latest answer per device wins.
            Delivery.objects.bulk_create(
                deliveries,
                update_conflicts=True,
                unique_fields=["nudge", "device"],
                update_fields=["state", "message_id", "error_code"],
            )
        for reason in set(dead_devices.values()):
            ids = [d for d, r in dead_devices.items() if r == reason]
            result.devices_deactivated += Device.objects.filter(pk__in=ids, active=True).update(
                active=False, deactivated_reason=reason
            )
        _save_states([nudge for nudge, _ in chunk], now=now)


def _save_states(nudges: Sequence[Nudge], *, now: datetime.datetime) -> None:
    """Write the nudges' new states set-based: one UPDATE per (state, reason), not per row.

    bulk_update() would build a CASE per row and field, which costs more than the pushes
    themselves; only retries (each with its own jittered time) are written row by row.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    retries = []
    for nudge in nudges:
        if nudge.state == Nudge.State.PLANNED:
            retries.append(nudge)
        else:
            groups[(nudge.state, nudge.last_error)].append(nudge.pk)
    for (state, reason), ids in groups.items():
        changes: dict[str, object] = {"state": state, "last_error": reason}
        if state == Nudge.State.SENT:
            changes["sent_at"] = now
            # The message ids were just written to the deliveries: let the database copy them.
            changes["provider_message_ids"] = Subquery(
                Delivery.objects.filter(nudge_id=OuterRef("pk"), state=Delivery.State.SENT)
                .values("nudge_id")
                .annotate(ids=_JSONArray("message_id"))
                .values("ids")
            )
        Nudge.objects.filter(pk__in=ids).update(**changes)
    if retries:
        Nudge.objects.bulk_update(retries, ["state", "planned_for", "claimed_at", "last_error"])


class _JSONArray(Aggregate):
    """The values as a JSON array: jsonb_agg on PostgreSQL, json_group_array on SQLite."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _delivery(push: Push, outcome: Outcome) -> Delivery:
    assert push.nudge_id is not None  # the sender pushes nudges; only the admin's test has none
    state = {
        Status.SENT: Delivery.State.SENT,
        Status.UNREGISTERED: Delivery.State.UNREGISTERED,
        Status.INVALID_TOKEN: Delivery.State.UNREGISTERED,
    }.get(outcome.status, Delivery.State.FAILED)
    return Delivery(
        nudge_id=push.nudge_id,
        device_id=push.device_id,
        state=state,
        message_id=outcome.message_id[:255],
        error_code=outcome.error_code[:64],
    )


def _decide(
    nudge: Nudge, outcomes: list[Outcome], *, now: datetime.datetime, result: SendResult
) -> None:
    """The nudge's state from its devices' answers: sent if any device got it (the learner has
    seen it; retrying the others could only repeat it), else retried if any failure is
    temporary and attempts remain, else failed with the reason."""
    if not outcomes:
        _finish(nudge, Nudge.State.FAILED, "No active device.", result)
        return
    sent = [o for o in outcomes if o.status == Status.SENT]
    problems = sorted({o.error_code or o.status for o in outcomes if o.status != Status.SENT})
    if sent:
        nudge.state = Nudge.State.SENT
        nudge.sent_at = now
        nudge.provider_message_ids = [o.message_id for o in sent]
        nudge.last_error = (
            f"Not delivered to every device: {', '.join(problems)}"[:255] if problems else ""
        )
        result.sent += 1
        return
    retryable = [o for o in outcomes if o.status == Status.RETRYABLE]
    if not retryable:
        _finish(nudge, Nudge.State.FAILED, ", ".join(problems), result)
        return
    reason = ", ".join(sorted({o.error_code for o in retryable}))
    if nudge.attempts >= max_attempts():
        _finish(
            nudge, Nudge.State.FAILED, f"{reason} (gave up after {nudge.attempts} attempts)", result
        )
        return
    retry_after = max((o.retry_after or 0.0 for o in retryable), default=0.0)
    planned_for = now + backoff(nudge.attempts, retry_after=retry_after)
    if planned_for > nudge.expires_at:
        _finish(nudge, Nudge.State.EXPIRED, f"{reason}; its moment passed before a retry", result)
        return
    nudge.state = Nudge.State.PLANNED
    nudge.planned_for = planned_for
    nudge.claimed_at = None
    nudge.last_error = f"{reason} (attempt {nudge.attempts})"
    result.retrying += 1


def _finish(nudge: Nudge, state: Nudge.State, reason: str, result: SendResult) -> None:
    nudge.state = state
    nudge.last_error = reason[:255]
    field = {
        Nudge.State.FAILED: "failed",
        Nudge.State.EXPIRED: "expired",
        Nudge.State.SUPPRESSED: "suppressed",
    }[state]
    setattr(result, field, getattr(result, field) + 1)


def backoff(
    attempts: int, *, retry_after: float = 0.0, rng: random.Random | None = None
) -> datetime.timedelta:
    """How long to wait before attempt `attempts + 1`: exponential with jitter, ≥ Retry-After."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    jittered = ceiling / 2 + (ceiling / 2) * (rng or random).random()
    return max(jittered, datetime.timedelta(seconds=retry_after))


def reap_stuck(*, now: datetime.datetime, timeout: datetime.timedelta) -> int:
    """Hand back nudges left in `sending` by a worker that died: the only way one is resent.

    The timeout must exceed the longest a send can take (the task's hard time limit), or a live
    worker's nudge could be sent twice. One whose attempts are used up fails instead.
    """
    stuck = Nudge.objects.filter(state=Nudge.State.SENDING, claimed_at__lt=now - timeout)
    gave_up = stuck.filter(attempts__gte=max_attempts()).update(
        state=Nudge.State.FAILED, last_error="Stuck in sending; attempts used up."
    )
    reaped = stuck.update(state=Nudge.State.PLANNED, claimed_at=None)
    if reaped or gave_up:
        logger.warning("reaped %d nudges stuck in sending (%d failed)", reaped, gave_up)
    return reaped


def deactivate_stale_devices(*, now: datetime.datetime) -> int:
    """Devices not seen for 270 days: FCM considers such tokens stale, and so do we."""
    return Device.objects.filter(active=True, last_seen_at__lt=now - STALE_DEVICE_AFTER).update(
        active=False, deactivated_reason="Not seen for 270 days."
    )
