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

    response = api_client.get("/api/v1/me/today")

    assert response.status_code == 200
    body = response.json()
    assert (body["date"], body["minutes"]) == (today.isoformat(), 5)
    steps = [(s["title"], s["state"], s["due_soon"]) for s in body["steps"]]
    assert steps == [
        ("Missed", "overdue", False),
        ("Due tomorrow", "available", True),
        ("Later this month", "available", False),
    ]
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

    body = api_client.get("/api/v1/me/today?minutes=5").json()

    # The step's own module is in the steps, with its length, and not offered twice.
    assert [(s["title"], s["module_id"], s["estimated_minutes"]) for s in body["steps"]] == [
        ("Learn refunds", step_module.pk, 3),
        ("Explain one", None, None),
    ]
    assert [(m["title"], m["reason"]) for m in body["modules"]] == [
        ("Read ahead", "journey"),
        ("Refunds by card", "job_task"),
        ("Tariffs explained", "job_task"),
    ]
    assert body["modules"][0] == {
        "id": read_ahead.pk,
        "title": "Read ahead",
        "summary": read_ahead.summary,
        "estimated_minutes": 4,
        "reason": "journey",
    }
    offered = {m["id"] for m in body["modules"]}
    assert offered.isdisjoint({too_long.pk, done.pk, draft.pk, unrelated.pk})

    shorter = api_client.get("/api/v1/me/today?minutes=2").json()
    assert [m["title"] for m in shorter["modules"]] == ["Refunds by card"]


def test_a_learner_without_journeys_gets_an_empty_feed(learner, api_client, library):
    publish_module(title="Anything", minutes_override=1)
    body = api_client.get("/api/v1/me/today").json()
    assert (body["steps"], body["modules"]) == ([], [])


def test_the_feed_shows_only_my_journeys_and_my_completions(learner, api_client, library):
    other = LearnerFactory()
    module = publish_module(title="Mine too", minutes_override=2)
    theirs = live_event(
        name="Their event", steps=[JourneyStep(title="Theirs", kind="social", day_offset=0)]
    )
    Enrollment.objects.create(learner=other, event=theirs, anchor_date=local_today(other))
    mine = live_event(
        name="My event",
        steps=[JourneyStep(title="Later", kind="formal", module=module, day_offset=5)],
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
        response = api_client.get("/api/v1/me/today?minutes=5")

    assert response.status_code == 200
    body = response.json()
    assert len(body["steps"]) == 6
    assert body["modules"]
    assert modules[11].pk not in {m["id"] for m in body["modules"]}
