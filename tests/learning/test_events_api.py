"""POST /api/v1/events: offline-safe progress into the Activity ledger."""

import datetime
import threading
import uuid
from collections import defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.ledger import events
from learning.models import Activity, Confirmation, Enrollment
from tests.factories import JobTaskFactory, LearnerFactory, publish_module, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"


def new_id() -> str:
    return str(uuid.uuid4())


def ago(**delta) -> str:
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def post(client, items):
    return client.post(URL, {"events": items}, content_type="application/json")


def item(type_, **fields):
    return {"id": new_id(), "type": type_, "occurred_at": ago(minutes=1), **fields}


def statuses(response):
    assert response.status_code == 200, response.content
    return [r["status"] for r in response.json()["results"]]


@pytest.fixture
def module(library):
    return publish_module(title="Process a refund", minutes_override=4)


def live_event(*steps, enrol=()):
    event = ChangeEvent(
        name="Smart Tariff launch", kind="product_launch", date=datetime.date(2026, 11, 23)
    )
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = list(steps)
    event.save()
    event.save_revision().publish()
    for learner in enrol:
        Enrollment.objects.get_or_create(
            learner=learner, event=event, defaults={"anchor_date": event.date}
        )
    return event


@pytest.fixture
def journey(learner, module):
    event = live_event(
        JourneyStep(title="Read about refunds", kind="formal", module=module),
        JourneyStep(title="Shadow a colleague", kind="social", confirmed_by="buddy"),
        JourneyStep(title="Do a refund", kind="on_the_job", confirmed_by="manager"),
        JourneyStep(title="Say hello in the team chat", kind="social"),
        enrol=[learner],
    )
    return {s.title: s for s in event.steps.all()}


def test_each_type_lands_in_the_ledger_with_category_minutes_and_title(
    api_client, learner, module, journey
):
    task = JobTaskFactory(name="Process a refund")
    batch = [
        item("module_started", module_id=module.pk),
        item("module_completed", module_id=module.pk),
        item("step_done", step_id=journey["Do a refund"].pk, minutes=20),
        item(
            "activity_logged",
            category="social",
            minutes=15,
            title="Refund walkthrough with Sam",
            job_task_id=task.pk,
        ),
        item("feedback", module_id=module.pk, rating=4, comment="Clear, but too long."),
        item("nudge_opened", nudge_id=12345),
    ]
    response = post(api_client, batch)
    assert statuses(response) == ["accepted"] * 6
    assert [r["id"] for r in response.json()["results"]] == [i["id"] for i in batch]
    rows = {a.verb: a for a in Activity.objects.filter(learner=learner)}
    assert {verb: (a.category, a.minutes, a.title, a.confirmation) for verb, a in rows.items()} == {
        "module_started": (None, 0, "Process a refund", "not_needed"),
        "module_completed": ("formal", 4, "Process a refund", "not_needed"),
        "step_done": ("experience", 20, "Do a refund", "pending"),
        "activity_logged": ("social", 15, "Refund walkthrough with Sam", "not_needed"),
        "feedback": (None, 0, "Process a refund", "not_needed"),
        "nudge_opened": (None, 0, "", "not_needed"),
    }
    assert rows["activity_logged"].job_task == task
    assert (rows["feedback"].rating, rows["feedback"].comment) == (4, "Clear, but too long.")
    assert rows["nudge_opened"].nudge_id == 12345
    assert str(rows["step_done"].client_id) == batch[2]["id"]
    assert rows["step_done"].occurred_at.isoformat() == batch[2]["occurred_at"]


def test_module_completed_counts_the_minutes_sent_over_the_estimate(api_client, learner, module):
    post(api_client, [item("module_completed", module_id=module.pk, minutes=9)])
    assert Activity.objects.get(learner=learner).minutes == 9


def test_a_step_takes_its_category_and_minutes_but_a_formal_step_counts_once(
    api_client, learner, journey, module
):
    response = post(
        api_client,
        [
            item("module_completed", module_id=module.pk),
            item("step_done", step_id=journey["Read about refunds"].pk),
            item("step_done", step_id=journey["Say hello in the team chat"].pk),
        ],
    )
    assert statuses(response) == ["accepted"] * 3
    assert list(
        Activity.objects.filter(learner=learner)
        .order_by("verb", "category")
        .values_list("verb", "category", "minutes")
    ) == [
        # The module's completion counts its formal minutes; its step is recorded, not counted again.
        ("module_completed", "formal", 4),
        ("step_done", "social", 0),
        ("step_done", None, 0),
    ]


