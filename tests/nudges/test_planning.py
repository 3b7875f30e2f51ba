"""Planning nudges: what each learner is told, when, never twice, in a fixed number of queries."""

import datetime
import random
import threading
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.models import ChangeEvent, JourneyStep
from learning.models import Activity, Card, Enrollment, Learner, Verb
from learning.practice import budget
from nudges.models import Nudge, NudgePreferences
from nudges.planning import plan_nudges
from tests.factories import LearnerFactory, publish_module, question
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 2026-03-02, 08:10 in Berlin: inside the default 08:00–08:40 window.
NOW = datetime.datetime(2026, 3, 2, 8, 10, tzinfo=BERLIN).astimezone(UTC)
TODAY = datetime.date(2026, 3, 2)
HOUR = datetime.timedelta(hours=1)


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def due_learner(*, check_at=NOW, **fields) -> Learner:
    learner = LearnerFactory(timezone="Europe/Berlin", **fields)
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=check_at)
    learner.refresh_from_db()
    return learner


@pytest.fixture
def refunds(library):
    return publish_module(
        title="Refunds",
        body=[question("Who approves a refund?"), question("How long does it take?")],
    )


def add_card(learner, module, *, due, block="q1") -> Card:
    return Card.objects.create(
        learner=learner, module=module, block_id=block, due=due, answer_fingerprint="x"
    )


def journey(learner, *, anchor=TODAY, steps=(("Shadow a refund call", 0, 3),), name="Refunds"):
    """A live event with social steps (title, day_offset, due_offset) and the learner in it."""
    event = ChangeEvent(name=name, kind="software_rollout", date=anchor, live=True)
    event.steps = [
        JourneyStep(title=title, kind="social", day_offset=day, due_offset=due)
        for title, day, due in steps
    ]
    event.save()
    enrollment = Enrollment.objects.create(learner=learner, event=event, anchor_date=anchor)
    return enrollment, list(event.steps.order_by("sort_order", "pk"))


def planned(learner) -> list[Nudge]:
    return list(Nudge.objects.filter(learner=learner).order_by("planned_for", "pk"))


def next_check(learner) -> datetime.datetime | None:
    return Learner.objects.values_list("next_nudge_check_at", flat=True).get(pk=learner.pk)


# --- What --------------------------------------------------------------------------------------------


def test_practice_due_in_a_window_now_is_planned_for_now(refunds):
    learner = due_learner()
    add_card(learner, refunds, due=NOW - HOUR, block="q1")
    add_card(learner, refunds, due=NOW - HOUR, block="q2")

    result = plan_nudges(now=NOW, rng=random.Random(1))

    (nudge,) = planned(learner)
    assert (nudge.kind, nudge.state, nudge.dedupe_key) == (
        "practice_due",
        "planned",
        f"practice:{learner.pk}:2026-03-02",
    )
    assert nudge.title == "2 questions on Refunds — 1 minute"
    assert nudge.deep_link == "micromoments://practice"
    assert (nudge.planned_for, nudge.expires_at) == (NOW, berlin(2026, 3, 2, 8, 40))
    assert nudge.window == "08:00-08:40"
    assert (result.claimed, result.planned, result.nudge_ids) == (1, 1, [nudge.pk])
    assert result.by_kind == {"practice_due": 1}


def test_practice_across_modules_names_the_one_with_most_due(library, refunds):
    returns = publish_module(title="Returns", body=[question()])
    learner = due_learner()
    for block in ("q1", "q2"):
        add_card(learner, refunds, due=NOW - HOUR, block=block)
    add_card(learner, returns, due=NOW - HOUR)
    add_card(learner, returns, due=NOW + HOUR, block="later")  # not due yet

    plan_nudges(now=NOW)

    (nudge,) = planned(learner)
    assert (nudge.title, nudge.body) == (
        "3 questions to practise — 2 minutes",
        "On Refunds and 1 more topic.",
    )


