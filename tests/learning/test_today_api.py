"""GET /me/today: the steps I can act on first, then modules that fit in the minutes I have."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.journeys.today import today_feed
from learning.models import Activity, Confirmation, Enrollment, Verb
from tests.factories import (
    JobTaskFactory,
    LearnerFactory,
    UserFactory,
    publish_module,
    token_client,
)

pytestmark = pytest.mark.django_db


def live_event(*, steps, name="Smart Tariff launch"):
    # Saved live without publishing: the publish signal would enrol through Celery.
    event = ChangeEvent(name=name, kind="product_launch", date=datetime.date(2026, 11, 1))
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = steps
    event.save()
    return event


def local_today(learner):
    return timezone.now().astimezone(learner.tz).date()


def complete(learner, module, *, when=None):
    Activity.objects.create(
        learner=learner,
        verb=Verb.MODULE_COMPLETED,
        category="formal",
        module=module,
        minutes=module.estimated_minutes,
        occurred_at=when or timezone.now(),
    )


def test_overdue_then_due_soon_then_other_unlocked_steps(learner, api_client):
    today = local_today(learner)
    event = live_event(
        steps=[
            JourneyStep(title="Later this month", kind="social", day_offset=0, due_offset=20),
            JourneyStep(title="Due tomorrow", kind="social", day_offset=0, due_offset=1),
            JourneyStep(title="Missed", kind="on_the_job", day_offset=-5, due_offset=2),
            JourneyStep(title="Not yet", kind="social", day_offset=3),
            JourneyStep(title="Already done", kind="social", day_offset=0),
            JourneyStep(title="Waiting for my manager", kind="on_the_job", confirmed_by="manager"),
        ]
    )
    enrollment = Enrollment.objects.create(learner=learner, event=event, anchor_date=today)
    for title, confirmation in [
        ("Already done", Confirmation.NOT_NEEDED),
        ("Waiting for my manager", Confirmation.PENDING),
    ]:
        Activity.objects.create(
            learner=learner,
            verb=Verb.STEP_DONE,
            step=event.steps.get(title=title),
            confirmation=confirmation,
            occurred_at=timezone.now(),
        )

    response = api_client.get("/api/v1/me/today?minutes=60")

    assert response.status_code == 200
    body = response.json()
    assert (body["date"], body["minutes"]) == (today.isoformat(), 60)
    steps = [(s["title"], s["state"], s["due_soon"], s["priority"]) for s in body["steps"]]
    assert steps == [
        ("Missed", "overdue", False, "overdue_step"),
        ("Due tomorrow", "available", True, "step"),
        ("Later this month", "available", False, "step"),
    ]
    # Steps without a module take the default estimate: 3 x 5 minutes.
    assert (body["planned_minutes"], body["nothing_fits"]) == (15, False)
    assert body["message"] == "15 of your 60 min planned."
    missed = body["steps"][0]
    assert missed["journey_id"] == enrollment.pk
    assert missed["event_name"] == "Smart Tariff launch"
    assert missed["category"] == "experience"
    assert missed["due_on"] == (today - datetime.timedelta(days=3)).isoformat()


def test_modules_that_fit_related_to_my_journeys_and_their_job_tasks(learner, api_client, library):
    refunds = JobTaskFactory(name="Process a refund")
    tariffs = JobTaskFactory(name="Explain a tariff")
    unrelated_task = JobTaskFactory(name="Fix a printer")
    today = local_today(learner)

    step_module = publish_module(title="Step: refunds", minutes_override=3, job_tasks=[refunds])
    read_ahead = publish_module(title="Read ahead", minutes_override=4)
    publish_module(title="Refunds by card", minutes_override=2, job_tasks=[refunds])
    publish_module(title="Tariffs explained", minutes_override=5, job_tasks=[tariffs])
    too_long = publish_module(title="Long refunds", minutes_override=15, job_tasks=[refunds])
    done = publish_module(title="Done already", minutes_override=2, job_tasks=[refunds])
    draft = publish_module(title="Draft", minutes_override=2, job_tasks=[refunds], live=False)
    unrelated = publish_module(title="Printers", minutes_override=2, job_tasks=[unrelated_task])
    event = live_event(
        steps=[
            JourneyStep(title="Learn refunds", kind="formal", module=step_module, day_offset=0),
            JourneyStep(title="Next week", kind="formal", module=read_ahead, day_offset=7),
            JourneyStep(title="Explain one", kind="on_the_job", job_task=tariffs, day_offset=0),
        ]
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=today)
    complete(learner, done)

    body = api_client.get("/api/v1/me/today?minutes=15").json()

    # The step's own module is in the steps, with its length, and not offered twice; the on-the-job
    # step takes the default estimate.
    assert [(s["title"], s["module_id"], s["estimated_minutes"]) for s in body["steps"]] == [
        ("Learn refunds", step_module.pk, 3),
        ("Explain one", None, 5),
    ]
    # Then modules for the journeys' job tasks, shortest first, while they fit (3 + 5 + 2 + 5).
    assert [(m["title"], m["reason"]) for m in body["modules"]] == [
        ("Refunds by card", "job_task"),
        ("Tariffs explained", "job_task"),
    ]
    refunds_by_card = body["modules"][0]
    assert set(refunds_by_card) == {"id", "title", "summary", "estimated_minutes", "reason"}
    assert refunds_by_card["estimated_minutes"] == 2
    # Nothing for a locked step: next week's module waits for its step to unlock.
    offered = {m["id"] for m in body["modules"]}
    assert offered.isdisjoint({read_ahead.pk, too_long.pk, done.pk, draft.pk, unrelated.pk})
    assert body["planned_minutes"] == 15

    # In 5 minutes: the 3-minute step, then the 2-minute module; the 5-minute step does not fit.
    shorter = api_client.get("/api/v1/me/today?minutes=5").json()
    assert [s["title"] for s in shorter["steps"]] == ["Learn refunds"]
    assert [m["title"] for m in shorter["modules"]] == ["Refunds by card"]
    assert [(p["type"], p["minutes"]) for p in shorter["plan"]] == [("step", 3), ("module", 2)]


def test_a_learner_without_journeys_gets_an_empty_feed(learner, api_client, library):
    publish_module(title="Anything", minutes_override=1)
    body = api_client.get("/api/v1/me/today").json()
    assert (body["steps"], body["modules"]) == ([], [])


def test_the_feed_shows_only_my_journeys_and_my_completions(learner, api_client, library):
    other = LearnerFactory()
    task = JobTaskFactory(name="Process a refund")
    module = publish_module(title="Mine too", minutes_override=2, job_tasks=[task])
    theirs = live_event(
        name="Their event", steps=[JourneyStep(title="Theirs", kind="social", day_offset=0)]
    )
    Enrollment.objects.create(learner=other, event=theirs, anchor_date=local_today(other))
    mine = live_event(
        name="My event",
        steps=[JourneyStep(title="Later", kind="on_the_job", job_task=task, day_offset=5)],
    )
    Enrollment.objects.create(learner=learner, event=mine, anchor_date=local_today(learner))
    complete(other, module)  # their completion does not take the module out of my feed

    body = api_client.get("/api/v1/me/today").json()

    assert body["steps"] == []
    assert [m["id"] for m in body["modules"]] == [module.pk]


@pytest.mark.parametrize("minutes", ["0", "61", "-3", "five"])
def test_minutes_outside_1_to_60_is_422_naming_minutes(api_client, minutes):
    response = api_client.get(f"/api/v1/me/today?minutes={minutes}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["minutes"]


def test_the_feed_needs_a_token_and_a_learner_profile(client):
    assert client.get("/api/v1/me/today").status_code == 401
    not_a_learner = token_client(UserFactory(username="author"))
    assert not_a_learner.get("/api/v1/me/today").status_code == 404


def test_today_is_the_learners_local_day(library):
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    learner = LearnerFactory(timezone="America/Los_Angeles")
    event = live_event(
        steps=[JourneyStep(title="Day two", kind="social", day_offset=1, due_offset=0)]
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=datetime.date(2026, 11, 23))
    # 07:59 UTC on the 24th is still the 23rd in Los Angeles: the step is locked...
    before = today_feed(
        learner, minutes=5, now=datetime.datetime(2026, 11, 24, 7, 59, tzinfo=datetime.UTC)
    )
    assert (before.date, before.steps) == (datetime.date(2026, 11, 23), [])
    # ...and unlocks at local midnight, due that same day.
    after = today_feed(learner, minutes=5, now=datetime.datetime(2026, 11, 24, 0, 0, tzinfo=la))
    assert after.date == datetime.date(2026, 11, 24)
    assert [(s.title, s.state, s.due_soon) for s in after.steps] == [("Day two", "available", True)]


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_feed_runs_a_fixed_number_of_queries(
    count, learner, api_client, library, django_assert_max_num_queries
):
    tasks = [JobTaskFactory(name=f"Task {i}") for i in range(3)]
    modules = [
        publish_module(title=f"Module {i}", minutes_override=1 + i % 5, job_tasks=[tasks[i % 3]])
        for i in range(12)
    ]
    for n in range(2):
        event = live_event(
            name=f"Event {n}",
            steps=[
                JourneyStep(title=f"Step {i}", kind="formal", module=m, day_offset=i - 1)
                for i, m in enumerate(modules[n * 3 : n * 3 + 3])
            ]
            + [JourneyStep(title="On the job", kind="on_the_job", job_task=tasks[n], day_offset=0)],
        )
        Enrollment.objects.create(learner=learner, event=event, anchor_date=local_today(learner))
    now = timezone.now()
    Activity.objects.bulk_create(
        [
            Activity(
                learner=learner,
                verb=Verb.MODULE_COMPLETED if i % 2 else Verb.ACTIVITY_LOGGED,
                module=modules[11] if i % 2 else None,
                category="formal" if i % 2 else "experience",
                minutes=3,
                occurred_at=now - datetime.timedelta(hours=i),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )

    with django_assert_max_num_queries(12):
        response = api_client.get("/api/v1/me/today?minutes=60")

    assert response.status_code == 200
    body = response.json()
    assert len(body["steps"]) == 6
    assert body["modules"]
    assert modules[11].pk not in {m["id"] for m in body["modules"]}


# --- Fitting the minutes given --------------------------------------------------------------------


def due_practice(learner, *, count: int, now=None):
    """`count` cards due now for one module's questions."""
    from learning.models import Card
    from tests.factories import question

    module = publish_module(
        title="Practice",
        body=[
            question(prompt=f"Question {i}?", choices=(("Yes", True), ("No", False)))
            for i in range(count)
        ],
    )
    now = now or timezone.now()
    for block in module.body:
        Card.objects.create(
            learner=learner,
            module=module,
            block_id=block.id,
            due=now - datetime.timedelta(hours=1),
            answer_fingerprint="x",
        )
    return module


