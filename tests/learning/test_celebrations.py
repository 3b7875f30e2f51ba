"""Moments of glory: a journey's last step done, a step confirmed, a week of practice. Each is
recorded once, appears in one today feed, and the planner tells the learner in their next window."""

import datetime
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.journeys import confirmations
from learning.models import Card, Celebration, Enrollment, Learner
from learning.practice import cards as practice
from nudges.models import Nudge
from nudges.planning import plan_nudges
from tests.factories import LearnerFactory, UserFactory, publish_module, question

pytestmark = pytest.mark.django_db


def done(client, step):
    response = client.post(
        "/api/v1/events",
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "step_done",
                    "occurred_at": (timezone.now() - datetime.timedelta(minutes=2)).isoformat(),
                    "step_id": step.pk,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.json()["results"][0]["status"] == "accepted"


@pytest.fixture
def two_steps(library, learner):
    boss = UserFactory(username="boss", first_name="Morgan", last_name="Manager")
    Learner.objects.filter(pk=learner.pk).update(manager=boss)
    event = ChangeEvent(name="Tariff rollout", kind="software_rollout", date=timezone.now().date())
    event.live = True
    event.steps = [
        JourneyStep(title="Read the memo", kind="social", day_offset=0),
        JourneyStep(title="Five switches", kind="on_the_job", confirmed_by="manager", day_offset=0),
    ]
    event.save()
    Enrollment.objects.create(learner=learner, event=event, anchor_date=event.date)
    return boss, list(event.steps.order_by("sort_order", "pk"))


def test_the_last_step_and_its_confirmation_are_celebrated_once_in_one_feed(
    learner, api_client, two_steps
):
    boss, (memo, switches) = two_steps
    done(api_client, memo)
    done(api_client, switches)  # waits for the manager: the journey is not finished yet
    assert not Celebration.objects.exists()

    (waiting,) = confirmations.inbox(boss)
    confirmations.confirm(boss, waiting.pk, now=timezone.now())

    feed = api_client.get("/api/v1/me/today").json()
    assert [(c["kind"], c["title"], c["detail"]) for c in feed["celebrations"]] == [
        ("confirmed", "Confirmed: Five switches", "Morgan Manager confirmed “Five switches”."),
        ("journey_done", "Tariff rollout: journey complete", "All 2 steps done."),
    ]
    # Shown once: the next feed has nothing to celebrate.
    assert api_client.get("/api/v1/me/today").json()["celebrations"] == []
    # Replaying the same progress records nothing twice.
    confirmations.celebrate_confirmation(waiting, boss, now=timezone.now())
    assert Celebration.objects.count() == 2


def test_seven_days_of_practice_in_a_row_is_a_week_celebrated_once(library):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    learner = LearnerFactory(timezone="Asia/Tokyo")
    module = publish_module(title="Refunds", body=[question()])
    card = Card.objects.create(
        learner=learner,
        module=module,
        block_id=module.body[0].id,
        due=datetime.datetime(2026, 3, 1, tzinfo=tokyo),
        answer_fingerprint="x",
    )

    def answer(day, hour=8):
        moment = datetime.datetime(2026, 3, day, hour, tzinfo=tokyo)
        practice.answer(
            learner,
            card_id=card.pk,
            client_id=uuid.uuid4(),
            answered_at=moment,
            rating=3,
            response_ms=4000,
            now=moment + datetime.timedelta(minutes=1),
        )

    for day in range(2, 8):  # six days in a row
        answer(day)
    assert not Celebration.objects.exists()
    # 23:30 on the 8th in Tokyo is still the 8th there (14:30 UTC): the seventh day.
    answer(8, hour=23)
    (week,) = Celebration.objects.all()
    assert (week.kind, week.title, week.detail) == (
        "practice_week",
        "A week of practice",
        "You practised every day for 7 days in a row.",
    )
    answer(8, hour=23)  # again the same day: still one
    assert Celebration.objects.count() == 1


def test_the_planner_tells_the_learner_in_their_next_window_once(learner, two_steps, settings):
    Celebration.objects.create(
        learner=learner,
        kind="journey_done",
        key="journey:1",
        title="Tariff rollout: journey complete",
        detail="All 2 steps done.",
        achieved_at=timezone.now(),
    )
    settings.NUDGES_DEFAULT_WINDOW = ("00:00", "23:59")
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=timezone.now())

    plan_nudges(now=timezone.now())

    (nudge,) = Nudge.objects.filter(learner=learner, kind="celebration")
    assert (nudge.title, nudge.body, nudge.deep_link) == (
        "Tariff rollout: journey complete",
        "All 2 steps done.",
        "micromoments://today",
    )
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=timezone.now())
    plan_nudges(now=timezone.now())
    assert Nudge.objects.filter(learner=learner, kind="celebration").count() == 1
