"""Pauses (a vacation hold): set by the learner (POST /me/pause) or their manager, ended early with
DELETE. While paused nothing unlocks or falls overdue, drift is not flagged, practice waits and no
nudge is planned; afterwards the open steps and cards are due as many days later as the pause was."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from cms.errors import Invalid
from cms.models import ChangeEvent, JourneyStep
from learning.journeys import pauses
from learning.journeys.states import is_drifting, journey_states, live_enrollments
from learning.models import Card, Enrollment, Learner, Pause
from nudges.models import Nudge
from nudges.planning import plan_nudges
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def local_today(learner):
    return timezone.now().astimezone(learner.tz).date()


def pause_body(start, end, reason="Annual leave"):
    return {"from": start.isoformat(), "until": end.isoformat(), "reason": reason}


# --- The API ------------------------------------------------------------------------------------


def test_a_learner_pauses_sees_it_and_ends_it(learner, api_client):
    today = local_today(learner)
    created = api_client.post(
        "/api/v1/me/pause", pause_body(today, today + 9 * DAY), content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json() == {
        "from": today.isoformat(),
        "until": (today + 9 * DAY).isoformat(),
        "reason": "Annual leave",
        "set_by": {"id": learner.user_id, "name": learner.user.get_full_name() or "dana"},
    }
    assert api_client.get("/api/v1/me/pause").json()["from"] == today.isoformat()

    again = api_client.post(
        "/api/v1/me/pause", pause_body(today, today + DAY), content_type="application/json"
    )
    assert again.status_code == 409

    assert api_client.delete("/api/v1/me/pause").status_code == 204
    # It started today: ending it today means it never held a day, so it is gone.
    assert not Pause.objects.exists()
    assert api_client.get("/api/v1/me/pause").status_code == 404
    assert api_client.delete("/api/v1/me/pause").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "PAST", "until": "+1"}, "from"),
        ({"from": "+1", "until": "+0"}, "until"),
        ({"from": "+1", "until": "+91"}, "until"),
        ({"from": 20260301, "until": "+3"}, "from"),
        ({"from": "+1", "until": "2026-02-30"}, "until"),
        ({"from": "+1", "until": "+3", "reason": "away\x00"}, "reason"),
        ({"until": "+3"}, "from"),
    ],
)
def test_a_bad_pause_is_422_naming_the_field_and_nothing_is_set(learner, api_client, body, field):
    today = local_today(learner)

    def day(value):
        if value == "PAST":
            return (today - DAY).isoformat()
        if isinstance(value, str) and value.startswith("+"):
            return (today + int(value[1:]) * DAY).isoformat()
        return value

    payload = {key: day(value) if key != "reason" else value for key, value in body.items()}
    response = api_client.post("/api/v1/me/pause", payload, content_type="application/json")

    assert response.status_code == 422, response.json()
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Pause.objects.exists()


def test_ninety_days_is_the_longest_pause(learner, api_client):
    today = local_today(learner)
    response = api_client.post(
        "/api/v1/me/pause", pause_body(today, today + 89 * DAY), content_type="application/json"
    )
    assert response.status_code == 201


def test_a_manager_pauses_a_report_and_sees_it_in_the_team(learner, api_client):
    boss = UserFactory(username="boss")
    Learner.objects.filter(pk=learner.pk).update(manager=boss)
    manager = token_client(boss)
    today = local_today(learner)

    response = manager.post(
        f"/api/v1/manager/learners/{learner.pk}/pause",
        pause_body(today, today + 4 * DAY, "Parental leave"),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["set_by"]["id"] == boss.pk
    (member,) = manager.get("/api/v1/manager/team").json()["items"]
    assert member["paused_until"] == (today + 4 * DAY).isoformat()
    # The learner sees it too, and a stranger cannot touch it.
    assert api_client.get("/api/v1/me/pause").json()["reason"] == "Parental leave"
    stranger = token_client(UserFactory(username="stranger"))
    assert stranger.delete(f"/api/v1/manager/learners/{learner.pk}/pause").status_code == 404
    assert manager.delete(f"/api/v1/manager/learners/{learner.pk}/pause").status_code == 204
    (member,) = manager.get("/api/v1/manager/team").json()["items"]
    assert member["paused_until"] is None


# --- What a pause holds, in two time zones -------------------------------------------------------

# Kiritimati is UTC+14; New York changes to summer time on 8 March 2026.
ZONES = ("Pacific/Kiritimati", "America/New_York")


def at(zone: str, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def journey(learner, *, anchor):
    event = ChangeEvent(name="Onboarding", kind="onboarding", live=True)
    event.steps = [
        JourneyStep(title="Due on day 3", kind="social", day_offset=0, due_offset=3),
        JourneyStep(title="Unlocks on day 5", kind="social", day_offset=5, due_offset=1),
    ]
    event.save()
    enrollment = Enrollment.objects.create(learner=learner, event=event, anchor_date=anchor)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=at(learner.timezone, anchor.year, anchor.month, anchor.day, 9)
    )
    return enrollment


def states(learner, now):
    enrollments = list(live_enrollments(Enrollment.objects.filter(learner=learner)))
    (state,) = journey_states(enrollments, now=now)
    return state, [(s.state, s.unlocks_on, s.due_on) for s in state.steps]


@pytest.mark.parametrize("zone", ZONES)
def test_while_paused_nothing_falls_due_and_afterwards_the_dates_move_by_the_days_paused(
    library, zone
):
    learner = LearnerFactory(timezone=zone)
    anchor = datetime.date(2026, 3, 2)
    journey(learner, anchor=anchor)
    # Paused 4 to 10 March (7 days), set on the 3rd at noon local time.
    pauses.start_pause(
        learner,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 10),
        reason="",
        set_by=None,
        now=at(zone, 2026, 3, 3, 12),
    )

    # Day 3 of the journey was the 5th: without the pause the first step would be overdue on the
    # 6th. Paused, nothing is overdue and the day-5 step stays locked.
    state, steps = states(learner, at(zone, 2026, 3, 9, 23, 30))
    assert [s[0] for s in steps] == ["available", "locked"]
    assert state.paused_until == datetime.date(2026, 3, 10)
    # Back on the 11th: every date is 7 days later than it was.
    state, steps = states(learner, at(zone, 2026, 3, 11, 0, 1))
    assert steps == [
        ("available", datetime.date(2026, 3, 2), datetime.date(2026, 3, 12)),
        ("locked", datetime.date(2026, 3, 14), datetime.date(2026, 3, 15)),
    ]
    assert (state.paused_until, state.back_on) == (None, datetime.date(2026, 3, 11))
    # Overdue once its moved due date has passed, at the learner's own midnight.
    _, steps = states(learner, at(zone, 2026, 3, 13, 0, 0))
    assert steps[0][0] == "overdue"
    _, steps = states(learner, at(zone, 2026, 3, 12, 23, 59))
    assert steps[0][0] == "available"


@pytest.mark.parametrize("zone", ZONES)
def test_a_pause_cannot_start_before_the_learners_today(library, zone):
    learner = LearnerFactory(timezone=zone)
    # 23:30 UTC on 2 March is the 3rd at UTC+14, and still the 2nd in New York.
    now = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)
    today = learner.local_date(now)
    with pytest.raises(Invalid):
        pauses.start_pause(
            learner, starts_on=today - DAY, ends_on=today, reason="", set_by=None, now=now
        )
    pauses.start_pause(learner, starts_on=today, ends_on=today, reason="", set_by=None, now=now)


def test_practice_waits_and_comes_back_by_the_unused_days_when_ended_early(library):
    learner = LearnerFactory(timezone="Pacific/Kiritimati")
    module = publish_module(title="Refunds", body=[question()])
    now = at("Pacific/Kiritimati", 2026, 3, 3, 12)
    due_in_pause = Card.objects.create(
        learner=learner,
        module=module,
        block_id="a",
        due=at("Pacific/Kiritimati", 2026, 3, 6, 9),
        answer_fingerprint="x",
    )
    due_now = Card.objects.create(
        learner=learner, module=module, block_id="b", due=now - DAY, answer_fingerprint="x"
    )
    pauses.start_pause(
        learner,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 13),
        reason="",
        set_by=None,
        now=now,
    )
    due_in_pause.refresh_from_db()
    assert due_in_pause.due == at("Pacific/Kiritimati", 2026, 3, 16, 9)  # ten days later
    assert Card.objects.get(pk=due_now.pk).due == now - DAY  # already due: left as it was

    # Back on the 8th (the 4th to the 7th paused): the 6 unused days come back off.
    pause = pauses.end_pause(learner, now=at("Pacific/Kiritimati", 2026, 3, 8, 8))
    assert (pause.starts_on, pause.ends_on) == (
        datetime.date(2026, 3, 4),
        datetime.date(2026, 3, 7),
    )
    due_in_pause.refresh_from_db()
    assert due_in_pause.due == at("Pacific/Kiritimati", 2026, 3, 10, 9)


def test_nobody_is_drifting_while_paused_nor_in_their_first_days_back(library, settings):
    settings.MICROMOMENTS_DRIFTING_AFTER_DAYS = 5
    learner = LearnerFactory(timezone="America/New_York")
    journey(learner, anchor=datetime.date(2026, 2, 1))  # a month of silence

    def drifting(now):
        enrollments = list(live_enrollments(Enrollment.objects.filter(learner=learner)))
        return is_drifting(learner, journey_states(enrollments, now=now), last_active=None, now=now)

    assert drifting(at("America/New_York", 2026, 3, 3, 12))
    pauses.start_pause(
        learner,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 10),
        reason="",
        set_by=None,
        now=at("America/New_York", 2026, 3, 3, 12),
    )
    assert not drifting(at("America/New_York", 2026, 3, 9, 12))
    assert not drifting(at("America/New_York", 2026, 3, 13, 12))  # back on the 11th: 2 days
    assert drifting(at("America/New_York", 2026, 3, 16, 12))  # 5 quiet days since coming back


def test_no_nudge_is_planned_while_paused_and_what_was_planned_is_suppressed(library):
    learner = LearnerFactory(timezone="Europe/Berlin")
    module = publish_module(title="Refunds", body=[question()])
    now = timezone.now()
    Card.objects.create(
        learner=learner, module=module, block_id="a", due=now - DAY, answer_fingerprint="x"
    )
    planned = NudgeFactory(learner=learner, planned_for=now + datetime.timedelta(hours=2))
    today = learner.local_date(now)
    pauses.start_pause(
        learner, starts_on=today, ends_on=today + 2 * DAY, reason="", set_by=None, now=now
    )
    assert Nudge.objects.get(pk=planned.pk).state == Nudge.State.SUPPRESSED

    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=now)
    plan_nudges(now=now)

    assert not Nudge.objects.filter(learner=learner, state=Nudge.State.PLANNED).exists()
    back = datetime.datetime.combine(today + 3 * DAY, datetime.time.min, tzinfo=learner.tz)
    assert Learner.objects.get(pk=learner.pk).next_nudge_check_at == back
