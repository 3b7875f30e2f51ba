"""Demo learners for `seed_demo`: two new support agents and their manager, with some history.

Everything goes through the same domain functions as the app (enrolment, the events ledger), and
client event ids are derived from names, so loading again records nothing twice.
"""

import datetime
import uuid
import zoneinfo

from django.db import transaction

from cms.demo.accounts import ensure_user
from cms.models import ChangeEvent, JourneyStep
from learning import events, journeys
from learning.models import Learner

TZ = "Europe/London"
NAMESPACE = uuid.UUID("0b6a5c1e-93f4-4d3c-9a51-6e0f4f3b2a10")


def _learner(
    username: str, *, first: str, last: str, role: str, start: datetime.date, manager=None
):
    user = ensure_user(
        username, email=f"{username}@brightwave.example", first_name=first, last_name=last
    )
    learner, _ = Learner.objects.get_or_create(
        user=user,
        defaults={
            "role": role,
            "team": "Support",
            "start_date": start,
            "timezone": TZ,
            "manager": manager,
        },
    )
    return learner


def _at(day: datetime.date, minute_of_day: int, *, now: datetime.datetime) -> str:
    local = datetime.datetime.combine(day, datetime.time(0), tzinfo=zoneinfo.ZoneInfo(TZ))
    moment = min(
        local + datetime.timedelta(minutes=minute_of_day), now - datetime.timedelta(minutes=5)
    )
    return moment.isoformat()


def _history(learner: Learner, *, done_until_day: int, now: datetime.datetime) -> list[dict]:
    """What a diligent new hire did: the journey's steps up to a day, plus some learning of their own."""
    onboarding = ChangeEvent.objects.get(kind=ChangeEvent.Kind.ONBOARDING, live=True)
    start = learner.start_date
    items: list[dict] = []

    def add(key: str, type_: str, day: int, minute: int, **fields) -> None:
        client_id = uuid.uuid5(NAMESPACE, f"{learner.user.username}:{key}")
        items.append(
            {
                "id": str(client_id),
                "type": type_,
                "occurred_at": _at(start + datetime.timedelta(days=day), minute, now=now),
                **fields,
            }
        )

    steps = onboarding.steps.order_by("sort_order").select_related("module")
    for n, step in enumerate(steps):
        if step.day_offset > done_until_day:
            break
        minute = 8 * 60 + 10 + 17 * n % 400  # commute and mid-morning dead time
        if step.kind == JourneyStep.Kind.FORMAL:
            add(
                f"start-{step.pk}",
                "module_started",
                step.day_offset,
                minute,
                module_id=step.module_id,
            )
            add(
                f"done-{step.pk}",
                "module_completed",
                step.day_offset,
                minute + 4,
                module_id=step.module_id,
            )
            if n % 3 == 0:
                add(
                    f"feedback-{step.pk}",
                    "feedback",
                    step.day_offset,
                    minute + 5,
                    module_id=step.module_id,
                    rating=5 if n % 2 else 4,
                    comment="Short and useful." if n % 2 else "",
                )
        elif (
            step.confirmed_by != JourneyStep.Confirmer.MANAGER
            or step.day_offset < done_until_day - 2
        ):
            add(
                f"step-{step.pk}",
                "step_done",
                step.day_offset,
                minute + 60,
                step_id=step.pk,
                minutes=30,
            )
        else:
            # Recent on-the-job work waiting for the manager's confirmation: something to confirm.
            add(
                f"step-{step.pk}",
                "step_done",
                step.day_offset,
                minute + 60,
                step_id=step.pk,
                minutes=45,
            )
    for day in range(0, done_until_day + 1, 2):
        add(
            f"tickets-{day}",
            "activity_logged",
            day,
            16 * 60,
            category="experience",
            minutes=90,
            title="Handled tickets on the live queue",
        )
    if done_until_day >= 5:
        add(
            "lunch-and-learn",
            "activity_logged",
            5,
            12 * 60 + 30,
            category="social",
            minutes=40,
            title="Lunch-and-learn: the billing engine",
        )
    return items


@transaction.atomic
def load_demo_learners(*, now: datetime.datetime) -> str:
    today = now.astimezone(zoneinfo.ZoneInfo(TZ)).date()
    manager = _learner(
        "demo-manager",
        first="Morgan",
        last="Manager",
        role="Support team lead",
        start=today - datetime.timedelta(days=700),
    )
    first = _learner(
        "demo-learner",
        first="Lee",
        last="Learner",
        role="Support agent",
        start=today - datetime.timedelta(days=10),
        manager=manager.user,
    )
    second = _learner(
        "demo-learner2",
        first="Sam",
        last="Starter",
        role="Support agent",
        start=today - datetime.timedelta(days=2),
        manager=manager.user,
    )
    learners = [manager, first, second]
    journeys.enrol_in_matching_events([learner.pk for learner in learners], today=today)
    recorded = 0
    for learner, done_until in ((first, 8), (second, 1)):
        results = events.record_events(
            learner, _history(learner, done_until_day=done_until, now=now), now=now, source="demo"
        )
        recorded += sum(1 for r in results if r.status == events.ACCEPTED)
    return f"learners: demo-learner, demo-learner2 and their manager demo-manager; {recorded} new activities"
