"""Buddies confirm: the manager sets one (PUT /manager/learners/{id}/buddy), the buddy's inbox
(GET /me/confirmations) lists the buddy steps done, and confirming makes them done and counted;
with no buddy, the learner's manager confirms them."""

import datetime
import uuid

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.models import Activity, Confirmation, Enrollment
from tests.factories import LearnerFactory, UserFactory, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(library):
    """Lee, Morgan's report, in an onboarding with a buddy step, a manager step and a self step;
    Chris, a colleague who can be Lee's buddy; and Pat, nobody to Lee."""
    morgan = UserFactory(username="morgan", email="morgan@brightwave.example")
    lee = LearnerFactory(user__username="lee", manager=morgan, timezone="Pacific/Auckland")
    chris = LearnerFactory(
        user__username="chris",
        user__email="Chris.Mentor@brightwave.example",
        user__first_name="Chris",
        user__last_name="Mentor",
    )
    pat = LearnerFactory(user__username="pat")
    event = ChangeEvent(name="Support onboarding", kind="onboarding", audience_everyone=True)
    event.steps = [
        JourneyStep(title="Meet your buddy", kind="social", confirmed_by="buddy", day_offset=0),
        JourneyStep(title="Five refunds", kind="on_the_job", confirmed_by="manager", day_offset=0),
        JourneyStep(title="Read the wiki", kind="social", day_offset=0),
    ]
    event.save()
    enrollment = Enrollment.objects.create(
        learner=lee, event=event, anchor_date=timezone.now().astimezone(lee.tz).date()
    )
    steps = {s.title: s for s in event.steps.all()}
    return {
        "morgan": morgan,
        "lee": lee,
        "chris": chris,
        "pat": pat,
        "event": event,
        "enrollment": enrollment,
        "steps": steps,
    }