@pytest.mark.parametrize(
    ("launch_in_days", "named"),
    [(5, "Tariffs"), (-1, "Refunds")],  # a launch ahead leads; one whose day has passed does not
)
def test_before_a_launch_practice_names_the_module_weakest_on_its_day(
    library, refunds, launch_in_days, named
):
    tariffs = publish_module(title="Tariffs", body=[question()])
    learner = due_learner()
    for block in ("q1", "q2"):
        add_card(learner, refunds, due=NOW - HOUR, block=block)  # most due, no day ahead
    launch = ChangeEvent.objects.create(
        name="Tariff launch",
        kind="product_launch",
        date=TODAY + datetime.timedelta(days=launch_in_days),
    )
    weak = add_card(learner, tariffs, due=NOW - HOUR)
    Card.objects.filter(pk=weak.pk).update(
        event=launch, state=2, step=None, stability=1.0, difficulty=5.0,
        last_review=NOW - 2 * datetime.timedelta(days=1),
    )  # fmt: skip

    plan_nudges(now=NOW)

    (nudge,) = planned(learner)
    assert (nudge.title, nudge.body) == (
        "3 questions to practise — 2 minutes",
        f"On {named} and 1 more topic.",
    )


def test_a_step_unlocked_today_gets_a_nudge_with_a_link_to_it():
    learner = due_learner()
    enrollment, (first, _) = journey(
        learner, steps=(("Shadow a refund call", 0, 3), ("Handle one yourself", 2, 3))
    )

    plan_nudges(now=NOW)

    (nudge,) = planned(learner)
    assert (nudge.kind, nudge.dedupe_key) == ("step_unlocked", f"step:{learner.pk}:{first.pk}")
    assert nudge.title == "New step: Shadow a refund call"
    assert nudge.body == "Step 1 of 2 in Refunds"
    assert nudge.deep_link == f"micromoments://journeys/{enrollment.pk}/steps/{first.pk}"
    # Next look: local midnight when the second step unlocks (or sooner, tomorrow's midnight).
    assert next_check(learner) == berlin(2026, 3, 3, 0, 0)


def test_a_step_due_tomorrow_gets_a_deadline_nudge():
    learner = due_learner()
    enrollment, (step,) = journey(learner, anchor=TODAY - datetime.timedelta(days=2))
    # The "unlocked" nudge was sent when it unlocked.
    NudgeFactory(
        learner=learner,
        kind="step_unlocked",
        dedupe_key=f"step:{learner.pk}:{step.pk}",
        state="sent",
        planned_for=NOW - 48 * HOUR,
        sent_at=NOW - 48 * HOUR,
        opened_at=NOW - 47 * HOUR,
    )
    Activity.objects.create(learner=learner, verb=Verb.NUDGE_OPENED, occurred_at=NOW - 47 * HOUR)

    plan_nudges(now=NOW)

    nudge = Nudge.objects.get(learner=learner, kind="deadline")
    assert nudge.dedupe_key == f"deadline:{learner.pk}:{step.pk}"
    assert nudge.title == "Due tomorrow: Shadow a refund call"
    assert nudge.deep_link == f"micromoments://journeys/{enrollment.pk}/steps/{step.pk}"


def test_a_drifting_learner_is_re_engaged_once_a_week(settings):
    settings.MICROMOMENTS_DRIFTING_AFTER_DAYS = 5
    learner = due_learner()
    enrollment, _ = journey(learner, anchor=TODAY - datetime.timedelta(days=20))
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=NOW - 20 * 24 * HOUR)
    Activity.objects.create(
        learner=learner, verb=Verb.MODULE_STARTED, occurred_at=NOW - 10 * 24 * HOUR
    )

    plan_nudges(now=NOW)

    (nudge,) = planned(learner)
    assert (nudge.kind, nudge.dedupe_key) == ("reengage", f"reengage:{learner.pk}:2026-W10")
    assert (nudge.title, nudge.body) == (
        "Pick up where you left off",
        "1 step waiting for you in Refunds.",
    )
    # Tomorrow, still drifting: nothing new this week.
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=NOW + 24 * HOUR)
    plan_nudges(now=NOW + 24 * HOUR)
    assert len(planned(learner)) == 1


