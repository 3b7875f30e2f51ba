"""Enrolment from change events, and step states in the learner's own time zone."""

import datetime
import zoneinfo

import pytest

from backend.celery import app as celery_app
from cms.models import ChangeEvent, EventAudience, JourneyStep
from learning.journeys import enrolment, states
from learning.models import Activity, Confirmation, Enrollment, Learner, Verb
from tests.factories import LearnerFactory, publish_module, token_client

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def eager_celery():
    """Run tasks in-process when they are enqueued: the real task code, no broker round trip."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def make_event(
    *, kind="product_launch", date=TODAY, roles=("Support agent",), everyone=False, steps=()
):
    # Saved as a draft, as the admin does (DraftStateMixin's `live` defaults to True).
    event = ChangeEvent(
        name=f"{kind} event",
        kind=kind,
        date=None if kind == "onboarding" else date,
        audience_everyone=everyone,
        live=False,
    )
    event.audience_rules = [EventAudience(role=r) for r in roles]
    event.steps = list(steps)
    event.save()
    return event


def test_publishing_an_event_enrols_its_audience_once(
    eager_celery, django_capture_on_commit_callbacks
):
    agent = LearnerFactory(role="Support agent")
    LearnerFactory(role="Engineer")
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    assert list(Enrollment.objects.values_list("learner_id", "anchor_date")) == [(agent.pk, TODAY)]
    # Publishing again (and running the task again) enrols nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    assert enrolment.enrol_audience(event.pk, today=TODAY) == 0
    assert Enrollment.objects.count() == 1


def test_a_draft_event_enrols_nobody():
    LearnerFactory(role="Support agent")
    event = make_event()
    assert enrolment.enrol_audience(event.pk, today=TODAY) == 0
    assert not Enrollment.objects.exists()


def test_audience_rules_match_role_or_team_case_insensitively():
    by_role = LearnerFactory(role="support agent", team="North")
    by_team = LearnerFactory(role="Engineer", team="Billing")
    LearnerFactory(role="Engineer", team="Platform")
    event = make_event(roles=())
    event.audience_rules = [EventAudience(role="Support Agent"), EventAudience(team="billing")]
    event.save()
    event.save_revision().publish()
    enrolment.enrol_audience(event.pk, today=TODAY)
    assert set(Enrollment.objects.values_list("learner_id", flat=True)) == {by_role.pk, by_team.pk}


def test_onboarding_anchors_on_each_start_date_and_skips_long_serving_staff(settings):
    settings.MICROMOMENTS_ONBOARDING_WINDOW_DAYS = 90
    new = LearnerFactory(start_date=TODAY - datetime.timedelta(days=10))
    LearnerFactory(start_date=TODAY - datetime.timedelta(days=400))
    event = make_event(kind="onboarding")
    event.save_revision().publish()
    enrolment.enrol_audience(event.pk, today=TODAY)
    assert list(Enrollment.objects.values_list("learner_id", "anchor_date")) == [
        (new.pk, new.start_date)
    ]


def test_a_learner_created_later_is_enrolled_in_matching_live_events():
    event = make_event(everyone=True, roles=())
    event.save_revision().publish()
    later = LearnerFactory()
    enrolment.enrol_in_matching_events([later.pk], today=TODAY)
    assert Enrollment.objects.get().learner == later


def states_on(learner, now):
    enrollments = list(states.live_enrollments(Enrollment.objects.filter(learner=learner)))
    return [s.state for s in states.journey_states(enrollments, now=now)[0].steps]


@pytest.fixture
def journey(library):
    module = publish_module(title="Refunds")
    event = make_event(
        steps=[
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
        ]
    )
    event.save_revision().publish()
    return event, module


def test_steps_unlock_at_local_midnight_not_utc(journey):
    event, _ = journey
    learner = LearnerFactory(timezone="Pacific/Auckland")  # UTC+13 in November
    Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    # 10:30 UTC on the 23rd is 23:30 in Auckland: step 2 (day 1) is still locked...
    assert states_on(learner, datetime.datetime(2026, 11, 23, 10, 30, tzinfo=datetime.UTC)) == [
        "available",
        "locked",
    ]
    # ...and at 11:00 UTC it is midnight on the 24th in Auckland: unlocked.
    assert states_on(learner, datetime.datetime(2026, 11, 23, 11, 0, tzinfo=datetime.UTC)) == [
        "available",
        "available",
    ]


def test_steps_become_overdue_after_their_due_day(journey):
    event, _ = journey
    learner = LearnerFactory(timezone="America/Los_Angeles")
    Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert states_on(learner, datetime.datetime(2026, 11, 25, 23, 59, tzinfo=la)) == [
        "available",
        "available",
    ]
    assert states_on(learner, datetime.datetime(2026, 11, 26, 0, 1, tzinfo=la)) == [
        "overdue",
        "overdue",
    ]


def test_completing_the_module_completes_a_formal_step(journey):
    event, module = journey
    learner = LearnerFactory()
    Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    Activity.objects.create(
        learner=learner,
        verb=Verb.MODULE_COMPLETED,
        module=module,
        category="formal",
        occurred_at=datetime.datetime(2026, 11, 23, 9, tzinfo=datetime.UTC),
    )
    assert states_on(learner, datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))[0] == "done"


def test_a_step_waiting_for_its_managers_confirmation_is_not_done(journey):
    event, _ = journey
    learner = LearnerFactory()
    Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    step = event.steps.get(kind="on_the_job")
    activity = Activity.objects.create(
        learner=learner,
        verb=Verb.STEP_DONE,
        step=step,
        category="experience",
        confirmation=Confirmation.PENDING,
        occurred_at=datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC),
    )
    now = datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC)
    enrollments = list(states.live_enrollments(Enrollment.objects.filter(learner=learner)))
    second = states.journey_states(enrollments, now=now)[0].steps[1]
    assert (second.state, second.awaiting_confirmation) == ("available", True)
    Activity.objects.filter(pk=activity.pk).update(confirmation=Confirmation.CONFIRMED)
    assert states_on(learner, now)[1] == "done"


def test_journeys_api_lists_my_enrolments_with_steps(journey):
    event, module = journey
    learner = LearnerFactory(timezone="UTC")
    enrollment = Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    api = token_client(learner.user)
    body = api.get("/api/v1/journeys").json()
    assert body["count"] == 1
    journey_out = body["items"][0]
    assert journey_out["id"] == enrollment.pk
    assert journey_out["event"]["name"] == event.name
    assert [s["title"] for s in journey_out["steps"]] == ["Read about refunds", "Do a refund"]
    assert journey_out["steps"][0]["module_id"] == module.pk
    assert journey_out["steps"][1]["category"] == "experience"
    assert api.get(f"/api/v1/journeys/{enrollment.pk}").json()["steps_total"] == 2


def _titles(api):
    return [s["title"] for s in api.get("/api/v1/journeys").json()["items"][0]["steps"]]


def _enrolled_client(event):
    learner = LearnerFactory(timezone="UTC")
    Enrollment.objects.create(learner=learner, event=event, anchor_date=TODAY)
    return token_client(learner.user)


def test_an_events_steps_are_read_once_per_published_version(
    journey, django_assert_num_queries, settings
):
    settings.MICROMOMENTS_VIEW_CACHE_SECONDS = (
        0  # the layer below the cached view (learning.cached)
    )
    api = _enrolled_client(journey[0])
    assert _titles(api) == ["Read about refunds", "Do a refund"]
    # The token, the enrolments, what the learner did, their pauses: no steps, no learner again.
    with django_assert_num_queries(4):
        assert api.get("/api/v1/journeys").status_code == 200


def test_a_publish_elsewhere_is_seen_by_the_events_new_version(journey):
    from django.db.models.signals import post_delete, post_save

    from learning.journeys.definitions import on_event_saved, on_step_changed

    event, _ = journey
    api = _enrolled_client(event)
    assert _titles(api) == ["Read about refunds", "Do a refund"]
    # As another process publishes it: this one hears nothing, the new version tells it.
    handlers = [
        (post_save, JourneyStep, on_step_changed, "learning.steps_saved"),
        (post_delete, JourneyStep, on_step_changed, "learning.steps_gone"),
        (post_save, ChangeEvent, on_event_saved, "learning.event_saved"),
    ]
    for signal, sender, _handler, uid in handlers:
        signal.disconnect(sender=sender, dispatch_uid=uid)
    try:
        event = ChangeEvent.objects.get(pk=event.pk)
        steps = list(event.steps.all())
        steps[1].title = "Do a refund with your buddy"
        event.steps = steps
        event.save_revision().publish()
    finally:
        for signal, sender, handler, uid in handlers:
            signal.connect(handler, sender=sender, dispatch_uid=uid)
    assert _titles(api) == ["Read about refunds", "Do a refund with your buddy"]


def test_a_step_saved_or_deleted_in_this_process_is_seen_at_once(journey):
    event, _ = journey
    api = _enrolled_client(event)
    assert _titles(api) == ["Read about refunds", "Do a refund"]
    first, second = JourneyStep.objects.filter(event=event).order_by("sort_order", "pk")
    second.title = "Refund a customer"
    second.save()  # no publish: the same version
    assert _titles(api) == ["Read about refunds", "Refund a customer"]
    first.delete()
    assert _titles(api) == ["Refund a customer"]


def test_another_learners_journey_is_404(journey):
    event, _ = journey
    mine, theirs = LearnerFactory(), LearnerFactory()
    their_enrollment = Enrollment.objects.create(learner=theirs, event=event, anchor_date=TODAY)
    Enrollment.objects.create(learner=mine, event=event, anchor_date=TODAY)
    api = token_client(mine.user)
    assert api.get(f"/api/v1/journeys/{their_enrollment.pk}").status_code == 404
    assert [j["id"] for j in api.get("/api/v1/journeys").json()["items"]] != [their_enrollment.pk]


def test_changed_start_dates_reanchor_onboarding_in_one_update(django_assert_max_num_queries):
    learners = [LearnerFactory(start_date=TODAY) for _ in range(5)]
    event = make_event(kind="onboarding")
    event.save_revision().publish()
    enrolment.enrol_audience(event.pk, today=TODAY)
    moved = TODAY + datetime.timedelta(days=7)
    Learner.objects.filter(pk__in=[learner.pk for learner in learners]).update(start_date=moved)
    with django_assert_max_num_queries(8):  # the same for 5 learners or 5,000
        enrolment.enrol_in_matching_events([learner.pk for learner in learners], today=TODAY)
    assert set(Enrollment.objects.values_list("anchor_date", flat=True)) == {moved}
