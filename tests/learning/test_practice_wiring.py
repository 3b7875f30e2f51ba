"""Practice joins the rest of the product: completing a module through POST /events makes its cards,
publishing an edit keeps them in line, and due cards reach /me/today."""

import datetime
import uuid

import pytest
from django.utils import timezone

from learning.models import Card
from tests.factories import publish_module, question, text
from tests.learning.test_practice_cards import publish_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(library):
    return publish_module(
        title="Refunds",
        body=[
            text(),
            question(
                prompt="Where do you refund?", choices=(("Order page", True), ("Email", False))
            ),
            question(
                prompt="Who approves over £500?", choices=(("A team lead", True), ("Nobody", False))
            ),
        ],
    )


def complete(api_client, module):
    occurred_at = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    response = api_client.post(
        "/api/v1/events",
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "module_completed",
                    "occurred_at": occurred_at,
                    "module_id": module.pk,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.json()["results"][0]["status"] == "accepted"


def test_completing_a_module_through_the_api_makes_its_cards_due(api_client, learner, module):
    complete(api_client, module)
    assert Card.objects.filter(learner=learner, active=True).count() == 2
    due = api_client.get("/api/v1/reviews/due").json()
    assert {c["prompt"] for c in due} == {
        "Where do you refund?",
        "Who approves over £500?",
    }


def test_due_cards_join_the_today_feed(api_client, learner, module):
    complete(api_client, module)
    today = api_client.get("/api/v1/me/today?minutes=5").json()
    assert today["practice"]["due"] == 2
    assert {c["prompt"] for c in today["practice"]["cards"]} == {
        "Where do you refund?",
        "Who approves over £500?",
    }


def test_publishing_a_module_without_a_question_retires_its_cards(api_client, learner, module):
    complete(api_client, module)
    kept = module.body[1].id
    publish_edit(module, lambda blocks: blocks[:2])
    assert list(
        Card.objects.filter(learner=learner, active=True).values_list("block_id", flat=True)
    ) == [kept]


def test_progress_shows_predicted_retention_once_cards_are_reviewed(api_client, learner, module):
    complete(api_client, module)
    card = Card.objects.filter(learner=learner).first()
    api_client.post(
        "/api/v1/reviews",
        {
            "card_id": card.pk,
            "client_id": str(uuid.uuid4()),
            "answered_at": timezone.now().isoformat(),
            "choices": [0],
            "response_ms": 7000,
        },
        content_type="application/json",
    )
    retention = api_client.get("/api/v1/me/progress").json()["retention"]
    assert retention["cards"] == 2
    assert retention["reviewed"] == 1
    assert 0.9 <= retention["now"] <= 1.0
    assert retention["in_7_days"] < retention["now"]
    assert [m["title"] for m in retention["modules"]] == ["Refunds"]


def test_a_step_that_says_so_gives_its_modules_cards_when_done(api_client, learner, module):
    from cms.models import ChangeEvent, JourneyStep
    from learning.models import Enrollment

    event = ChangeEvent(name="Refund week", kind="other", date=timezone.localdate(), live=False)
    event.steps = [
        JourneyStep(
            title="Do three refunds", kind="on_the_job", module=module, practice_cards=True
        ),
        JourneyStep(title="Chat about refunds", kind="social", module=module),
    ]
    event.save()
    event.save_revision().publish()
    Enrollment.objects.create(learner=learner, event=event, anchor_date=timezone.localdate())
    chat, refunds = (event.steps.get(title=t) for t in ("Chat about refunds", "Do three refunds"))

    def done(step):
        api_client.post(
            "/api/v1/events",
            {
                "events": [
                    {
                        "id": str(uuid.uuid4()),
                        "type": "step_done",
                        "step_id": step.pk,
                        "occurred_at": timezone.now().isoformat(),
                    }
                ]
            },
            content_type="application/json",
        )

    done(chat)
    assert not Card.objects.filter(learner=learner).exists()
    done(refunds)
    assert Card.objects.filter(learner=learner, event=event).count() == 2