def test_a_manager_gets_a_weekly_digest_about_their_team(settings):
    settings.MICROMOMENTS_DRIFTING_AFTER_DAYS = 5
    manager = due_learner()
    drifting = LearnerFactory(timezone="Europe/Berlin", manager=manager.user)
    enrollment, _ = journey(drifting, anchor=TODAY - datetime.timedelta(days=20))
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=NOW - 20 * 24 * HOUR)
    LearnerFactory(timezone="Europe/Berlin", manager=manager.user)

    plan_nudges(now=NOW)

    (nudge,) = planned(manager)
    assert (nudge.kind, nudge.dedupe_key) == ("weekly_digest", f"digest:{manager.pk}:2026-W10")
    assert (nudge.title, nudge.body, nudge.deep_link) == (
        "Your team this week",
        "2 people · 1 drifting · 1 step overdue",
        "micromoments://team",
    )
    # Next look at the manager: next Monday's local midnight at the latest.
    assert next_check(manager) <= berlin(2026, 3, 9, 0, 0)

    Learner.objects.filter(pk=manager.pk).update(next_nudge_check_at=NOW + HOUR)
    plan_nudges(now=NOW + HOUR)
    assert len(planned(manager)) == 1


def test_the_digest_counts_only_the_reports_still_employed(settings):
    settings.MICROMOMENTS_DRIFTING_AFTER_DAYS = 5
    manager = due_learner()
    LearnerFactory(timezone="Europe/Berlin", manager=manager.user)
    gone = LearnerFactory(timezone="Europe/Berlin", manager=manager.user)
    enrollment, _ = journey(gone, anchor=TODAY - datetime.timedelta(days=20))
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=NOW - 20 * 24 * HOUR)
    gone.user.is_active = False  # left the company: the admin's or the HR import's save
    gone.user.save()

    plan_nudges(now=NOW)

    (nudge,) = planned(manager)
    assert nudge.body == "1 person · 0 drifting · 0 steps overdue"


# --- When ---------------------------------------------------------------------------------------------


def test_in_quiet_hours_the_nudge_waits_for_the_next_window(refunds):
    late = berlin(2026, 3, 2, 22, 30).astimezone(UTC)
    learner = due_learner(check_at=late)
    add_card(learner, refunds, due=late - HOUR)

    plan_nudges(now=late, rng=random.Random(3))

    (nudge,) = planned(learner)
    assert nudge.planned_for.astimezone(BERLIN).date() == datetime.date(2026, 3, 3)
    assert nudge.planned_for.astimezone(BERLIN).time() in (
        datetime.time(8, 0),
        datetime.time(12, 30),
    )
    assert nudge.dedupe_key == f"practice:{learner.pk}:2026-03-03"


def test_the_learners_own_windows_time_zone_and_weekends(refunds):
    friday_evening = datetime.datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
    learner = due_learner(check_at=friday_evening)
    Learner.objects.filter(pk=learner.pk).update(timezone="America/New_York")
    NudgePreferences.objects.create(
        learner=learner,
        windows=[{"days": [0, 1, 2, 3, 4, 5, 6], "start": "18:45", "end": "19:15"}],
        weekends=False,
    )
    add_card(learner, refunds, due=friday_evening - HOUR)

    plan_nudges(now=friday_evening)

    (nudge,) = planned(learner)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # 14:00 Friday in New York: today 18:45, not Saturday.
    assert nudge.planned_for == datetime.datetime(2026, 3, 6, 18, 45, tzinfo=new_york)
    assert nudge.expires_at == datetime.datetime(2026, 3, 6, 19, 15, tzinfo=new_york)


def test_over_the_daily_cap_the_nudge_goes_to_the_next_day(refunds):
    learner = due_learner()
    NudgePreferences.objects.create(learner=learner, daily_cap=1)
    NudgeFactory(learner=learner, kind="step_unlocked", state="sent", planned_for=NOW - 2 * HOUR)
    add_card(learner, refunds, due=NOW - HOUR)

    plan_nudges(now=NOW)

    nudge = Nudge.objects.get(learner=learner, kind="practice_due")
    assert nudge.planned_for.astimezone(BERLIN).date() == datetime.date(2026, 3, 3)