def test_a_step_a_buddy_or_manager_confirms_waits_for_them(api_client, learner, journey):
    post(
        api_client,
        [
            item("step_done", step_id=journey["Shadow a colleague"].pk),
            item("step_done", step_id=journey["Do a refund"].pk),
        ],
    )
    assert set(Activity.objects.values_list("confirmation", flat=True)) == {Confirmation.PENDING}


def test_steps_outside_my_live_journeys_are_rejected(api_client, learner, module):
    other = LearnerFactory()
    not_mine = live_event(JourneyStep(title="Not for dana", kind="social"), enrol=[other])
    draft = ChangeEvent(name="Draft", kind="other", date=datetime.date(2026, 12, 1), live=False)
    draft.steps = [JourneyStep(title="Draft step", kind="social")]
    draft.save()
    Enrollment.objects.create(learner=learner, event=draft, anchor_date=draft.date)
    response = post(
        api_client,
        [
            item("step_done", step_id=not_mine.steps.get().pk),
            item("step_done", step_id=draft.steps.get().pk),
            item("step_done", step_id=999_999),
        ],
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert {r["reason"] for r in results} == {"step_id: no such step in your journeys"}
    assert not Activity.objects.exists()


def test_modules_must_be_live(api_client, library):
    draft = publish_module(title="Not yet", live=False)
    response = post(
        api_client,
        [
            item("module_completed", module_id=draft.pk),
            item("feedback", module_id=999_999, rating=3),
        ],
    )
    assert [(r["status"], r["reason"]) for r in response.json()["results"]] == [
        ("rejected", "module_id: no such module"),
        ("rejected", "module_id: no such module"),
    ]


def test_a_replayed_batch_changes_nothing(api_client, learner, module, journey):
    batch = [
        item("module_completed", module_id=module.pk),
        item("step_done", step_id=journey["Do a refund"].pk),
        item("activity_logged", category="experience", minutes=30, title="Handled refunds"),
        item("feedback", module_id=module.pk, rating=9),
    ]
    first = post(api_client, batch).json()["results"]
    rows = list(Activity.objects.values_list("pk", "client_id", "recorded_at"))
    assert [r["status"] for r in first] == ["accepted", "accepted", "accepted", "rejected"]
    for _ in range(3):
        again = post(api_client, batch).json()["results"]
        assert [(r["status"], r["reason"]) for r in again[:3]] == [
            ("duplicate", "already recorded")
        ] * 3
        assert again[3] == first[3]  # still rejected, for the same reason
        assert list(Activity.objects.values_list("pk", "client_id", "recorded_at")) == rows


def test_an_id_repeated_within_a_batch_is_recorded_once(api_client, learner):
    logged = item("activity_logged", category="social", minutes=5, title="Coffee with a mentor")
    bad = item("activity_logged", category="social", minutes=0, title="Nope")
    response = post(api_client, [logged, logged, bad, bad])
    assert [(r["status"], r["reason"]) for r in response.json()["results"]] == [
        ("accepted", None),
        ("duplicate", "repeats an earlier item of this batch"),
        ("rejected", "minutes: Input should be greater than or equal to 1"),
        ("rejected", "id: repeats an earlier item of this batch, which was rejected"),
    ]
    assert Activity.objects.count() == 1


def test_a_rejected_item_does_not_stop_the_others(api_client, learner, module):
    batch = [
        item("module_completed", module_id=module.pk),
        item("teleported", module_id=module.pk),
        {"type": "module_started", "module_id": module.pk, "occurred_at": ago(minutes=1)},
        {**item("module_started", module_id=module.pk), "id": "not-a-uuid"},
        "just a string",
        {**item("module_started", module_id=module.pk), "occurred_at": "2026-11-20T09:00:00"},
        {**item("module_started", module_id=module.pk), "occurred_at": 1_790_000_000},
        item("feedback", module_id=module.pk, rating=6, comment="x" * 2001),
        item("activity_logged", category="work", minutes=481, title=" "),
        item("activity_logged", category="formal", minutes=10, title="Course", job_task_id=98765),
        item("nudge_opened"),
        item("module_started", module_id=module.pk),
    ]
    response = post(api_client, batch)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 10 + ["accepted"]
    reasons = [r["reason"] for r in results]
    assert reasons[1].startswith("type: unknown event type “teleported” (expected one of")
    assert reasons[2].startswith("id: Field required")
    assert reasons[3].startswith("id: Input should be a valid UUID")
    assert reasons[4] == "event: must be a JSON object"
    assert reasons[5].startswith("occurred_at: needs a UTC offset")
    assert reasons[6] == "occurred_at: must be an ISO 8601 date-time string"
    assert "rating: Input should be less than or equal to 5" in reasons[7]
    assert "comment: String should have at most 2000 characters" in reasons[7]
    assert "category: Input should be 'experience', 'social' or 'formal'" in reasons[8]
    assert "minutes: Input should be less than or equal to 480" in reasons[8]
    assert "title: must not be blank" in reasons[8]
    assert reasons[9] == "job_task_id: no such job task"
    assert reasons[10] == "nudge_id: Field required"
    # Ids come back as they were sent, or null when there was none.
    assert [r["id"] for r in results[2:5]] == [None, "not-a-uuid", None]
    assert Activity.objects.count() == 2


def test_ids_come_back_exactly_as_sent(api_client, learner):
    upper = str(uuid.uuid4()).upper()  # iOS's UUID().uuidString
    logged = {**item("activity_logged", category="social", minutes=5, title="Stand-up")}
    response = post(api_client, [{**logged, "id": upper}, {**logged, "id": upper.lower()}])
    assert response.json()["results"] == [
        {"id": upper, "status": "accepted", "reason": None},
        {
            "id": upper.lower(),
            "status": "duplicate",
            "reason": "repeats an earlier item of this batch",
        },
    ]
    assert str(Activity.objects.get().client_id) == upper.lower()


def test_offline_items_from_days_ago_are_accepted_but_not_ones_from_the_future(api_client, learner):
    def logged(when):
        return {
            **item("activity_logged", category="experience", minutes=5, title="Call"),
            "occurred_at": when,
        }

    now = timezone.now()
    in_berlin = (now - datetime.timedelta(days=9)).astimezone(
        datetime.timezone(datetime.timedelta(hours=1))
    )
    response = post(
        api_client,
        [
            logged(in_berlin.isoformat()),
            logged((now + datetime.timedelta(minutes=4)).isoformat()),
            logged((now + datetime.timedelta(minutes=6)).isoformat()),
            logged((now + datetime.timedelta(days=2)).isoformat().replace("+00:00", "Z")),
        ],
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected", "rejected"]
    assert results[2]["reason"] == "occurred_at: more than 5 minutes in the future"
    assert Activity.objects.order_by("occurred_at").first().occurred_at == in_berlin


def test_more_than_500_items_is_a_422_naming_events_and_writes_nothing(api_client, learner):
    batch = [
        item("activity_logged", category="social", minutes=5, title="Chat") for _ in range(501)
    ]
    response = post(api_client, batch)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {
            "field": "events",
            "message": "a batch holds at most 500 events, this one has 501: "
            "send the rest in another batch",
        }
    ]
    assert "events" in body["detail"]
    assert not Activity.objects.exists()
    assert statuses(post(api_client, batch[:500])) == ["accepted"] * 500


@pytest.mark.parametrize("body", [{}, {"events": "nope"}, {"events": {"id": "x"}}, []])
def test_a_malformed_envelope_is_a_422(api_client, body):
    response = api_client.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]


