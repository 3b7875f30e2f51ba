"""Every ledger row reads as one xAPI statement (actor, verb, object, result, timestamp)."""

import datetime
import uuid

import pytest

from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.ledger.events import record_events
from learning.models import Activity, Enrollment
from tests.factories import JobTaskFactory, publish_module

pytestmark = pytest.mark.django_db

BASE = "https://learn.example.com"
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
WHEN = "2026-11-23T09:30:00+01:00"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE + "/"


@pytest.fixture
def module(library):
    return publish_module(title="Process a refund", minutes_override=4)


def recorded(learner, type_, **fields) -> dict:
    client_id = str(uuid.uuid4())
    [result] = record_events(
        learner, [{"id": client_id, "type": type_, "occurred_at": WHEN, **fields}], now=NOW
    ).results
    assert result.status == "accepted", result.reason
    return Activity.objects.select_related("learner__user").get(client_id=client_id).as_xapi()


def test_a_statement_names_its_actor_and_time_and_uses_the_client_id(learner, module):
    learner.user.first_name, learner.user.last_name = "Dana", "Scully"
    learner.user.save()
    statement = recorded(learner, "module_started", module_id=module.pk)
    assert statement["actor"] == {
        "objectType": "Agent",
        "name": "Dana Scully",
        "mbox": "mailto:dana@example.com",
    }
    assert statement["timestamp"] == "2026-11-23T08:30:00+00:00"
    assert uuid.UUID(statement["id"])


def test_module_started(learner, module):
    statement = recorded(learner, "module_started", module_id=module.pk)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"
    assert statement["object"] == {
        "id": f"{BASE}/api/v1/modules/{module.pk}",
        "definition": {"name": {"en": "Process a refund"}},
    }
    assert "result" not in statement
    assert "context" not in statement  # not part of the 70:20:10 mix


def test_module_completed(learner, module):
    statement = recorded(learner, "module_completed", module_id=module.pk)
    assert statement["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed a module"},
    }
    assert statement["object"]["id"] == f"{BASE}/api/v1/modules/{module.pk}"
    assert statement["result"] == {"duration": "PT4M"}
    assert statement["context"] == {"extensions": {f"{BASE}/xapi/category": "formal"}}


def test_step_done(learner, module):
    event = ChangeEvent(name="Launch", kind="product_launch", date=datetime.date(2026, 11, 20))
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = [JourneyStep(title="Do a refund", kind="on_the_job", confirmed_by="manager")]
    event.save()
    event.save_revision().publish()
    Enrollment.objects.create(learner=learner, event=event, anchor_date=event.date)
    step = event.steps.get()
    statement = recorded(learner, "step_done", step_id=step.pk, minutes=25)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"] == {
        "id": f"{BASE}/journey-steps/{step.pk}",
        "definition": {"name": {"en": "Do a refund"}},
    }
    assert statement["result"] == {"duration": "PT25M"}
    assert statement["context"]["extensions"][f"{BASE}/xapi/category"] == "experience"


def test_activity_logged(learner):
    task = JobTaskFactory(name="Handle a complaint")
    client_id = str(uuid.uuid4())
    record_events(
        learner,
        [
            {
                "id": client_id,
                "type": "activity_logged",
                "occurred_at": WHEN,
                "category": "social",
                "minutes": 45,
                "title": "Complaint call with a mentor",
                "job_task_id": task.pk,
            }
        ],
        now=NOW,
    )
    statement = Activity.objects.get(client_id=client_id).as_xapi()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["object"] == {
        "id": f"{BASE}/activities/{client_id}",
        "definition": {"name": {"en": "Complaint call with a mentor"}},
    }
    assert statement["result"] == {"duration": "PT45M"}
    assert statement["context"]["extensions"][f"{BASE}/xapi/category"] == "social"


def test_feedback(learner, module):
    statement = recorded(
        learner, "feedback", module_id=module.pk, rating=2, comment="The video would not load."
    )
    assert statement["verb"] == {
        "id": "http://id.tincanapi.com/verb/rated",
        "display": {"en-US": "gave feedback"},
    }
    assert statement["object"]["id"] == f"{BASE}/api/v1/modules/{module.pk}"
    assert statement["result"] == {
        "score": {"raw": 2, "min": 1, "max": 5},
        "response": "The video would not load.",
    }
    assert "context" not in statement


def test_nudge_opened(learner):
    statement = recorded(learner, "nudge_opened", nudge_id=41)
    assert statement["verb"]["id"] == "http://activitystrea.ms/schema/1.0/open"
    assert statement["object"] == {"id": f"{BASE}/nudges/41"}
    assert "result" not in statement