def test_several_things_share_the_days_windows_up_to_the_cap(refunds):
    learner = due_learner()
    journey(learner, steps=(("Shadow a refund call", 0, 0), ("Read the policy", 0, 3)))
    add_card(learner, refunds, due=NOW - HOUR)

    plan_nudges(now=NOW, rng=random.Random(5))

    nudges = planned(learner)
    assert [n.kind for n in nudges][:1] in (["deadline"], ["step_unlocked"], ["practice_due"])
    by_day = {}
    for nudge in nudges:
        day = nudge.planned_for.astimezone(BERLIN).date()
        by_day.setdefault(day, []).append(nudge.window)
    # Default cap 2, one nudge per window occurrence.
    assert all(
        len(windows) <= 2 and len(set(windows)) == len(windows) for windows in by_day.values()
    )
    assert {n.kind for n in nudges} == {"deadline", "step_unlocked", "practice_due"}


def test_after_three_ignored_nudges_the_learner_backs_off(refunds):
    learner = due_learner()
    for days_ago in (3, 2, 1):
        moment = NOW - days_ago * 24 * HOUR
        NudgeFactory(
            learner=learner, state="sent", planned_for=moment, sent_at=moment, window="08:00-08:40"
        )
    add_card(learner, refunds, due=NOW - HOUR)

    plan_nudges(now=NOW)

    nudge = Nudge.objects.get(learner=learner, state="planned")
    # Yesterday had one: at most one in two days, so not today but tomorrow.
    assert nudge.planned_for.astimezone(BERLIN).date() == datetime.date(2026, 3, 3)


def test_any_activity_ends_the_back_off(refunds):
    learner = due_learner()
    for days_ago in (3, 2, 1):
        moment = NOW - days_ago * 24 * HOUR
        NudgeFactory(learner=learner, state="sent", planned_for=moment, sent_at=moment)
    Activity.objects.create(learner=learner, verb=Verb.MODULE_STARTED, occurred_at=NOW - HOUR)
    add_card(learner, refunds, due=NOW - HOUR)

    plan_nudges(now=NOW)

    assert Nudge.objects.get(learner=learner, state="planned").planned_for == NOW


# --- Never twice ----------------------------------------------------------------------------------


def test_planning_again_plans_nothing_twice(refunds):
    learner = due_learner()
    journey(learner)
    add_card(learner, refunds, due=NOW - HOUR)
    first = plan_nudges(now=NOW, rng=random.Random(1))
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=NOW)

    again = plan_nudges(now=NOW + datetime.timedelta(minutes=1), rng=random.Random(1))

    assert first.planned == 2
    assert again.planned == 0
    assert len(planned(learner)) == 2


def test_a_nudge_another_planner_wrote_first_is_not_counted_as_ours(refunds):
    learner = due_learner()
    add_card(learner, refunds, due=NOW - HOUR)
    NudgeFactory(
        learner=learner,
        dedupe_key=f"practice:{learner.pk}:2026-03-02",
        state="expired",
        planned_for=NOW - 10 * 24 * HOUR,  # outside what the planner reads back
    )

    result = plan_nudges(now=NOW)

    assert result.planned == 0
    assert Nudge.objects.filter(learner=learner).count() == 1


def test_learners_with_nudges_off_get_nothing_and_are_left_alone(refunds):
    learner = due_learner()
    NudgePreferences.objects.create(learner=learner, nudges_enabled=False)
    add_card(learner, refunds, due=NOW - HOUR)

    result = plan_nudges(now=NOW)

    assert (result.claimed, result.disabled, result.planned) == (1, 1, 0)
    assert not Nudge.objects.exists()
    # Turning nudges back on (preferences.update_preferences) sets the next check again.
    assert next_check(learner) is None


def test_learners_not_yet_due_for_a_check_are_not_looked_at(refunds):
    later = due_learner(check_at=NOW + HOUR)
    never = due_learner(check_at=None)
    for learner in (later, never):
        add_card(learner, refunds, due=NOW - HOUR)

    assert plan_nudges(now=NOW).claimed == 0
    assert not Nudge.objects.exists()
    assert next_check(later) == NOW + HOUR


