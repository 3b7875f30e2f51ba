"""Demo learners for `seed_demo`: a support team lead (demo-manager, in the Managers group) and five
direct reports in different states, so the team view has something to say about each:

- Lee (demo-learner), 10 days in, on track, with two on-the-job steps waiting for the manager;
  Chris is Lee's buddy and has confirmed Lee's buddy steps;
- Sam (demo-learner2), who started 2 days ago, Chris's buddy too: a shadowing step waits for him;
- Jordan (demo-learner3), 16 days in and quiet since day 3: drifting, with overdue steps;
- Priya (demo-learner4), 24 days in, learning mostly on the job, one step waiting, and on a
  week's annual leave from today (paused by Morgan: no nudges, nothing falls overdue);
- Chris (demo-learner5), a senior agent outside onboarding, in the Flex launch, who mentors and
  is buddy to Lee and Sam (his /me/confirmations has Sam's step).

And Noor (demo-newcomer), who starts next week: in from HR with no password yet, invited by email
(the console shows the invitation on `make run`) until she sets one from its link.

Everything goes through the same domain functions as the app (enrolment, the events ledger,
practice answers, the manager's confirmation), and client ids are derived from names, so loading
again records nothing twice.
"""

import datetime
import uuid
import zoneinfo
from typing import cast

from django.contrib.auth import get_user_model
from django.db import transaction

from cms.demo.accounts import ensure_user
from cms.models import ChangeEvent, JourneyStep
from learning.journeys import buddies, confirmations, enrolment, pauses
from learning.ledger import events
from learning.models import Activity, Card, Enrollment, Learner
from learning.people import invitations
from learning.people.roles import ensure_managers_group
from learning.practice import cards as practice

TZ = "Europe/London"
NAMESPACE = uuid.UUID("0b6a5c1e-93f4-4d3c-9a51-6e0f4f3b2a10")


