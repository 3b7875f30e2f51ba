"""Demo nudges for `seed_demo`: phones for the demo people and four weeks of nudge history.

The history is written as the sender would have left it (nudges, their deliveries, the console
backend's outbox), so the authors' nudge analytics and the push outbox have something to show:
opens that differ by window and kind, a couple of failed and expired nudges, and two old phones
whose tokens FCM reported UNREGISTERED. Deterministic: keys come from names and dates, plans and a
low-discrepancy sequence decide windows, kinds and opens, and a random.Random seeded with each
nudge's key picks its wording. Loading again adds nothing (a later day adds that day's history).
The nudges go in through the planner's write (plan_data.write), then get the sender's outcome.
"""

import datetime
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict, cast

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from cms.models import ChangeEvent, JourneyStep
from learning.models import Enrollment, Learner
from nudges import dedupe, plan_data, texts
from nudges.backends.base import Push, payload
from nudges.devices import register_device
from nudges.models import Delivery, Device, Nudge, NudgePreferences, OutboxMessage, Platform
from nudges.preferences import update_preferences
from nudges.windows import to_utc

HISTORY_DAYS = 27


class _DemoWindow(TypedDict):
    days: list[int]
    start: str
    end: str


DEMO_WINDOWS: list[_DemoWindow] = [
    {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "08:40"},
    {"days": [0, 1, 2, 3, 4], "start": "12:30", "end": "13:00"},
    {"days": [0, 1, 2, 3, 4], "start": "17:30", "end": "18:10"},
]
# How likely a nudge is opened: the window's odds (the morning commute works best) times the kind's.
WINDOW_ODDS = {"08:00-08:40": 0.72, "12:30-13:00": 0.45, "17:30-18:10": 0.22}
KIND_FACTOR = {
    Nudge.Kind.PRACTICE_DUE: 1.0,
    Nudge.Kind.STEP_UNLOCKED: 1.15,
    Nudge.Kind.DEADLINE: 1.3,
    Nudge.Kind.REENGAGE: 0.45,
    Nudge.Kind.WEEKLY_DIGEST: 1.0,
    Nudge.Kind.CONFIRMATION: 1.4,
    Nudge.Kind.CELEBRATION: 1.2,
}
# The buddy (of Lee and Sam): every third weekday's first nudge told them a step waited.
BUDDY = "demo-learner5"
# Which windows each weekday's nudges go in (indexes into DEMO_WINDOWS), and the learners' kinds
# in turn: each window gets as many nudges, practice comes most often.
WINDOW_PLAN = ((0, 2), (1,), (0, 1), (2,), (1, 2), (0,))
KIND_PLAN = (
    Nudge.Kind.PRACTICE_DUE,
    Nudge.Kind.STEP_UNLOCKED,
    Nudge.Kind.PRACTICE_DUE,
    Nudge.Kind.DEADLINE,
    Nudge.Kind.PRACTICE_DUE,
    Nudge.Kind.STEP_UNLOCKED,
    Nudge.Kind.REENGAGE,
    Nudge.Kind.PRACTICE_DUE,
    Nudge.Kind.CELEBRATION,
)
GOLDEN = 0.6180339887498949  # steps of the golden ratio spread draws evenly over [0, 1)
TOPICS = ("Refunds", "The billing engine", "Smart meter readings", "Tariff changes")
# Positions in each person's history (oldest first) that went wrong, so every load shows some.
FAILED_AT = (4, 17)
EXPIRED_AT = (9, 23)


@dataclass(frozen=True)
class DemoDevice:
    name: str
    platform: str
    app_version: str
    gone_days_ago: int | None = None  # FCM answers UNREGISTERED from then on (the app is gone)


PEOPLE = {
    "demo-learner": (
        DemoDevice("pixel", Platform.ANDROID, "3.4.1"),
        DemoDevice("old-iphone", Platform.IOS, "3.1.0", gone_days_ago=9),
    ),
    "demo-learner2": (
        DemoDevice("galaxy", Platform.ANDROID, "3.4.1"),
        DemoDevice("old-android", Platform.ANDROID, "2.9.0", gone_days_ago=20),
    ),
    "demo-learner5": (DemoDevice("iphone", Platform.IOS, "3.4.1"),),
    "demo-manager": (DemoDevice("iphone", Platform.IOS, "3.4.0"),),
}