# --- Next check ------------------------------------------------------------------------------------


def test_the_next_check_is_when_the_next_card_falls_due(refunds):
    learner = due_learner()
    add_card(learner, refunds, due=NOW + 3 * HOUR)

    plan_nudges(now=NOW)

    assert not Nudge.objects.exists()
    assert next_check(learner) == NOW + 3 * HOUR


def test_with_nothing_to_say_the_next_check_is_a_week_away(settings):
    settings.NUDGES_MAX_CHECK_INTERVAL_DAYS = 7
    learner = due_learner()

    plan_nudges(now=NOW)

    assert next_check(learner) == NOW + 7 * 24 * HOUR


def test_a_step_unlocking_later_wakes_the_learner_at_local_midnight():
    learner = due_learner()
    journey(learner, steps=(("Later", 3, 2),))

    plan_nudges(now=NOW)

    assert not Nudge.objects.exists()
    assert next_check(learner) == berlin(2026, 3, 5, 0, 0)


# --- Chunks, locks and queries --------------------------------------------------------------------


def many_learners(count: int, *, refunds, manager: User | None = None) -> list[Learner]:
    """Learners with due cards (some also in a journey, some reporting to a manager), made in bulk."""
    users = User.objects.bulk_create(
        [
            User(username=f"bulk-{count}-{i}", email=f"bulk-{count}-{i}@example.com")
            for i in range(count)
        ]
    )
    learners = Learner.objects.bulk_create(
        [
            Learner(
                user=user,
                timezone=("Europe/Berlin", "Asia/Tokyo", "America/Chicago")[i % 3],
                next_nudge_check_at=NOW,
                manager=manager if i % 2 else None,
            )
            for i, user in enumerate(users)
        ]
    )
    Card.objects.bulk_create(
        [
            Card(
                learner=learner,
                module=refunds,
                block_id="q1",
                due=NOW - HOUR,
                answer_fingerprint="x",
            )
            for learner in learners
        ]
    )
    event = ChangeEvent(name="Rollout", kind="software_rollout", date=TODAY, live=True)
    event.steps = [JourneyStep(title="Try it", kind="social", day_offset=0, due_offset=1)]
    event.save()
    Enrollment.objects.bulk_create(
        [Enrollment(learner=x, event=event, anchor_date=TODAY) for x in learners[::3]]
    )
    return learners


# A fixed number, whatever the chunk's size: with the pauses, the buddies' waiting steps, the
# moments to celebrate, today's answers against the practice budget and the cards weakest on a
# launch's day read once per chunk.
QUERIES_PER_RUN = 27


@pytest.mark.parametrize("count", [10, 200])
def test_a_chunk_costs_the_same_queries_for_10_or_200_learners(
    count, refunds, django_assert_max_num_queries
):
    manager = due_learner()  # a manager in the chunk, with reports
    learners = many_learners(count, refunds=refunds, manager=manager.user)
    budget.daily_minutes()  # read once a minute per process, not per run

    with django_assert_max_num_queries(QUERIES_PER_RUN):
        result = plan_nudges(now=NOW, chunk_size=1000)

    assert result.claimed == count + 1
    assert result.chunks == 1
    assert Nudge.objects.filter(learner__in=learners, kind="practice_due").count() == count
    assert Nudge.objects.filter(kind="weekly_digest").count() == 1


def test_query_counts_do_not_grow_with_the_chunk(refunds):
    counts = []
    budget.daily_minutes()  # read once a minute per process, not per run
    for count in (10, 200):
        Nudge.objects.all().delete()
        Learner.objects.all().delete()
        learners_manager = due_learner()
        many_learners(count, refunds=refunds, manager=learners_manager.user)
        with CaptureQueriesContext(connection) as captured:
            plan_nudges(now=NOW)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_learners_are_claimed_in_chunks(refunds):
    learners = many_learners(5, refunds=refunds)

    result = plan_nudges(now=NOW, chunk_size=2)

    assert (result.claimed, result.chunks) == (5, 3)
    assert result.planned == Nudge.objects.count()
    assert Nudge.objects.filter(kind="practice_due").count() == 5
    assert all(next_check(x) > NOW for x in learners)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_learner_locked_by_another_planner_is_skipped():
    locked, free = due_learner(), due_learner()
    holding, release = threading.Event(), threading.Event()

    def other_planner():
        try:
            with transaction.atomic():
                Learner.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_planner)
    thread.start()
    try:
        assert holding.wait(10)
        result = plan_nudges(now=NOW)
    finally:
        release.set()
        thread.join()

    assert result.claimed == 1
    assert next_check(free) > NOW
    assert next_check(locked) == NOW  # still waiting for whoever holds it


