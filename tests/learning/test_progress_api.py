"""GET /me/progress: journey completion, the 70:20:10 mix and the streak in the learner's own days."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.journeys.progress import progress_for, streak_for
from learning.models import Activity, Confirmation, Enrollment, Verb
from tests.factories import LearnerFactory, UserFactory, publish_module, token_client

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def live_event(*, steps, name="Smart Tariff launch", date=None):
    # Saved live without publishing: the publish signal would enrol through Celery.
    event = ChangeEvent(name=name, kind="product_launch", date=date or datetime.date(2026, 11, 1))
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = steps
    event.save()
    return event


def log(learner, *, when, category="experience", minutes=10, verb=Verb.ACTIVITY_LOGGED, **fields):
    return Activity.objects.create(
        learner=learner, verb=verb, category=category, minutes=minutes, occurred_at=when, **fields
    )


def test_progress_shows_journey_completion_mix_and_streak(learner, api_client, library):
    module = publish_module(title="Tariffs in two minutes")
    today = timezone.now().astimezone(learner.tz).date()
    event = live_event(
        steps=[
            JourneyStep(title="Read", kind="formal", module=module, day_offset=0, due_offset=10),
            JourneyStep(title="Explain it to a customer", kind="on_the_job", day_offset=0),
            JourneyStep(title="Later", kind="social", day_offset=30),
        ]
    )
    enrollment = Enrollment.objects.create(learner=learner, event=event, anchor_date=today)
    now = timezone.now()
    log(learner, when=now, verb=Verb.MODULE_COMPLETED, category="formal", minutes=3, module=module)
    log(learner, when=now - datetime.timedelta(days=1), category="experience", minutes=60)
    log(learner, when=now - datetime.timedelta(days=2), category="social", minutes=27)
    # Waiting for the manager: neither done nor in the mix yet.
    log(
        learner,
        when=now,
        verb=Verb.STEP_DONE,
        minutes=30,
        step=event.steps.get(kind="on_the_job"),
        confirmation=Confirmation.PENDING,
    )

    response = api_client.get("/api/v1/me/progress")

    assert response.status_code == 200
    body = response.json()
    assert body["today"] == today.isoformat()
    assert body["journeys"] == [
        {
            "journey_id": enrollment.pk,
            "event_id": event.pk,
            "event_name": "Smart Tariff launch",
            "event_kind": "product_launch",
            "steps_done": 1,
            "steps_total": 3,
            "overdue_steps": 0,
            "completion": 0.333,
        }
    ]
    assert (body["steps_done"], body["steps_total"], body["completion"]) == (1, 3, 0.333)
    assert body["mix"] == {
        "total_minutes": 90,
        "categories": [
            {"category": "experience", "minutes": 60, "count": 1, "share": 0.667, "reference": 0.7},
            {"category": "social", "minutes": 27, "count": 1, "share": 0.3, "reference": 0.2},
            {"category": "formal", "minutes": 3, "count": 1, "share": 0.033, "reference": 0.1},
        ],
    }
    assert body["streak"] == {"days": 3, "active_today": True, "last_active_on": today.isoformat()}


def test_a_new_learner_has_empty_progress(learner, api_client):
    body = api_client.get("/api/v1/me/progress").json()
    assert body["journeys"] == []
    assert body["completion"] == 0.0
    assert body["mix"]["total_minutes"] == 0
    assert [c["share"] for c in body["mix"]["categories"]] == [0.0, 0.0, 0.0]
    assert body["streak"] == {"days": 0, "active_today": False, "last_active_on": None}


def test_progress_shows_only_my_own_activity_and_journeys(learner, api_client, library):
    other = LearnerFactory()
    event = live_event(steps=[JourneyStep(title="Shadow a call", kind="social")])
    Enrollment.objects.create(learner=other, event=event, anchor_date=datetime.date(2026, 11, 1))
    log(other, when=timezone.now(), minutes=45)
    body = api_client.get("/api/v1/me/progress").json()
    assert body["journeys"] == []
    assert body["mix"]["total_minutes"] == 0
    assert body["streak"]["days"] == 0


def test_progress_needs_a_token_and_a_learner_profile(client):
    assert client.get("/api/v1/me/progress").status_code == 401
    not_a_learner = token_client(UserFactory(username="author"))
    assert not_a_learner.get("/api/v1/me/progress").status_code == 404


# --- Streak, in the learner's own days ----------------------------------------------------------


NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def days_ago(n, hour=9):
    return (NOW - datetime.timedelta(days=n)).replace(hour=hour)


def test_streak_counts_consecutive_days_ending_today():
    learner = LearnerFactory(timezone="UTC")
    for n in (0, 1, 1, 2, 4):  # two on one day count once; the gap on day 3 ends the streak
        log(learner, when=days_ago(n))
    streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.active_today, streak.last_active_on) == (3, True, NOW.date())


def test_a_streak_ending_yesterday_is_still_alive_until_today_ends():
    learner = LearnerFactory(timezone="UTC")
    log(learner, when=days_ago(1))
    log(learner, when=days_ago(2))
    streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.active_today) == (2, False)


def test_a_day_without_activity_before_yesterday_breaks_the_streak():
    learner = LearnerFactory(timezone="UTC")
    log(learner, when=days_ago(2))
    log(learner, when=days_ago(3))
    streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.last_active_on) == (0, days_ago(2).date())


def test_opening_a_nudge_keeps_no_streak_alive():
    learner = LearnerFactory(timezone="UTC")
    log(learner, when=days_ago(0), verb=Verb.NUDGE_OPENED, category=None, minutes=0, nudge_id=1)
    log(learner, when=days_ago(1))
    streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.active_today) == (1, False)


def test_streak_days_are_the_learners_local_days():
    # 10:00 UTC on the 22nd is 23:00 on the 22nd in Auckland (UTC+13); 11:30 UTC on the 23rd is
    # 00:30 on the 24th there. In UTC those are two consecutive days; in Auckland a day is missing.
    activities = [
        datetime.datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
        datetime.datetime(2026, 11, 23, 11, 30, tzinfo=UTC),
    ]
    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    auckland = LearnerFactory(timezone="Pacific/Auckland")
    london = LearnerFactory(timezone="UTC")
    for learner in (auckland, london):
        for when in activities:
            log(learner, when=when)
    in_auckland = streak_for(auckland, now=now)
    in_utc = streak_for(london, now=now)
    assert (in_auckland.days, in_auckland.last_active_on) == (1, datetime.date(2026, 11, 24))
    assert (in_utc.days, in_utc.last_active_on) == (2, datetime.date(2026, 11, 23))


def test_today_ends_at_the_learners_midnight():
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    learner = LearnerFactory(timezone="America/Los_Angeles")
    log(learner, when=datetime.datetime(2026, 11, 23, 20, 0, tzinfo=la))  # 04:00 UTC on the 24th
    late_evening = datetime.datetime(2026, 11, 23, 23, 59, tzinfo=la)
    assert streak_for(learner, now=late_evening).active_today
    progress = progress_for(learner, now=late_evening)
    assert progress.today == datetime.date(2026, 11, 23)
    next_morning = datetime.datetime(2026, 11, 24, 0, 1, tzinfo=la)
    streak = streak_for(learner, now=next_morning)
    assert (streak.days, streak.active_today) == (1, False)


# --- A fixed number of queries ------------------------------------------------------------------


def many_activities(learner, count, *, now):
    categories = ["experience", "social", "formal"]
    Activity.objects.bulk_create(
        [
            Activity(
                learner=learner,
                verb=Verb.ACTIVITY_LOGGED,
                category=categories[i % 3],
                minutes=5,
                occurred_at=now - datetime.timedelta(hours=7 * i),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


@pytest.mark.parametrize("count", [10, 10_000])
def test_progress_runs_a_fixed_number_of_queries(
    count, learner, api_client, library, django_assert_max_num_queries
):
    modules = [publish_module(title=f"Module {i}") for i in range(3)]
    for n in range(2):
        event = live_event(
            name=f"Event {n}",
            steps=[
                JourneyStep(title=f"Step {i}", kind="formal", module=m, day_offset=i)
                for i, m in enumerate(modules)
            ]
            + [JourneyStep(title="On the job", kind="on_the_job", day_offset=2)],
        )
        Enrollment.objects.create(
            learner=learner, event=event, anchor_date=datetime.date(2026, 11, 1)
        )
    now = timezone.now()
    many_activities(learner, count, now=now)

    with django_assert_max_num_queries(12):
        response = api_client.get("/api/v1/me/progress")

    assert response.status_code == 200
    body = response.json()
    assert len(body["journeys"]) == 2
    assert sum(c["count"] for c in body["mix"]["categories"]) == count
    # One activity every 7 hours: at least one on every local day since the first.
    assert body["streak"]["days"] >= count * 7 // 24 - 1


def test_a_streak_longer_than_the_recent_window_counts_every_day(django_assert_num_queries):
    from learning.journeys.progress import STREAK_WINDOW_DAYS

    learner = LearnerFactory(timezone="UTC")
    for n in range(STREAK_WINDOW_DAYS + 5):
        log(learner, when=days_ago(n))
    with django_assert_num_queries(2):  # the window, then the whole history
        streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.active_today) == (STREAK_WINDOW_DAYS + 5, True)


def test_a_streak_within_the_window_reads_only_the_window(django_assert_num_queries):
    learner = LearnerFactory(timezone="UTC")
    for n in (0, 1, 2, 200, 201):
        log(learner, when=days_ago(n))
    with django_assert_num_queries(1):
        streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.last_active_on) == (3, NOW.date())


def test_the_last_active_day_is_found_before_the_window(django_assert_num_queries):
    learner = LearnerFactory(timezone="UTC")
    log(learner, when=days_ago(300))
    with django_assert_num_queries(2):
        streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.last_active_on) == (0, days_ago(300).date())


def test_a_streak_ending_yesterday_at_the_windows_edge_is_counted_whole():
    from learning.journeys.progress import STREAK_WINDOW_DAYS

    learner = LearnerFactory(timezone="UTC")
    for n in range(1, STREAK_WINDOW_DAYS + 1):  # yesterday back to just past the window's start
        log(learner, when=days_ago(n))
    streak = streak_for(learner, now=NOW)
    assert (streak.days, streak.active_today) == (STREAK_WINDOW_DAYS, False)