def _fid(username: str, device: DemoDevice) -> str:
    return f"demo-{username}-{device.name}"


@transaction.atomic
def load_demo_nudges(*, now: datetime.datetime) -> str:
    learners = {
        learner.user.username: learner
        for learner in Learner.objects.filter(user__username__in=PEOPLE).select_related("user")
    }
    # Looked up by fid, so none of these has a null one.
    devices: dict[str, Device] = {
        cast(str, d.fid): d for d in Device.objects.filter(fid__in=_all_fids(learners))
    }
    fresh: set[str] = set()  # devices registered by this load: only their history is written
    for username, learner in learners.items():
        if not NudgePreferences.objects.filter(learner=learner).exists():
            update_preferences(learner, {"windows": DEMO_WINDOWS}, now=now)
        for spec in PEOPLE[username]:
            fid = _fid(username, spec)
            if fid not in devices:
                devices[fid] = register_device(
                    learner.user,
                    fid=fid,
                    platform=spec.platform,
                    app_version=spec.app_version,
                    locale="en-GB",
                    now=now - datetime.timedelta(days=HISTORY_DAYS + 5),
                ).device
                fresh.add(fid)

    drafts = [draft for learner in learners.values() for draft in _history(learner, now=now)]
    new = _write(drafts)
    deliveries = _deliveries(new, devices=devices, fresh=fresh, now=now)
    # What the sender would have written on each: its state, attempts, times and message ids.
    Nudge.objects.bulk_update([d.nudge for d in new], _SENDERS_COLUMNS)
    Delivery.objects.bulk_create(deliveries)
    outbox = OutboxMessage.objects.bulk_create(
        [_outbox(d) for d in deliveries if d.state == Delivery.State.SENT]
    )
    # auto_now_add stamped them with the load's time; the history wants the send's.
    sent_at = Nudge.objects.filter(pk=OuterRef("nudge_id")).values(
        at=Coalesce("sent_at", "claimed_at")
    )[:1]
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(created_at=Subquery(sent_at))
    OutboxMessage.objects.filter(pk__in=[m.pk for m in outbox]).update(created_at=Subquery(sent_at))
    # As the sender does on UNREGISTERED: the device gets no more pushes.
    gone = [d.device_id for d in deliveries if d.state == Delivery.State.UNREGISTERED]
    Device.objects.filter(pk__in=gone).update(active=False, deactivated_reason="UNREGISTERED")
    names = ", ".join(sorted(learners)) or "nobody (no demo learners)"
    return f"nudges: {len(new)} new in the history of {names}; {len(fresh)} new devices"


def _all_fids(learners: dict[str, Learner]) -> list[str]:
    return [_fid(username, spec) for username in learners for spec in PEOPLE[username]]


@dataclass
class _Draft:
    nudge: Nudge
    opened: bool
    username: str


_SENDERS_COLUMNS = [
    "state",
    "attempts",
    "claimed_at",
    "sent_at",
    "opened_at",
    "provider_message_ids",
    "last_error",
]


def _write(drafts: list[_Draft]) -> list[_Draft]:
    """Insert the nudges as the planner does; returns the drafts this load wrote, their nudges
    now carrying their ids. Keys an earlier load wrote are left out first: a conflicting insert
    would still use up ids, and a reload would move every later nudge's id (and its payloads')."""
    existing = set(
        Nudge.objects.filter(dedupe_key__in=[d.nudge.dedupe_key for d in drafts]).values_list(
            "dedupe_key", flat=True
        )
    )
    written = plan_data.write(
        [
            plan_data.Draft(**{name: getattr(d.nudge, name) for name in plan_data.Draft.__slots__})
            for d in drafts
            if d.nudge.dedupe_key not in existing
        ]
    )
    ids = dict(
        Nudge.objects.filter(pk__in=[pk for pk, _ in written]).values_list("dedupe_key", "pk")
    )
    new = [d for d in drafts if d.nudge.dedupe_key in ids]
    for draft in new:
        draft.nudge.pk = ids[draft.nudge.dedupe_key]
    return new