def test_an_empty_batch_is_fine(api_client):
    assert post(api_client, []).json() == {"results": []}


def test_client_ids_are_per_learner(api_client, learner):
    other = LearnerFactory()
    logged = item("activity_logged", category="social", minutes=5, title="Lunch and learn")
    assert statuses(post(token_client(other.user), [logged])) == ["accepted"]
    assert statuses(post(api_client, [logged])) == ["accepted"]
    assert Activity.objects.filter(client_id=logged["id"]).count() == 2


def test_signing_in_is_required(client, db):
    response = client.post(URL, {"events": []}, content_type="application/json")
    assert response.status_code == 401


def test_a_user_without_a_learner_profile_gets_404(db):
    from tests.factories import UserFactory

    response = post(token_client(UserFactory()), [])
    assert response.status_code == 404


def test_a_500_item_batch_runs_a_fixed_number_of_queries(
    api_client, learner, module, journey, django_assert_max_num_queries, monkeypatch
):
    other = publish_module(title="Escalate a complaint")
    tasks = [JobTaskFactory(name=f"Task {n}") for n in range(3)]
    kinds = [
        lambda n: item("module_started", module_id=[module.pk, other.pk][n % 2]),
        lambda n: item("module_completed", module_id=[module.pk, other.pk][n % 2]),
        lambda n: item("step_done", step_id=list(journey.values())[n % 4].pk),
        lambda n: item(
            "activity_logged",
            category="experience",
            minutes=5,
            title=f"Shift {n}",
            job_task_id=tasks[n % 3].pk,
        ),
        lambda n: item("feedback", module_id=module.pk, rating=1 + n % 5),
        lambda n: item("nudge_opened", nudge_id=n + 1),
        lambda n: item("step_done", step_id=999_999),  # rejected
    ]
    batch = [kinds[n % len(kinds)](n) for n in range(500)]
    calls = []
    monkeypatch.setattr(events, "_HANDLERS", defaultdict(list))
    events.register_handler("nudge_opened", calls.append)
    # Auth (token, user), the learner, recorded ids, modules, steps, job tasks, savepoint,
    # insert, re-read, handler savepoint and release, release: the same for 5 or 500 items.
    with django_assert_max_num_queries(14):
        response = post(api_client, batch)
    with django_assert_max_num_queries(14):
        replay = post(api_client, batch)
    accepted = sum(1 for n in range(500) if n % 7 != 6)
    assert statuses(response).count("accepted") == accepted
    assert set(statuses(replay)) == {"duplicate", "rejected"}
    assert Activity.objects.count() == accepted
    # One call per batch with all its rows, not one per row.
    assert [len(rows) for rows in calls] == [sum(1 for n in range(500) if n % 7 == 5)]


