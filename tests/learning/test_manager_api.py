"""The manager API: direct reports' progress, one report in detail, confirming on-the-job steps."""

import datetime

import pytest
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.models import Activity, Confirmation, Enrollment, Verb
from tests.factories import (
    LearnerFactory,
    UserFactory,
    add_reports,
    publish_module,
    token_client,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def onboarding_event(module) -> ChangeEvent:
    event = ChangeEvent(
        name="Support onboarding", kind="onboarding", audience_everyone=True, live=False
    )
    event.steps = [
        JourneyStep(
            title="Read about refunds", kind="formal", module=module, day_offset=0, due_offset=2
        ),
        JourneyStep(
            title="Do a refund",
            kind="on_the_job",
            day_offset=1,
            due_offset=1,
            confirmed_by="manager",
        ),
        JourneyStep(title="Shadow a colleague", kind="social", day_offset=2, due_offset=30),
    ]
    event.save()
    event.save_revision().publish()
    return event


def enrol(learner, event, *, enrolled_days_ago: int) -> Enrollment:
    enrollment = Enrollment.objects.create(
        learner=learner, event=event, anchor_date=learner.start_date
    )
    # enrolled_at is auto_now_add: backdate it as if the enrolment happened then.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=timezone.now() - enrolled_days_ago * DAY
    )
    return enrollment


@pytest.fixture
def team(library):
    """A manager with three reports (one drifting, one just started, one not enrolled) and a
    stranger: another manager's report."""
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    boss = UserFactory(username="boss", first_name="Bo", last_name="Ss")
    module = publish_module(title="Refunds")
    event = onboarding_event(module)
    steps = list(event.steps.order_by("sort_order", "pk"))

    ana = LearnerFactory(
        user__username="ana",
        user__last_name="A",
        manager=boss,
        timezone="UTC",
        start_date=today - 10 * DAY,
    )
    enrol(ana, event, enrolled_days_ago=12)
    Activity.objects.create(
        learner=ana,
        verb=Verb.MODULE_COMPLETED,
        module=module,
        category="formal",
        minutes=5,
        title="Refunds",
        occurred_at=now - 9 * DAY,
    )
    pending = Activity.objects.create(
        learner=ana,
        verb=Verb.STEP_DONE,
        step=steps[1],
        category="experience",
        minutes=30,
        confirmation=Confirmation.PENDING,
        occurred_at=now - 8 * DAY,
    )

    ben = LearnerFactory(
        user__username="ben",
        user__last_name="B",
        manager=boss,
        timezone="UTC",
        start_date=today - DAY,
    )
    enrol(ben, event, enrolled_days_ago=0)

    cy = LearnerFactory(user__username="cy", user__last_name="C", manager=boss, timezone="UTC")
    Activity.objects.create(
        learner=cy,
        verb=Verb.ACTIVITY_LOGGED,
        category="social",
        minutes=10,
        title="Asked Ana",
        occurred_at=now - DAY,
    )

    other_boss = UserFactory(username="other-boss")
    stranger = LearnerFactory(
        user__username="zed", manager=other_boss, timezone="UTC", start_date=today - 10 * DAY
    )
    enrol(stranger, event, enrolled_days_ago=12)
    strangers_pending = Activity.objects.create(
        learner=stranger,
        verb=Verb.STEP_DONE,
        step=steps[1],
        category="experience",
        confirmation=Confirmation.PENDING,
        occurred_at=now - 8 * DAY,
    )
    return {
        "boss": boss,
        "api": token_client(boss),
        "ana": ana,
        "ben": ben,
        "cy": cy,
        "stranger": stranger,
        "pending": pending,
        "strangers_pending": strangers_pending,
        "steps": steps,
        "module": module,
    }


def test_team_lists_only_direct_reports_with_their_progress(team):
    body = team["api"].get("/api/v1/manager/team").json()
    assert body["count"] == 3
    ana, ben, cy = body["items"]
    assert [m["username"] for m in (ana, ben, cy)] == ["ana", "ben", "cy"]

    # Ana: module done, the on-the-job step waits for the manager (and is past due), the social
    # step open for 8 days with nothing recorded since: drifting.
    assert ana["onboarding_completion"] == 0.333
    assert (ana["onboarding_steps_done"], ana["onboarding_steps_total"]) == (1, 3)
    assert ana["overdue_steps"] == ana["onboarding_overdue"] == 1
    assert ana["awaiting_confirmation"] == 1
    last_active = datetime.datetime.fromisoformat(ana["last_active"])
    assert abs(last_active - team["pending"].occurred_at) < datetime.timedelta(milliseconds=1)
    assert ana["drifting"] is True
    # The pending step does not count toward the mix until it is confirmed.
    shares = {s["category"]: s for s in ana["mix"]["categories"]}
    assert ana["mix"]["total_minutes"] == 5
    assert (shares["formal"]["minutes"], shares["formal"]["count"], shares["formal"]["share"]) == (
        5,
        1,
        1.0,
    )
    assert (shares["experience"]["reference"], shares["experience"]["minutes"]) == (0.7, 0)

    # Ben started yesterday: one step available, nothing done yet, but not drifting on day two.
    assert (ben["onboarding_completion"], ben["overdue_steps"], ben["last_active"]) == (
        0.0,
        0,
        None,
    )
    assert ben["drifting"] is False

    # Cy is in no journey: no onboarding figure, never drifting, but their mix shows.
    assert cy["onboarding_completion"] is None
    assert cy["drifting"] is False
    assert cy["mix"]["total_minutes"] == 10