def test_the_plan_takes_overdue_then_due_today_then_practice_then_the_rest(
    learner, api_client, library
):
    task = JobTaskFactory(name="Process a refund")
    publish_module(title="For the task", minutes_override=2, job_tasks=[task])
    due_practice(learner, count=4)  # 4 reviews of 30 s: 2 minutes
    event = live_event(
        steps=[
            JourneyStep(title="Later", kind="social", estimated_minutes=1, due_offset=9),
            JourneyStep(title="Today", kind="social", estimated_minutes=2, due_offset=0),
            JourneyStep(title="Missed", kind="social", estimated_minutes=3, day_offset=-5),
            JourneyStep(title="Locked", kind="on_the_job", job_task=task, day_offset=4),
        ]
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=local_today(learner))

    body = api_client.get("/api/v1/me/today?minutes=10").json()

    assert [(p["type"], p["minutes"]) for p in body["plan"]] == [
        ("overdue_step", 3),
        ("due_today_step", 2),
        ("practice", 2),
        ("step", 1),
        ("module", 2),
    ]
    assert (body["planned_minutes"], body["nothing_fits"]) == (10, False)
    assert body["practice"] | {"cards": len(body["practice"]["cards"])} == {
        "due": 4,
        "offered": 4,
        "minutes": 2,
        "cards": 3,
    }
    assert [s["title"] for s in body["steps"]] == ["Missed", "Today", "Later"]
    assert "Locked" not in {s["title"] for s in body["steps"]}

    # With 6 minutes: the two steps that are due (5), then as many reviews as fit (2 of 4).
    tight = api_client.get("/api/v1/me/today?minutes=6").json()
    assert [(p["type"], p.get("reviews")) for p in tight["plan"]] == [
        ("overdue_step", None),
        ("due_today_step", None),
        ("practice", 2),
    ]
    assert (tight["practice"]["due"], tight["practice"]["offered"]) == (4, 2)
    assert len(tight["practice"]["cards"]) == 2  # the preview shows what is offered, no more
    assert tight["planned_minutes"] == 6
    assert tight["modules"] == []