def test_handlers_get_each_accepted_row_once_and_cannot_lose_it(api_client, learner, monkeypatch):
    monkeypatch.setattr(events, "_HANDLERS", defaultdict(list))
    seen = []

    def on_open(rows):
        seen.extend((row.pk, row.nudge_id, row.learner_id) for row in rows)

    def broken(rows):
        Activity.objects.filter(pk__in=[r.pk for r in rows]).delete()
        raise RuntimeError("the nudges app is having a bad day")

    events.register_handler("nudge_opened", on_open)
    events.register_handler("nudge_opened", on_open)  # registering twice calls it once
    events.register_handler("nudge_opened", broken)
    opened = item("nudge_opened", nudge_id=7)
    batch = [opened, item("activity_logged", category="social", minutes=5, title="Chat")]
    assert statuses(post(api_client, batch)) == ["accepted", "accepted"]
    row = Activity.objects.get(verb="nudge_opened")  # the broken handler's delete rolled back
    assert seen == [(row.pk, 7, learner.pk)]
    post(api_client, batch)
    assert seen == [(row.pk, 7, learner.pk)]
    with pytest.raises(ValueError, match="Unknown verb"):
        events.register_handler("nudge_closed", on_open)


def test_the_endpoint_is_documented_under_progress(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/events"]["post"]
    assert operation["tags"] == ["progress"]
    body = schema["components"]["schemas"]["EventsIn"]["properties"]["events"]
    assert body["maxItems"] == 500
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in body["items"]["oneOf"]} >= {
        "ModuleCompletedIn",
        "StepDoneIn",
        "ActivityLoggedIn",
        "NudgeOpenedIn",
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_batches_at_once_write_each_item_once():
    learner = LearnerFactory()
    clients = [token_client(learner.user, device_name=f"phone {n}") for n in range(2)]
    batch = [
        item("activity_logged", category="experience", minutes=5, title=f"Ticket {n}")
        for n in range(300)
    ]
    start = threading.Barrier(2)
    answers = [None, None]

    def send(n):
        try:
            start.wait()
            answers[n] = post(clients[n], batch).json()["results"]
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Activity.objects.filter(learner=learner).count() == 300
    for first, second in zip(*answers, strict=True):
        assert sorted([first["status"], second["status"]]) == ["accepted", "duplicate"]