def test_drifting_follows_the_setting(team, settings):
    settings.MICROMOMENTS_DRIFTING_AFTER_DAYS = 9
    items = team["api"].get("/api/v1/manager/team").json()["items"]
    assert [m["drifting"] for m in items] == [False, False, False]


def test_someone_with_no_reports_gets_an_empty_team(team):
    # Being a manager is having reports: anyone may ask, and a non-manager sees nobody.
    api = token_client(team["ana"].user)
    assert api.get("/api/v1/manager/team").json() == {"items": [], "count": 0}


def test_team_needs_a_token(team):
    from django.test import Client

    assert Client().get("/api/v1/manager/team").status_code == 401


@pytest.mark.parametrize("size", [3, 300])
def test_team_runs_a_fixed_number_of_queries(library, django_assert_max_num_queries, size):
    boss = UserFactory(username="boss")
    add_reports(boss, onboarding_event(publish_module(title="Refunds")), count=size)
    api = token_client(boss)
    with django_assert_max_num_queries(12):
        body = api.get("/api/v1/manager/team?page=2").json()
    assert body["count"] == size
    assert len(body["items"]) == max(0, min(20, size - 20))


def test_report_detail_shows_journeys_steps_and_recent_activity(team):
    body = team["api"].get(f"/api/v1/manager/learners/{team['ana'].pk}").json()
    assert (body["username"], body["drifting"], body["onboarding_completion"]) == (
        "ana",
        True,
        0.333,
    )
    [journey] = body["journeys"]
    assert journey["event"]["name"] == "Support onboarding"
    assert [(s["title"], s["state"], s["awaiting_confirmation"]) for s in journey["steps"]] == [
        ("Read about refunds", "done", False),
        ("Do a refund", "overdue", True),
        ("Shadow a colleague", "available", False),
    ]
    # Newest first.
    assert [a["verb"] for a in body["recent_activity"]] == ["step_done", "module_completed"]
    assert [(a["id"], a["step_title"], a["confirmation"]) for a in body["to_confirm"]] == [
        (team["pending"].pk, "Do a refund", "pending")
    ]


def test_report_detail_of_anyone_but_a_direct_report_is_404(team):
    api = team["api"]
    assert api.get(f"/api/v1/manager/learners/{team['stranger'].pk}").status_code == 404
    assert api.get("/api/v1/manager/learners/999999").status_code == 404
    # A report cannot look at a colleague, nor at themselves through the manager API.
    ana_api = token_client(team["ana"].user)
    assert ana_api.get(f"/api/v1/manager/learners/{team['ben'].pk}").status_code == 404
    assert ana_api.get(f"/api/v1/manager/learners/{team['ana'].pk}").status_code == 404


def test_confirming_a_pending_step_makes_it_done(team):
    api, pending = team["api"], team["pending"]
    response = api.post(f"/api/v1/manager/activities/{pending.pk}/confirm")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["confirmation"]) == (pending.pk, "confirmed")
    assert body["confirmed_by"]["id"] == team["boss"].pk
    assert body["confirmed_at"] is not None
    pending.refresh_from_db()
    assert (pending.confirmation, pending.confirmed_by) == (Confirmation.CONFIRMED, team["boss"])

    detail = api.get(f"/api/v1/manager/learners/{team['ana'].pk}").json()
    assert [s["state"] for s in detail["journeys"][0]["steps"]] == ["done", "done", "available"]
    assert detail["to_confirm"] == []
    assert (detail["onboarding_completion"], detail["awaiting_confirmation"]) == (0.667, 0)
    assert detail["mix"]["total_minutes"] == 35  # the confirmed step now counts
    # The learner sees it too.
    learner_view = token_client(team["ana"].user).get("/api/v1/journeys").json()
    assert learner_view["items"][0]["steps"][1]["state"] == "done"


def test_confirming_twice_is_a_conflict(team):
    url = f"/api/v1/manager/activities/{team['pending'].pk}/confirm"
    assert team["api"].post(url).status_code == 200
    again = team["api"].post(url)
    assert again.status_code == 409
    assert again.json()["detail"] == "This activity is already confirmed."


def test_an_activity_needing_no_manager_is_a_conflict(team):
    ana = team["ana"]
    module_done = Activity.objects.get(learner=ana, verb=Verb.MODULE_COMPLETED)
    self_confirmed = Activity.objects.create(
        learner=ana,
        verb=Verb.STEP_DONE,
        step=team["steps"][2],
        category="social",
        confirmation=Confirmation.PENDING,
        occurred_at=timezone.now(),
    )
    for activity in (module_done, self_confirmed):
        response = team["api"].post(f"/api/v1/manager/activities/{activity.pk}/confirm")
        assert response.status_code == 409
        assert response.json()["detail"] == "This activity needs no confirmation by a manager."
        activity.refresh_from_db()
        assert activity.confirmed_at is None


def test_confirming_anyone_but_a_direct_reports_activity_is_404(team):
    strangers = team["strangers_pending"]
    assert team["api"].post(f"/api/v1/manager/activities/{strangers.pk}/confirm").status_code == 404
    assert team["api"].post("/api/v1/manager/activities/999999/confirm").status_code == 404
    # Nor may a learner confirm their own step.
    ana_api = token_client(team["ana"].user)
    assert (
        ana_api.post(f"/api/v1/manager/activities/{team['pending'].pk}/confirm").status_code == 404
    )
    strangers.refresh_from_db()
    assert strangers.confirmation == Confirmation.PENDING
