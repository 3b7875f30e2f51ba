"""A nudge opened in the app (POST /events, `nudge_opened`) records when, for its own learner only."""

import datetime
import random
import uuid

import pytest
from django.utils import timezone

from learning.models import Card, Learner
from nudges.models import Nudge, NudgePreferences
from nudges.planning import plan_nudges
from tests.factories import LearnerFactory, publish_module, question
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"


def opened(client, nudge_id, *, at):
    item = {
        "id": str(uuid.uuid4()),
        "type": "nudge_opened",
        "occurred_at": at.isoformat(),
        "nudge_id": nudge_id,
    }
    response = client.post(URL, {"events": [item]}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"][0]["status"]


def sent_nudge(learner, *, at, **fields):
    return NudgeFactory(learner=learner, state="sent", planned_for=at, sent_at=at, **fields)


def test_opening_a_nudge_sets_opened_at(api_client, learner):
    now = timezone.now()
    nudge = sent_nudge(learner, at=now - datetime.timedelta(minutes=30))

    assert opened(api_client, nudge.pk, at=now - datetime.timedelta(minutes=2)) == "accepted"

    nudge.refresh_from_db()
    assert nudge.opened_at == now - datetime.timedelta(minutes=2)


def test_someone_elses_nudge_is_not_marked(api_client, learner):
    now = timezone.now()
    theirs = sent_nudge(LearnerFactory(), at=now - datetime.timedelta(hours=1))

    opened(api_client, theirs.pk, at=now)

    theirs.refresh_from_db()
    assert theirs.opened_at is None


def test_an_open_reported_twice_keeps_the_earlier_moment(api_client, learner):
    now = timezone.now()
    nudge = sent_nudge(learner, at=now - datetime.timedelta(hours=2))
    opened(api_client, nudge.pk, at=now - datetime.timedelta(hours=1))
    opened(api_client, nudge.pk, at=now - datetime.timedelta(minutes=1))
    opened(api_client, nudge.pk, at=now - datetime.timedelta(hours=1, minutes=30))

    nudge.refresh_from_db()
    assert nudge.opened_at == now - datetime.timedelta(hours=1, minutes=30)


def test_an_open_ends_the_back_off(api_client, learner, library):
    now = timezone.now()
    Card.objects.create(
        learner=learner,
        module=publish_module(title="Refunds", body=[question()]),
        block_id="q1",
        due=now - datetime.timedelta(hours=1),
        answer_fingerprint="x",
    )
    # Any hour of any day is fine by this learner.
    NudgePreferences.objects.create(
        learner=learner,
        windows=[{"days": list(range(7)), "start": "00:00", "end": "23:59"}],
        quiet_start=datetime.time(23, 59),
        quiet_end=datetime.time(0, 0),
        weekends=True,
    )
    Learner.objects.filter(pk=learner.pk).update(timezone="UTC")
    ignored = [sent_nudge(learner, at=now - datetime.timedelta(days=d)) for d in (3, 2, 1)]

    def plan():
        Nudge.objects.filter(state="planned").delete()
        Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=now)
        plan_nudges(now=now, rng=random.Random(0))
        return Nudge.objects.get(learner=learner, state="planned").planned_for

    # Three ignored in a row: nothing the day after yesterday's nudge.
    assert plan().date() == (now + datetime.timedelta(days=1)).date()

    opened(api_client, ignored[-1].pk, at=now - datetime.timedelta(minutes=5))

    assert plan() == now