def test_the_bandit_is_seedable(refunds):
    learners = many_learners(30, refunds=refunds)
    Learner.objects.filter(pk__in=[x.pk for x in learners]).update(timezone="Europe/Berlin")

    def plan(seed):
        Nudge.objects.all().delete()
        Learner.objects.update(next_nudge_check_at=berlin(2026, 3, 2, 7, 0))
        plan_nudges(now=berlin(2026, 3, 2, 7, 0).astimezone(UTC), rng=random.Random(seed))
        return list(Nudge.objects.order_by("learner_id").values_list("learner_id", "window"))

    assert plan(7) == plan(7)
    assert {w for _, w in plan(7)} == {"08:00-08:40", "12:30-13:00"}


# --- run_nudges_once ------------------------------------------------------------------------------


def test_run_nudges_once_plans_and_sends_and_says_so(refunds, settings):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from nudges.models import OutboxMessage
    from tests.nudges.sending_factories import DeviceFactory

    settings.NUDGES_PUSH_BACKEND = "nudges.backends.console.ConsoleBackend"
    now = timezone.now()
    learner = due_learner(check_at=now - datetime.timedelta(minutes=1))
    Learner.objects.filter(pk=learner.pk).update(timezone="UTC")
    NudgePreferences.objects.create(
        learner=learner,
        windows=[{"days": list(range(7)), "start": "00:00", "end": "23:59"}],
        quiet_start=datetime.time(23, 59),
        quiet_end=datetime.time(0, 0),
        weekends=True,
    )
    add_card(learner, refunds, due=now - HOUR)
    DeviceFactory(user=learner.user)
    out = StringIO()

    call_command("run_nudges_once", stdout=out)

    output = out.getvalue()
    nudge = Nudge.objects.get(learner=learner)
    assert "Planned 1 nudge for 1 learner checked (0 with nudges off): 1 practice_due." in output
    assert f"#{nudge.pk} practice_due for {learner.user.username}" in output
    assert "1 question on Refunds — 1 minute" in output
    assert "Sent: 1 nudge due in 1 batch" in output
    assert nudge.state == "sent"
    (message,) = OutboxMessage.objects.all()
    assert message.nudge_id == nudge.pk


def test_run_nudges_once_can_stop_after_planning(refunds):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_nudges_once", "--plan-only", stdout=out)
    assert out.getvalue() == "Planned 0 nudges for 0 learners checked (0 with nudges off).\n"


@pytest.mark.parametrize("planners", [1, 3])
def test_the_beat_planner_starts_helpers_that_share_the_due_learners(settings, refunds, planners):
    """Each minute's planner starts NUDGES_PLANNERS − 1 helpers; whoever claims a learner plans
    them, the others find nothing left and stop after one claim."""
    from django.utils import timezone

    from backend.celery import app as celery_app
    from nudges import tasks

    settings.NUDGES_PLANNERS = planners
    now = timezone.now()
    learner = due_learner(check_at=now - datetime.timedelta(minutes=1))
    add_card(learner, refunds, due=now - HOUR)
    celery_app.conf.task_always_eager = True  # the helpers run in-process, one after another
    try:
        with CaptureQueriesContext(connection) as queries:
            tasks.plan()
    finally:
        celery_app.conf.task_always_eager = False
    claims = [q for q in queries.captured_queries if "SKIP LOCKED" in q["sql"]]
    assert len(claims) == planners
    assert Nudge.objects.filter(learner=learner).count() <= 1
    learner.refresh_from_db()
    assert learner.next_nudge_check_at > now