def test_the_per_review_estimate_is_a_setting(learner, api_client, library, settings):
    settings.MICROMOMENTS_REVIEW_SECONDS = 90
    due_practice(learner, count=5)
    body = api_client.get("/api/v1/me/today?minutes=5").json()
    assert (body["practice"]["offered"], body["practice"]["minutes"]) == (3, 4.5)
    assert body["planned_minutes"] == 4.5
    assert body["message"] == "4.5 of your 5 min planned."


def test_when_nothing_fits_the_answer_says_so_and_offers_the_smallest_item(
    learner, api_client, library
):
    long_one = publish_module(title="Long", minutes_override=12)
    event = live_event(
        steps=[
            JourneyStep(title="Shadow a call", kind="social", estimated_minutes=20, day_offset=-5),
            JourneyStep(title="Read the guide", kind="formal", module=long_one, day_offset=0),
        ]
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=local_today(learner))

    body = api_client.get("/api/v1/me/today?minutes=3").json()

    assert body["nothing_fits"] is True
    assert [(p["type"], p["minutes"]) for p in body["plan"]] == [("step", 12)]
    assert [s["title"] for s in body["steps"]] == ["Read the guide"]
    assert body["message"] == "Nothing fits in 3 min: the shortest thing to do takes 12 min."
    assert body["planned_minutes"] == 12


