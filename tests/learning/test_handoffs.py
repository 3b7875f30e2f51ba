"""Nothing lost when the broker is down: hand-offs to Celery after a commit (cms.handoff) against a
Redis of the test's own on a spare port, stopped and started again."""

import datetime
import logging

import pytest

from cms.models import ChangeEvent, EventAudience
from learning import tasks
from learning.models import Enrollment
from nudges.models import Nudge
from nudges.tasks import dispatch
from tests.brokers import own_redis_broker
from tests.factories import LearnerFactory, UserFactory
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_broker():
    with own_redis_broker() as own:
        yield own


def launch_for_agents() -> ChangeEvent:
    event = ChangeEvent(
        name="Flex launch", kind="product_launch", date=datetime.date(2026, 11, 23), live=False
    )
    event.audience_rules = [EventAudience(role="Support agent")]
    event.save()
    return event


def test_an_event_published_with_the_broker_down_is_enrolled_by_the_next_sweep(
    own_broker, django_capture_on_commit_callbacks, caplog
):
    agents = [LearnerFactory(role="Support agent") for _ in range(3)]
    LearnerFactory(role="Engineer")
    event = launch_for_agents()

    # The broker is down: publishing commits, the hand-off fails quietly and says so.
    with (
        caplog.at_level(logging.WARNING, logger="cms.handoff"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        event.save_revision().publish()
    assert ChangeEvent.objects.get(pk=event.pk).live
    assert not Enrollment.objects.exists()
    assert "left to learning.tasks.reconcile_enrolments" in caplog.text

    # It comes back: hand-offs reach it again, and one sweep enrols the audience, once.
    own_broker.start()
    tasks.reconcile_enrolments.delay()
    assert own_broker.queued() == 1
    assert tasks.reconcile_enrolments.apply().get() == 3
    assert sorted(Enrollment.objects.values_list("learner_id", flat=True)) == sorted(
        a.pk for a in agents
    )
    assert tasks.reconcile_enrolments.apply().get() == 0  # the next sweep finds nothing to do


def test_a_publish_with_the_broker_up_hands_the_enrolment_to_it(
    own_broker, django_capture_on_commit_callbacks
):
    own_broker.start()
    LearnerFactory(role="Support agent")
    event = launch_for_agents()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    assert own_broker.queued() == 1  # for a worker; nothing ran here
    assert not Enrollment.objects.exists()


def test_a_password_link_asked_for_with_the_broker_down_is_sent_from_the_request(
    own_broker, client, smtp_server, django_capture_on_commit_callbacks
):
    UserFactory(username="sam", email="sam@brightwave.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/auth/password/reset",
            {"email": "sam@brightwave.example"},
            content_type="application/json",
        )
    assert response.status_code == 202
    assert [m["To"] for m in smtp_server.messages] == ["sam@brightwave.example"]


def test_a_nudge_batch_the_broker_lost_is_handed_on_by_the_next_dispatch(
    own_broker, django_capture_on_commit_callbacks
):
    nudge = NudgeFactory()  # planned a minute ago
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.apply().get() == 1  # the broker is down: lost
    assert Nudge.objects.get(pk=nudge.pk).state == Nudge.State.PLANNED  # still waiting
    own_broker.start()
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.apply().get() == 1
    assert own_broker.queued() == 1  # handed on, for a sender


def test_the_planner_plans_alone_when_it_cannot_start_its_helpers(own_broker, settings):
    from nudges.tasks import plan

    settings.NUDGES_PLANNERS = 3
    assert plan.apply().get() == 0  # nobody due: it ran, and did not fail on the broker