def record_done(learner, step, *, minutes=30) -> Activity:
    """The learner says they did the step, through POST /events as the app would."""
    client_id = str(uuid.uuid4())
    response = token_client(learner.user).post(
        "/api/v1/events",
        {
            "events": [
                {
                    "id": client_id,
                    "type": "step_done",
                    "occurred_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
                    "step_id": step.pk,
                    "minutes": minutes,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.json()["results"][0]["status"] == "accepted", response.json()
    return Activity.objects.get(learner=learner, client_id=client_id)


def set_buddy(manager, learner, email, **extra):
    return token_client(manager).put(
        f"/api/v1/manager/learners/{learner.pk}/buddy",
        {"email": email, **extra},
        content_type="application/json",
    )


def test_the_manager_sets_a_buddy_by_email_whatever_its_case(journey):
    response = set_buddy(journey["morgan"], journey["lee"], "chris.mentor@BRIGHTWAVE.example")

    assert response.status_code == 200
    assert response.json() == {
        "learner_id": journey["lee"].pk,
        "buddy": {
            "id": journey["chris"].user_id,
            "name": "Chris Mentor",
            "email": "Chris.Mentor@brightwave.example",
        },
        "journey_ids": [journey["enrollment"].pk],
    }
    journey["enrollment"].refresh_from_db()
    assert journey["enrollment"].buddy_id == journey["chris"].user_id

    cleared = set_buddy(journey["morgan"], journey["lee"], None)
    assert (cleared.status_code, cleared.json()["buddy"]) == (200, None)
    journey["enrollment"].refresh_from_db()
    assert journey["enrollment"].buddy_id is None


@pytest.mark.parametrize(
    ("email", "extra", "field", "message"),
    [
        ("nobody@brightwave.example", {}, "email", "No active account has the email"),
        ("lee@example.com", {}, "email", "cannot be their own buddy"),
        ("chris.mentor@brightwave.example", {"journey_id": 2**62}, "journey_id", "No such"),
        ("chris\x00@brightwave.example", {}, "email", "NUL"),
        ("chris.mentor@brightwave.example", {"journey_id": 2**64}, "journey_id", ""),
    ],
)
def test_a_bad_buddy_is_422_naming_the_field_and_nothing_changes(
    journey, email, extra, field, message
):
    journey["lee"].user.email = "lee@example.com"
    journey["lee"].user.save()

    response = set_buddy(journey["morgan"], journey["lee"], email, **extra)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    assert not Enrollment.objects.filter(buddy__isnull=False).exists()


def test_a_deactivated_account_cannot_be_a_buddy(journey):
    journey["chris"].user.is_active = False
    journey["chris"].user.save()
    response = set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    assert response.status_code == 422


def test_only_the_learners_manager_sets_their_buddy(journey):
    assert set_buddy(journey["pat"].user, journey["lee"], "pat@example.com").status_code == 404
    assert set_buddy(journey["chris"].user, journey["lee"], None).status_code == 404


def test_the_buddy_sees_and_confirms_what_waits_for_them(journey):
    set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    activity = record_done(journey["lee"], journey["steps"]["Meet your buddy"])
    record_done(journey["lee"], journey["steps"]["Five refunds"])  # the manager's, not Chris's
    record_done(journey["lee"], journey["steps"]["Read the wiki"])  # nobody's to confirm
    chris = token_client(journey["chris"].user)

    inbox = chris.get("/api/v1/me/confirmations").json()

    assert inbox["count"] == 1
    item = inbox["items"][0]
    assert {k: item[k] for k in ("activity_id", "step_title", "kind", "category", "minutes")} == {
        "activity_id": activity.pk,
        "step_title": "Meet your buddy",
        "kind": "social",
        "category": "social",
        "minutes": 30,
    }
    assert (item["learner"]["id"], item["confirming_as"]) == (journey["lee"].user_id, "buddy")
    assert item["event_name"] == "Support onboarding"

    confirmed = chris.post(f"/api/v1/me/confirmations/{activity.pk}")
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmation"] == "confirmed"
    assert confirmed.json()["confirmed_by"]["id"] == journey["chris"].user_id
    assert chris.get("/api/v1/me/confirmations").json()["count"] == 0

    again = chris.post(f"/api/v1/me/confirmations/{activity.pk}")
    assert again.status_code == 409
    assert again.json()["detail"] == "This activity is already confirmed."

    # For Lee the step is done, and the 20 counts it now.
    lee = token_client(journey["lee"].user)
    steps = lee.get(f"/api/v1/journeys/{journey['enrollment'].pk}").json()["steps"]
    buddy_step = next(s for s in steps if s["title"] == "Meet your buddy")
    assert (buddy_step["state"], buddy_step["awaiting_confirmation"]) == ("done", False)


def test_the_mix_counts_a_social_step_once_it_is_confirmed(journey):
    set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    activity = record_done(journey["lee"], journey["steps"]["Meet your buddy"], minutes=40)
    lee = token_client(journey["lee"].user)

    def social_minutes():
        categories = lee.get("/api/v1/me/progress").json()["mix"]["categories"]
        return next(c["minutes"] for c in categories if c["category"] == "social")

    before = social_minutes()
    token_client(journey["chris"].user).post(f"/api/v1/me/confirmations/{activity.pk}")
    assert social_minutes() == before + 40


def test_anyone_but_the_buddy_gets_404_and_the_managers_endpoint_409_once_a_buddy_is_set(journey):
    set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    activity = record_done(journey["lee"], journey["steps"]["Meet your buddy"])

    stranger = token_client(journey["pat"].user)
    assert stranger.get("/api/v1/me/confirmations").json()["count"] == 0
    assert stranger.post(f"/api/v1/me/confirmations/{activity.pk}").status_code == 404
    # Lee cannot confirm their own buddy step.
    lee = token_client(journey["lee"].user)
    assert lee.post(f"/api/v1/me/confirmations/{activity.pk}").status_code == 404

    morgan = token_client(journey["morgan"])
    refused = morgan.post(f"/api/v1/manager/activities/{activity.pk}/confirm")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "This activity needs no confirmation by a manager."
    # Their inbox is what waits for them: a buddy's step is not, so it is not found there.
    assert morgan.post(f"/api/v1/me/confirmations/{activity.pk}").status_code == 404
    activity.refresh_from_db()
    assert activity.confirmation == Confirmation.PENDING


def test_with_no_buddy_the_manager_confirms_buddy_steps(journey):
    buddy_step = record_done(journey["lee"], journey["steps"]["Meet your buddy"])
    manager_step = record_done(journey["lee"], journey["steps"]["Five refunds"])
    morgan = token_client(journey["morgan"])

    inbox = morgan.get("/api/v1/me/confirmations").json()
    assert [(i["activity_id"], i["confirming_as"]) for i in inbox["items"]] == [
        (buddy_step.pk, "manager"),
        (manager_step.pk, "manager"),
    ]
    detail = morgan.get(f"/api/v1/manager/learners/{journey['lee'].pk}").json()
    assert {a["id"] for a in detail["to_confirm"]} == {buddy_step.pk, manager_step.pk}
    assert detail["awaiting_confirmation"] == 2

    assert morgan.post(f"/api/v1/manager/activities/{buddy_step.pk}/confirm").status_code == 200
    assert morgan.post(f"/api/v1/me/confirmations/{manager_step.pk}").status_code == 200
    assert morgan.get("/api/v1/me/confirmations").json()["count"] == 0
    # Chris is nobody's buddy: nothing for him.
    assert (
        token_client(journey["chris"].user).post(f"/api/v1/me/confirmations/{buddy_step.pk}")
    ).status_code == 404


def test_the_inbox_runs_a_fixed_number_of_queries(journey, django_assert_max_num_queries):
    set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    for _ in range(2):
        learner = LearnerFactory(manager=journey["morgan"])
        enrollment = Enrollment.objects.create(
            learner=learner,
            event=journey["event"],
            anchor_date=journey["enrollment"].anchor_date,
            buddy=journey["chris"].user,
        )
        assert enrollment.buddy_id
        for _ in range(5):
            record_done(learner, journey["steps"]["Meet your buddy"])
    chris = token_client(journey["chris"].user)
    with django_assert_max_num_queries(6):
        body = chris.get("/api/v1/me/confirmations?limit=50").json()
    assert body["count"] == 10


def test_a_buddy_who_leaves_hands_their_steps_back_to_the_manager(journey):
    from learning.people import accounts

    set_buddy(journey["morgan"], journey["lee"], "chris.mentor@brightwave.example")
    activity = record_done(journey["lee"], journey["steps"]["Meet your buddy"])

    accounts.deactivate([journey["chris"].user], now=timezone.now(), reason="left")

    journey["enrollment"].refresh_from_db()
    assert journey["enrollment"].buddy_id is None
    morgan = token_client(journey["morgan"])
    assert [i["activity_id"] for i in morgan.get("/api/v1/me/confirmations").json()["items"]] == [
        activity.pk
    ]