def test_with_nothing_to_do_the_plan_is_empty_and_says_so(learner, api_client, library):
    body = api_client.get("/api/v1/me/today?minutes=3").json()
    assert (body["plan"], body["nothing_fits"], body["planned_minutes"]) == ([], False, 0)
    assert body["message"] == "Nothing to do right now."


@pytest.mark.parametrize(
    ("zone", "now", "due_today"),
    [
        # 23:30 UTC on the 2nd is already the 3rd at UTC+14: a step unlocking on the 3rd and due
        # that day is "due today" there, and still locked at UTC.
        ("Pacific/Kiritimati", datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC), True),
        ("UTC", datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC), False),
        # 8 March 2026 is New York's spring-forward: 04:30 UTC is 23:30 on the 7th (EST)...
        ("America/New_York", datetime.datetime(2026, 3, 8, 4, 30, tzinfo=datetime.UTC), False),
        # ...and 04:30 UTC on the 9th is 00:30 EDT on the 9th, the day after the change.
        ("America/New_York", datetime.datetime(2026, 3, 9, 4, 30, tzinfo=datetime.UTC), True),
    ],
)
def test_due_today_and_locked_follow_the_learners_own_day(library, zone, now, due_today):
    learner = LearnerFactory(timezone=zone)
    unlock = datetime.date(2026, 3, 3) if zone != "America/New_York" else datetime.date(2026, 3, 9)
    event = live_event(
        steps=[
            JourneyStep(title="Due on the day", kind="social", estimated_minutes=2, due_offset=0),
            JourneyStep(title="Two days later", kind="social", estimated_minutes=2, day_offset=2),
        ]
    )
    Enrollment.objects.create(learner=learner, event=event, anchor_date=unlock)

    feed = today_feed(learner, minutes=10, now=now)

    if due_today:
        assert [(s.title, s.priority) for s in feed.steps] == [("Due on the day", "due_today_step")]
        assert [p.type for p in feed.plan] == ["due_today_step"]
    else:
        assert (feed.steps, feed.plan, feed.nothing_fits) == ([], [], False)
