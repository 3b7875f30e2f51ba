"""Never a 500 (issue 10): hostile input to POST /events and POST /reviews is refused item by item
or with a 422, and whatever sits in the ledger (a row from an old bug or an import) still renders
on every read: /me/progress, /me/today, the manager API and the team dashboard in the admin."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.models import ChangeEvent, JourneyStep
from learning.models import Activity, Card, Confirmation, Enrollment, Learner, Verb
from learning.people.roles import MANAGERS
from learning.practice import cards as practice
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
TOO_BIG_ID = 9223372036854775808  # one past PostgreSQL's bigint


def new_id() -> str:
    return str(uuid.uuid4())


def ago(**delta) -> str:
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def post_events(client, items):
    response = client.post("/api/v1/events", {"events": items}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def logged(**fields) -> dict:
    item = {
        "id": new_id(),
        "type": "activity_logged",
        "occurred_at": ago(minutes=1),
        "category": "experience",
        "minutes": 5,
        "title": "Did a refund",
    }
    item.update(fields)
    return item


@pytest.fixture
def module(library):
    return publish_module(title="Process a refund", minutes_override=4)


# --- POST /events: one bad item is rejected, the rest recorded ----------------------------------


def assert_only_bad_rejected(client, learner, bad: dict) -> str:
    """Send the bad item between two good ones; return its reason."""
    good = [logged(title="Before"), logged(title="After")]
    before = Activity.objects.filter(learner=learner).count()
    results = post_events(client, [good[0], bad, good[1]])
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"], results
    assert results[1]["id"] == bad.get("id")
    assert Activity.objects.filter(learner=learner).count() == before + 2
    return results[1]["reason"]


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "module_started", "module_id": TOO_BIG_ID},
        {"type": "module_completed", "module_id": TOO_BIG_ID * 2},
        {"type": "module_completed", "module_id": 10**40},
        {"type": "step_done", "step_id": TOO_BIG_ID},
        {"type": "feedback", "module_id": TOO_BIG_ID, "rating": 4},
        {"type": "nudge_opened", "nudge_id": TOO_BIG_ID},
        {"type": "activity_logged", "category": "social", "minutes": 5, "title": "x",
         "job_task_id": TOO_BIG_ID},
    ],
    ids=["started", "completed", "huge", "step", "feedback", "nudge", "job_task"],
)  # fmt: skip
def test_an_id_out_of_range_is_rejected_alone(api_client, learner, bad):
    reason = assert_only_bad_rejected(
        api_client, learner, {"id": new_id(), "occurred_at": ago(minutes=1), **bad}
    )
    assert "_id" in reason


@pytest.mark.parametrize(
    "fields",
    [{"title": "Refund\x00"}, {"category": "social\x00"}, {"id\x00": "x"}],
    ids=["title", "category", "key"],
)
def test_a_nul_in_one_item_rejects_that_item_only(api_client, learner, fields):
    reason = assert_only_bad_rejected(api_client, learner, logged(**fields))
    assert "NUL" in reason


def test_a_nul_in_a_feedback_comment_rejects_that_item_only(api_client, learner, module):
    bad = {
        "id": new_id(),
        "type": "feedback",
        "occurred_at": ago(minutes=1),
        "module_id": module.pk,
        "rating": 4,
        "comment": "Good\x00",
    }
    assert "comment" in assert_only_bad_rejected(api_client, learner, bad)


def test_a_nul_outside_the_items_is_still_a_422(api_client):
    response = api_client.post(
        "/api/v1/events",
        {"events": [logged()], "extra\x00": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "extra\\u0000"


@pytest.mark.parametrize(
    "title", ["Refund\x07", "Line\x1bone", "Tab\x7f", "Bell\u0085", "Two\nlines", "Half\ud800"]
)
def test_control_characters_in_a_title_reject_the_item(api_client, learner, title):
    assert "title" in assert_only_bad_rejected(api_client, learner, logged(title=title))


def test_control_characters_in_a_comment_reject_the_item(api_client, learner, module):
    bad = {
        "id": new_id(),
        "type": "feedback",
        "occurred_at": ago(minutes=1),
        "module_id": module.pk,
        "rating": 4,
        "comment": "Nice\x08",
    }
    assert "comment" in assert_only_bad_rejected(api_client, learner, bad)


def test_line_breaks_and_tabs_in_a_comment_are_fine(api_client, learner, module):
    item = {
        "id": new_id(),
        "type": "feedback",
        "occurred_at": ago(minutes=1),
        "module_id": module.pk,
        "rating": 4,
        "comment": "Good.\r\n\tClear steps.",
    }
    assert [r["status"] for r in post_events(api_client, [item])] == ["accepted"]


@pytest.mark.parametrize(
    "occurred_at",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-12:00",
        "2026-02-30T10:00:00Z",
        "2026-11-23T08:15:00+25:00",
        "2026-11-23T24:61:00Z",
        "1970-01-01T00:00:00Z",
        "",
    ],
)
def test_an_impossible_time_rejects_the_item(api_client, learner, occurred_at):
    reason = assert_only_bad_rejected(api_client, learner, logged(occurred_at=occurred_at))
    assert "occurred_at" in reason


def test_an_event_older_than_the_limit_is_rejected(api_client, learner, settings):
    settings.API_MAX_EVENT_AGE_DAYS = 30
    reason = assert_only_bad_rejected(api_client, learner, logged(occurred_at=ago(days=31)))
    assert "occurred_at" in reason
    assert "30 days" in reason
    results = post_events(api_client, [logged(occurred_at=ago(days=29))])
    assert [r["status"] for r in results] == ["accepted"]


def test_an_event_from_the_future_is_rejected(api_client, learner):
    ahead = (timezone.now() + datetime.timedelta(minutes=10)).isoformat()
    assert "future" in assert_only_bad_rejected(api_client, learner, logged(occurred_at=ahead))


@pytest.mark.parametrize("minutes", ["5", True, 5.5, "five", None, [5], 0, -1, 481, 2**63])
def test_minutes_must_be_a_real_whole_number_in_range(api_client, learner, minutes):
    assert "minutes" in assert_only_bad_rejected(api_client, learner, logged(minutes=minutes))


def test_minutes_as_a_whole_float_is_rejected_too(api_client, learner):
    # 5.0 is a number, but the contract is an integer: strict, like "5".
    assert "minutes" in assert_only_bad_rejected(api_client, learner, logged(minutes=5.0))


@pytest.mark.parametrize("value", ["3", True, 3.0])
def test_ids_and_ratings_must_be_integers(api_client, learner, module, value):
    bad = {
        "id": new_id(),
        "type": "feedback",
        "occurred_at": ago(minutes=1),
        "module_id": module.pk,
        "rating": value,
    }
    assert "rating" in assert_only_bad_rejected(api_client, learner, bad)
    bad = {"id": new_id(), "type": "module_started", "occurred_at": ago(minutes=1)}
    bad["module_id"] = str(module.pk) if value == "3" else value
    assert "module_id" in assert_only_bad_rejected(api_client, learner, bad)


@pytest.mark.parametrize("title", ["", " ", "\u00a0\t ", "\u2003"])
def test_a_blank_title_is_rejected(api_client, learner, title):
    assert "title" in assert_only_bad_rejected(api_client, learner, logged(title=title))


@pytest.mark.parametrize("category", ["Experience", "seventy", 70, None])
def test_an_unknown_category_is_rejected(api_client, learner, category):
    assert "category" in assert_only_bad_rejected(api_client, learner, logged(category=category))


def test_a_title_over_the_limit_is_rejected(api_client, learner):
    assert "title" in assert_only_bad_rejected(api_client, learner, logged(title="x" * 256))


def test_the_limits_are_in_the_openapi(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    logged_in = schemas["ActivityLoggedIn"]["properties"]
    assert logged_in["minutes"]["minimum"] == 1
    assert logged_in["minutes"]["maximum"] == 480
    assert logged_in["title"]["maxLength"] == 255
    category = schemas[logged_in["category"]["$ref"].rsplit("/", 1)[1]]
    assert set(category["enum"]) == {"experience", "social", "formal"}
    started = schemas["ModuleStartedIn"]["properties"]
    assert started["module_id"]["maximum"] == 2**63 - 1
    assert schemas["FeedbackIn"]["properties"]["comment"]["maxLength"] == 2000
    review = schemas["ReviewIn"]["properties"]
    assert review["card_id"]["maximum"] == 2**63 - 1
    assert review["rating"]["anyOf"][0]["maximum"] == 4


# --- POST /reviews: strict types and a plausible answered_at --------------------------------------


@pytest.fixture
def card(learner, library):
    published = publish_module(
        title="Refund rules", body=[question("Which form?", [("A", True), ("B", False)])]
    )
    practice.create_cards_for_module(learner, published, now=timezone.now() - DAY)
    return Card.objects.get(learner=learner)


def review(card, **fields) -> dict:
    body = {
        "card_id": card.pk,
        "client_id": new_id(),
        "answered_at": ago(minutes=1),
        "rating": 3,
        "response_ms": 4000,
    }
    body.update(fields)
    return body


def post_review(client, body):
    return client.post("/api/v1/reviews", body, content_type="application/json")


def fields_of(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["errors"]]


def test_a_good_review_is_recorded(api_client, card):
    response = post_review(api_client, review(card))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("card_id", "3"),
        ("card_id", True),
        ("card_id", 3.0),
        ("card_id", TOO_BIG_ID),
        ("rating", True),
        ("rating", "3"),
        ("rating", 3.0),
        ("response_ms", "4000"),
        ("response_ms", False),
        ("choices", ["0"]),
        ("choices", [True]),
    ],
)
def test_review_fields_are_strict(api_client, card, field, value):
    body = review(card, **{field: value})
    if field == "choices":
        body.pop("rating")
    assert fields_of(post_review(api_client, body))[0].startswith(field)
    assert not card.reviews.exists()


@pytest.mark.parametrize(
    "answered_at",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-12:00",
        "2026-02-30T10:00:00Z",
        "1970-01-01T00:00:00Z",
    ],
)
def test_an_implausible_answered_at_is_a_422(api_client, card, answered_at):
    assert fields_of(post_review(api_client, review(card, answered_at=answered_at))) == [
        "answered_at"
    ]


def test_an_answer_older_than_the_limit_is_a_422(api_client, card, settings):
    settings.API_MAX_EVENT_AGE_DAYS = 30
    response = post_review(api_client, review(card, answered_at=ago(days=31)))
    assert fields_of(response) == ["answered_at"]
    assert "30 days" in response.json()["errors"][0]["message"]
    assert post_review(api_client, review(card, answered_at=ago(days=29))).status_code == 200


def test_an_answer_from_the_future_is_a_422(api_client, card):
    ahead = (timezone.now() + datetime.timedelta(minutes=10)).isoformat()
    assert fields_of(post_review(api_client, review(card, answered_at=ahead))) == ["answered_at"]


# --- The read side renders whatever is in the ledger ----------------------------------------------

ODD_ROWS = {
    "year 1": {"occurred_at": datetime.datetime(1, 1, 1, tzinfo=UTC)},
    "year 9999": {"occurred_at": datetime.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)},
    "no minutes": {"minutes": 0},
    "huge minutes": {"minutes": 2_147_483_647},
    "nothing optional": {"category": None, "title": "", "step": None, "module": None},
}


LEARNER_URLS = ["/api/v1/me/progress", "/api/v1/me/today?minutes=60", "/api/v1/journeys"]
MANAGER_URLS = [
    "/api/v1/manager/team",
    "/api/v1/manager/learners/{ana}",
    "/api/v1/manager/learners/{ben}",
]
ADMIN_URLS = [
    "/cms/",
    "/cms/team/",
    "/cms/team/?ordering=-last_active",
    "/cms/team/?export=csv",
    "/cms/team/?export=xlsx",
    "/cms/team/{ana}/",
    "/cms/team/{ben}/",
]


@pytest.fixture
def ledger_team(library, module):
    """A manager and one report in a far-west time zone, enrolled, with a step of each kind."""
    boss = UserFactory(username="boss")
    boss.groups.add(Group.objects.get(name=MANAGERS))
    today = timezone.now().date()
    # West and east of UTC (then as now: far Pacific zones swapped sides since year 1): year 1
    # falls off the calendar going west, year 9999 going east.
    ana = LearnerFactory(
        user__username="ana",
        manager=boss,
        timezone="America/Los_Angeles",
        start_date=today - 3 * DAY,
    )
    ben = LearnerFactory(
        user__username="ben", manager=boss, timezone="Asia/Tokyo", start_date=today
    )
    event = ChangeEvent(name="Onboarding", kind="onboarding", audience_everyone=True, live=False)
    event.steps = [
        JourneyStep(title="Read", kind="formal", module=module, day_offset=0, due_offset=2),
        JourneyStep(title="Do", kind="on_the_job", day_offset=0, due_offset=1, confirmed_by="manager"),
    ]  # fmt: skip
    event.save()
    event.save_revision().publish()
    for learner in (ana, ben):
        Enrollment.objects.get_or_create(
            learner=learner, event=event, defaults={"anchor_date": learner.start_date}
        )
    return {"boss": boss, "learners": [ana, ben], "steps": list(event.steps.order_by("pk"))}


def plant(ledger_team, module, odd: dict) -> None:
    """Odd rows of each verb for every report, written straight through the ORM (as an import might)."""
    step_formal, step_job = ledger_team["steps"]
    for learner in ledger_team["learners"]:
        base = {
            "occurred_at": timezone.now() - DAY,
            "minutes": 5,
            "title": "Odd",
            "category": "experience",
        }
        for fields in (
            {"verb": Verb.MODULE_COMPLETED, "module": module, "category": "formal"},
            {"verb": Verb.STEP_DONE, "step": step_job, "confirmation": Confirmation.PENDING},
            {"verb": Verb.STEP_DONE, "step": step_formal},
            {"verb": Verb.ACTIVITY_LOGGED},
            {"verb": Verb.FEEDBACK, "module": module, "category": None, "rating": 5},
        ):
            Activity.objects.create(learner=learner, **{**base, **fields, **odd})


def failures(ledger_team, *, admin_zone: str = "UTC") -> list:
    """Every read URL that did not answer 200, for both reports, their manager and the admin."""
    ana, ben = ledger_team["learners"]
    boss = ledger_team["boss"]
    # The admin shows times in the manager's own zone (their Wagtail account setting).
    UserProfile.get_for_user(boss)
    UserProfile.objects.filter(user=boss).update(current_time_zone=admin_zone)
    admin = Client()
    admin.force_login(boss)
    # One token per person: issuing another for the same device revokes the first.
    apps = {who: token_client(who.user) for who in (ana, ben)}
    boss_app = token_client(boss)
    requests = [(apps[lr], url) for lr in (ana, ben) for url in LEARNER_URLS]
    requests += [(boss_app, url.format(ana=ana.pk, ben=ben.pk)) for url in MANAGER_URLS]
    requests += [(admin, url.format(ana=ana.pk, ben=ben.pk)) for url in ADMIN_URLS]
    failed = []
    for client, url in requests:
        try:
            status = client.get(url).status_code
        except Exception as exc:  # the admin's test client re-raises what the view raised
            status = repr(exc)
        if status != 200:
            failed.append((url, status))
    return failed


@pytest.mark.parametrize("odd", ODD_ROWS.values(), ids=ODD_ROWS.keys())
@pytest.mark.parametrize("admin_zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_the_read_side_renders_any_stored_row(ledger_team, module, odd, admin_zone):
    plant(ledger_team, module, odd)
    failed = failures(ledger_team, admin_zone=admin_zone)
    assert not failed, "\n".join(map(str, failed))


@pytest.mark.parametrize("anchor", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
def test_the_read_side_renders_an_enrolment_anchored_at_the_calendars_edge(
    ledger_team, module, anchor
):
    plant(ledger_team, module, {})
    Enrollment.objects.update(anchor_date=anchor)
    JourneyStep.objects.filter(kind="formal").update(day_offset=-30)
    JourneyStep.objects.filter(kind="on_the_job").update(day_offset=30, due_offset=30)
    failed = failures(ledger_team, admin_zone="America/Los_Angeles")
    assert not failed, "\n".join(map(str, failed))


@pytest.mark.parametrize("zone", ["Mars/Olympus", ""])
def test_a_learner_with_an_unknown_time_zone_still_renders(ledger_team, module, zone):
    # Forms validate the zone; an import or a tzdata update may still leave one nobody knows.
    plant(ledger_team, module, {})
    Learner.objects.filter(pk__in=[lr.pk for lr in ledger_team["learners"]]).update(timezone=zone)
    failed = failures(ledger_team)
    assert not failed, "\n".join(map(str, failed))


def test_a_manager_confirms_a_step_dated_year_one(ledger_team, module):
    plant(ledger_team, module, ODD_ROWS["year 1"])
    ana, boss = ledger_team["learners"][0], ledger_team["boss"]
    UserProfile.get_for_user(boss)
    UserProfile.objects.filter(user=boss).update(current_time_zone="America/Los_Angeles")
    pending = Activity.objects.get(learner=ana, confirmation=Confirmation.PENDING)
    admin = Client()
    admin.force_login(boss)
    response = admin.post(f"/cms/team/{ana.pk}/activities/{pending.pk}/confirm/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmation == Confirmation.CONFIRMED
    assert pending.occurred_at.year == 1  # shown clamped, stored as it was


def test_a_year_one_row_does_not_break_the_streak(ledger_team, module):
    ana = ledger_team["learners"][0]
    Activity.objects.create(
        learner=ana, verb=Verb.ACTIVITY_LOGGED, category="social", minutes=5, title="Today",
        occurred_at=timezone.now(),
    )  # fmt: skip
    plant(ledger_team, module, ODD_ROWS["year 1"])
    streak = token_client(ana.user).get("/api/v1/me/progress").json()["streak"]
    assert streak["active_today"] is True
    assert streak["days"] == 1
