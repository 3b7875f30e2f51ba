"""A buddy is nudged when a step waits for their confirmation: woken when the learner records it,
told once per newest step, and told nothing more once they have confirmed."""

import datetime
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.journeys import confirmations
from learning.ledger import events
from learning.models import Enrollment, Learner
from nudges.models import Nudge
from nudges.planning import plan_nudges
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 2026-03-02, 08:10 in Berlin: inside the default 08:00–08:40 window.
NOW = datetime.datetime(2026, 3, 2, 8, 10, tzinfo=BERLIN).astimezone(datetime.UTC)


@pytest.fixture
def pair(library):
    chris = LearnerFactory(
        user__username="chris", user__first_name="Chris", timezone="Europe/Berlin"
    )
    sam = LearnerFactory(user__username="sam", user__first_name="Sam", timezone="Asia/Tokyo")
    event = ChangeEvent(name="Onboarding", kind="onboarding", date=NOW.date(), live=True)
    event.steps = [
        JourneyStep(title="Meet your buddy", kind="social", confirmed_by="buddy", day_offset=-1),
        JourneyStep(title="Shadow a call", kind="social", confirmed_by="buddy", day_offset=-1),
    ]
    event.save()
    Enrollment.objects.create(learner=sam, event=event, anchor_date=NOW.date(), buddy=chris.user)
    # Nothing due for Chris until something happens.
    Learner.objects.filter(pk=chris.pk).update(
        next_nudge_check_at=timezone.now() + datetime.timedelta(days=6)
    )
    return chris, sam, list(event.steps.order_by("sort_order", "pk"))


def done(learner, step, *, at):
    result = events.record_events(
        learner,
        [
            {
                "id": str(uuid.uuid4()),
                "type": "step_done",
                "occurred_at": (at - datetime.timedelta(minutes=10)).isoformat(),
                "step_id": step.pk,
            }
        ],
        now=at,
    )
    assert result.results[0].status == events.ACCEPTED


def nudges_for(learner):
    return list(Nudge.objects.filter(learner=learner, kind="confirmation").order_by("pk"))


def test_the_buddy_is_woken_and_told_once_who_waits(pair):
    chris, sam, (meet, _) = pair
    done(sam, meet, at=NOW)
    # Woken now (by the database's clock); the test's planner runs at NOW.
    assert Learner.objects.get(pk=chris.pk).next_nudge_check_at <= timezone.now()
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)

    plan_nudges(now=NOW)

    (nudge,) = nudges_for(chris)
    assert (nudge.title, nudge.body, nudge.deep_link) == (
        "Sam is waiting for you",
        "Confirm “Meet your buddy” when you have a minute.",
        "micromoments://confirmations",
    )
    # Looked at again with nothing new: nothing twice.
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)
    plan_nudges(now=NOW + datetime.timedelta(minutes=1))
    assert len(nudges_for(chris)) == 1


def test_a_newer_step_gets_a_new_nudge_and_a_confirmed_one_none(pair):
    chris, sam, (meet, shadow) = pair
    done(sam, meet, at=NOW)
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)
    plan_nudges(now=NOW)
    Nudge.objects.filter(learner=chris).update(state=Nudge.State.SENT, sent_at=NOW)

    done(sam, shadow, at=NOW + datetime.timedelta(minutes=5))
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)
    plan_nudges(now=NOW + datetime.timedelta(minutes=6))
    _, second = nudges_for(chris)
    assert second.title == "2 steps wait for your confirmation"
    assert second.body == "The newest: Sam, “Shadow a call”."

    for item in confirmations.inbox(chris.user):
        confirmations.confirm(chris.user, item.pk, now=NOW + datetime.timedelta(minutes=7))
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)
    plan_nudges(now=NOW + datetime.timedelta(minutes=8))
    assert len(nudges_for(chris)) == 2


def test_a_manager_confirming_for_a_learner_with_no_buddy_gets_no_buddy_nudge(pair):
    chris, sam, (meet, _) = pair
    Enrollment.objects.filter(learner=sam).update(buddy=None)
    done(sam, meet, at=NOW)
    Learner.objects.filter(pk=chris.pk).update(next_nudge_check_at=NOW)
    plan_nudges(now=NOW)
    assert nudges_for(chris) == []