def _learner(
    username: str,
    *,
    first: str,
    last: str,
    role: str,
    start: datetime.date,
    manager=None,
    timezone: str = TZ,
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
            "timezone": timezone,
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


def _client_id(learner: Learner, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{learner.user.username}:{key}")


def _adder(learner: Learner, items: list[dict], *, since: datetime.date, now: datetime.datetime):
    """add(key, type, day, minute, **fields): one app event, `day` days after `since`."""

    def add(key: str, type_: str, day: int, minute: int, **fields) -> None:
        items.append(
            {
                "id": str(_client_id(learner, key)),
                "type": type_,
                "occurred_at": _at(since + datetime.timedelta(days=day), minute, now=now),
                **fields,
            }
        )

    return add


def _history(
    learner: Learner, *, done_until_day: int, now: datetime.datetime, tickets_every: int = 2
) -> list[dict]:
    """What a diligent new hire did: the journey's steps up to a day, plus some learning of their own."""
    onboarding = ChangeEvent.objects.get(kind=ChangeEvent.Kind.ONBOARDING, live=True)
    items: list[dict] = []
    add = _adder(learner, items, since=cast(datetime.date, learner.start_date), now=now)

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
    for day in range(0, done_until_day + 1, tickets_every):
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


def _senior_history(learner: Learner, *, now: datetime.datetime) -> list[dict]:
    """An experienced agent's last fortnight: the live queue, mentoring, and the launch's first module."""
    today = now.astimezone(zoneinfo.ZoneInfo(TZ)).date()
    items: list[dict] = []
    add = _adder(learner, items, since=today - datetime.timedelta(days=14), now=now)
    for day in (0, 3, 7, 10):
        add(
            f"queue-{day}",
            "activity_logged",
            day,
            15 * 60,
            category="experience",
            minutes=120,
            title="Took the escalations queue",
        )
    for day in (1, 4, 8, 11):
        add(
            f"mentoring-{day}",
            "activity_logged",
            day,
            11 * 60,
            category="social",
            minutes=45,
            title="Sat with a new starter on live calls",
        )
    first_launch_step = (
        JourneyStep.objects.filter(
            event__kind=ChangeEvent.Kind.PRODUCT_LAUNCH,
            event__live=True,
            kind=JourneyStep.Kind.FORMAL,
        )
        .order_by("day_offset", "sort_order")
        .first()
    )
    if first_launch_step is not None:
        add(
            f"done-{first_launch_step.pk}",
            "module_completed",
            14,
            8 * 60 + 20,
            module_id=first_launch_step.module_id,
        )
    return items


def _enrolled_on_joining(learners: list[Learner]) -> None:
    """The demo's people joined before the demo was loaded: their onboarding enrolment (made when
    they were added) dates from their start date, not from today, or nobody could be drifting."""
    for learner in learners:
        start = cast(datetime.date, learner.start_date)  # every demo learner has one
        joined = datetime.datetime.combine(start, datetime.time.min, tzinfo=learner.tz)
        Enrollment.objects.filter(
            learner=learner, event__kind=ChangeEvent.Kind.ONBOARDING, enrolled_at__gt=joined
        ).update(enrolled_at=joined)


def _confirm_older_than(confirmer, learner: Learner, *, day: int, now: datetime.datetime) -> None:
    """`confirmer` (a buddy, or the manager) has confirmed what of the learner's waited for them
    and was done before `day` of onboarding, a day later (their buddy, an hour later)."""
    start = cast(datetime.date, learner.start_date)  # every demo learner has one
    before = datetime.datetime.combine(
        start + datetime.timedelta(days=day), datetime.time.min, tzinfo=learner.tz
    )
    pending = confirmations.inbox(confirmer).filter(learner=learner, occurred_at__lt=before)
    for activity in pending:
        is_buddy: bool = activity.is_buddy  # type: ignore[attr-defined]  # inbox()'s annotation
        delay = datetime.timedelta(hours=1) if is_buddy else datetime.timedelta(days=1)
        confirmed_at = min(activity.occurred_at + delay, now)
        confirmations.confirm(confirmer, activity.pk, now=confirmed_at)


def _launch_slips_a_week() -> None:
    """The Flex launch moved a week after its people were enrolled: its author published the new
    date, and their journeys moved with it (once: the launch's second revision is the move)."""
    launch = ChangeEvent.objects.filter(kind=ChangeEvent.Kind.PRODUCT_LAUNCH, live=True).first()
    if launch is None or launch.date is None or launch.revisions.count() > 1:
        return
    author = get_user_model().objects.filter(username="demo-author").first()
    launch.date += datetime.timedelta(days=7)
    launch.save_revision(user=author).publish(user=author)


def _on_leave(manager, learner: Learner, *, now: datetime.datetime) -> None:
    """The manager has put the learner on a week's leave from today, as in My team."""
    today = learner.local_date(now)
    if pauses.open_pause(learner, today=today) is None:
        pauses.start_pause(
            learner,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            reason="Annual leave",
            set_by=manager,
            now=now,
        )


def _buddy(manager, learner: Learner, buddy: Learner, *, now: datetime.datetime) -> None:
    """The manager makes `buddy` the learner's buddy in their onboarding, as in My team."""
    onboarding = Enrollment.objects.current().get(
        learner=learner, event__kind=ChangeEvent.Kind.ONBOARDING
    )
    buddies.set_buddy(
        manager, learner.pk, email=buddy.user.email, journey_id=onboarding.pk, now=now
    )


def _practise(learner: Learner, *, rating: int, now: datetime.datetime) -> int:
    """Answer every other practice card once, the day after its module: something to predict recall from."""
    cards = Card.objects.filter(learner=learner, active=True).order_by("module_id", "block_id")
    completed = dict(
        Activity.objects.filter(learner=learner, verb="module_completed")
        .order_by("occurred_at")
        .values_list("module_id", "occurred_at")
    )
    answered = 0
    for card in list(cards)[::2]:
        done_at = completed.get(card.module_id)
        if done_at is None:
            continue
        result = practice.answer(
            learner,
            card_id=card.pk,
            client_id=_client_id(learner, f"review-{card.module_id}-{card.block_id}"),
            answered_at=min(
                done_at + datetime.timedelta(days=1), now - datetime.timedelta(minutes=5)
            ),
            rating=rating,
            response_ms=9000,
            now=now,
        )
        answered += not result.replayed
    return answered


def _newcomer(*, today: datetime.date, now: datetime.datetime) -> None:
    """Noor, as the HR import leaves a new person (no usable password), invited the product's way.

    Not yet anyone's report nor enrolled: her manager's figures and the demo's journeys stay as
    they were. Invited again on each load until she has a password, so each `make run` shows it.
    """
    user, created = get_user_model().objects.get_or_create(
        username="demo-newcomer",
        defaults={
            "email": "demo-newcomer@brightwave.example",
            "first_name": "Noor",
            "last_name": "Newcomer",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Learner.objects.get_or_create(
        user=user,
        defaults={
            "role": "Support agent",
            "team": "Support",
            "start_date": today + datetime.timedelta(days=7),
            "timezone": TZ,
        },
    )
    if not user.has_usable_password():
        # After the commit: a load that rolls back must not have invited anyone.
        transaction.on_commit(lambda: invitations.send_invitations([user], now=now))


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
    manager.user.groups.add(ensure_managers_group())
    boss = manager.user

    def report(username, first, last, *, days_in, role="Support agent", timezone=TZ):
        return _learner(
            username,
            first=first,
            last=last,
            role=role,
            start=today - datetime.timedelta(days=days_in),
            manager=boss,
            timezone=timezone,
        )

    lee = report("demo-learner", "Lee", "Learner", days_in=10)
    sam = report("demo-learner2", "Sam", "Starter", days_in=2)
    jordan = report("demo-learner3", "Jordan", "Reyes", days_in=16, timezone="Europe/Dublin")
    priya = report("demo-learner4", "Priya", "Shah", days_in=24)
    chris = report("demo-learner5", "Chris", "Okafor", days_in=400, role="Senior support agent")
    learners = [manager, lee, sam, jordan, priya, chris]
    enrolment.enrol_in_matching_events([learner.pk for learner in learners], today=today)
    _enrolled_on_joining(learners)
    _launch_slips_a_week()

    histories = [
        (lee, _history(lee, done_until_day=8, now=now)),
        (sam, _history(sam, done_until_day=1, now=now)),
        (jordan, _history(jordan, done_until_day=3, now=now, tickets_every=3)),
        (priya, _history(priya, done_until_day=22, now=now, tickets_every=1)),
        (chris, _senior_history(chris, now=now)),
    ]
    # Chris is Lee's and Sam's buddy; Jordan and Priya have none, so Morgan confirms their buddy steps.
    _buddy(boss, lee, chris, now=now)
    _buddy(boss, sam, chris, now=now)
    recorded = 0
    for learner, items in histories:
        results = events.record_events(learner, items, now=now, source="demo").results
        recorded += sum(1 for r in results if r.status == events.ACCEPTED)
    # Chris has confirmed Lee's buddy steps and Sam's first; Sam's shadowing waits for him.
    _confirm_older_than(chris.user, lee, day=10, now=now)
    _confirm_older_than(chris.user, sam, day=1, now=now)
    # Lee's and Priya's last on-the-job steps (their final two days) still wait for the manager.
    _confirm_older_than(boss, lee, day=6, now=now)
    _confirm_older_than(boss, jordan, day=3, now=now)
    _confirm_older_than(boss, priya, day=20, now=now)
    reviews = sum(
        _practise(learner, rating=rating, now=now)
        for learner, rating in ((lee, 3), (jordan, 2), (priya, 4), (chris, 3))
    )
    _on_leave(boss, priya, now=now)
    _newcomer(today=today, now=now)
    return (
        "learners: demo-manager (Managers) and reports demo-learner to demo-learner5; "
        f"{recorded} new activities, {reviews} new practice answers; "
        "demo-newcomer has no password yet and is sent an invitation"
    )