def _history(learner: Learner, *, now: datetime.datetime) -> list[_Draft]:
    """One person's nudges over the last HISTORY_DAYS local days (weekdays; a manager's digest
    on Mondays), oldest first. Windows and kinds follow fixed plans, so every chart has bars;
    opens follow a low-discrepancy sequence, so each window's rate lands near its odds."""
    username, tz = learner.user.username, learner.tz
    today = now.astimezone(tz).date()
    steps = _steps(learner)
    is_manager = username == "demo-manager"
    person = sorted(PEOPLE).index(username)
    drafts: list[_Draft] = []
    per_window: dict[str, int] = {}
    weekdays = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - datetime.timedelta(days=days_ago)
        if day.weekday() >= 5 or (is_manager and day.weekday() != 0):
            continue
        plan = (0,) if is_manager else WINDOW_PLAN[(weekdays + 3 * person) % len(WINDOW_PLAN)]
        weekdays += 1
        for window in (DEMO_WINDOWS[i] for i in plan):
            label = f"{window['start']}-{window['end']}"
            key = dedupe.demo(username, day, label)
            rng = random.Random(key)
            if is_manager:
                kind = Nudge.Kind.WEEKLY_DIGEST
            elif username == BUDDY and weekdays % 3 == 0 and window is DEMO_WINDOWS[plan[0]]:
                kind = Nudge.Kind.CONFIRMATION
            else:
                kind = KIND_PLAN[len(drafts) % len(KIND_PLAN)] if steps else Nudge.Kind.PRACTICE_DUE
            text = _text(kind, rng=rng, steps=steps, locale=learner.locale)
            start = datetime.time.fromisoformat(window["start"])
            planned = to_utc(day, start, tz) + datetime.timedelta(minutes=rng.randrange(0, 12))
            nudge = Nudge(
                learner=learner,
                kind=kind,
                dedupe_key=key,
                title=text.title,
                body=text.body,
                deep_link=text.deep_link,
                window=label,
                planned_for=planned,
                expires_at=to_utc(day, datetime.time.fromisoformat(window["end"]), tz),
            )
            per_window[label] = n = per_window.get(label, 0) + 1
            draw = (n * GOLDEN + person / len(PEOPLE)) % 1
            opened = draw < WINDOW_ODDS[label] * KIND_FACTOR[kind]
            drafts.append(_Draft(nudge, opened=opened, username=username))
    for position, draft in enumerate(drafts):
        _settle(draft, position=position, rng=random.Random(draft.nudge.dedupe_key + ":fate"))
    return drafts


def _settle(draft: _Draft, *, position: int, rng: random.Random) -> None:
    """The state the sender left the nudge in."""
    nudge = draft.nudge
    if position in EXPIRED_AT:
        nudge.state, nudge.last_error = (
            Nudge.State.EXPIRED,
            "Its moment passed before it could be sent.",
        )
        return
    nudge.claimed_at = nudge.planned_for
    if position in FAILED_AT:
        nudge.state, nudge.attempts = Nudge.State.FAILED, 5
        nudge.last_error = "QUOTA_EXCEEDED (gave up after 5 attempts)"
        return
    nudge.state, nudge.attempts = Nudge.State.SENT, 1
    nudge.sent_at = nudge.planned_for + datetime.timedelta(seconds=2)
    if draft.opened:
        nudge.opened_at = nudge.sent_at + datetime.timedelta(minutes=rng.randrange(1, 90))


def _steps(learner: Learner) -> list[tuple[Enrollment, JourneyStep, int, int]]:
    """The learner's onboarding steps (enrolment, step, position, total), for the step texts."""
    enrollment = (
        Enrollment.objects.filter(learner=learner, event__kind=ChangeEvent.Kind.ONBOARDING)
        .select_related("event")
        .first()
    )
    if enrollment is None:
        return []
    steps = list(enrollment.event.steps.order_by("sort_order"))
    return [(enrollment, step, i + 1, len(steps)) for i, step in enumerate(steps)]


def _text(kind: str, *, rng: random.Random, steps, locale: str) -> texts.Text:
    builders: dict[str, Callable[[], texts.Text]] = {
        Nudge.Kind.PRACTICE_DUE: lambda: texts.practice_due(
            questions=rng.randint(2, 5), topic=rng.choice(TOPICS), other_topics=0, locale=locale
        ),
        Nudge.Kind.WEEKLY_DIGEST: lambda: texts.weekly_digest(
            reports=2, drifting=rng.randint(0, 1), overdue_steps=rng.randint(0, 3), locale=locale
        ),
        Nudge.Kind.CELEBRATION: lambda: texts.celebration(
            title=rng.choice(("Confirmed: Process five refunds", "A week of practice")),
            detail=rng.choice(("Morgan Manager confirmed it.", "You practised every day.")),
            locale=locale,
        ),
        Nudge.Kind.CONFIRMATION: lambda: texts.confirmation_waiting(
            count=rng.randint(1, 2),
            learner=rng.choice(("Lee", "Sam")),
            step=rng.choice(("Meet your buddy", "Handle three password resets")),
            locale=locale,
        ),
    }
    if kind in builders:
        return builders[kind]()
    enrollment, step, position, total = rng.choice(steps)
    where = {
        "step": step.title,
        "event": enrollment.event.name,
        "position": position,
        "total": total,
        "journey_id": enrollment.pk,
        "step_id": step.pk,
        "locale": locale,
    }
    if kind == Nudge.Kind.STEP_UNLOCKED:
        return texts.step_unlocked(minutes=rng.choice((None, 3, 4)), **where)
    if kind == Nudge.Kind.DEADLINE:
        return texts.deadline(due_today=False, **where)
    return texts.reengage(
        open_steps=rng.randint(2, 4),
        event=where["event"],
        journey_id=enrollment.pk,
        step_id=step.pk,
        locale=locale,
    )


def _deliveries(
    drafts: list[_Draft], *, devices: dict[str, Device], fresh: set[str], now: datetime.datetime
) -> list[Delivery]:
    """What FCM answered per device (oldest nudge first); sets each sent nudge's message ids.

    A gone device answers UNREGISTERED once, then gets nothing; a device an earlier load
    registered is left as it is (its history is already there).
    """
    told: set[str] = set()
    rows: list[Delivery] = []
    for draft in sorted(drafts, key=lambda d: d.nudge.planned_for):
        nudge = draft.nudge
        if nudge.state == Nudge.State.EXPIRED:
            continue
        mine = []
        for spec in PEOPLE[draft.username]:
            fid = _fid(draft.username, spec)
            device = devices[fid]
            if spec.gone_days_ago is not None and nudge.planned_for >= now - datetime.timedelta(
                days=spec.gone_days_ago
            ):
                if fid in fresh and fid not in told:
                    told.add(fid)
                    state, error = Delivery.State.UNREGISTERED, "UNREGISTERED"
                else:
                    continue
            elif nudge.state == Nudge.State.FAILED:
                state, error = Delivery.State.FAILED, "QUOTA_EXCEEDED"
            else:
                state, error = Delivery.State.SENT, ""
            message_id = (
                f"projects/brightwave-demo/messages/{zlib.crc32(f'{nudge.dedupe_key}:{fid}'.encode())}"
                if state == Delivery.State.SENT
                else ""
            )
            mine.append(
                Delivery(
                    nudge=nudge, device=device, state=state, message_id=message_id, error_code=error
                )
            )
        if nudge.state == Nudge.State.SENT:
            nudge.provider_message_ids = [d.message_id for d in mine if d.message_id]
        rows.extend(mine)
    return rows


def _outbox(delivery: Delivery) -> OutboxMessage:
    nudge, device = delivery.nudge, delivery.device
    push = Push(
        nudge_id=nudge.pk,
        device_id=device.pk,
        platform=device.platform,
        fid=device.fid,
        token=None,
        kind=nudge.kind,
        title=nudge.title,
        body=nudge.body,
        deep_link=nudge.deep_link,
        expires_at=nudge.expires_at,
    )
    assert nudge.sent_at is not None  # only sent deliveries are in the outbox
    return OutboxMessage(
        nudge=nudge, device=device, address=push.address, payload=payload(push, now=nudge.sent_at)
    )
