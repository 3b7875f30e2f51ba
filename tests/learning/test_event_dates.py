"""Journeys follow their event: a new date published moves every enrolment (in one update, in each
learner's own days) and cancels the planned nudges about its steps; unpublishing ends them, and
publishing again resumes them. The author sees beforehand how many people a date change moves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ChangeEvent, JourneyStep
from learning.journeys.enrolment import follow_published_event
from learning.journeys.states import journey_states, live_enrollments
from learning.models import EndReason, Enrollment, Learner
from nudges import dedupe
from nudges.models import Nudge
from tests.factories import LearnerFactory, UserFactory
from tests.nudges.sending_factories import NudgeFactory

pytestmark = pytest.mark.django_db

OLD, NEW = datetime.date(2026, 3, 1), datetime.date(2026, 3, 8)  # 8 March: New York's DST change
ZONES = ("Pacific/Kiritimati", "America/New_York")


def launch(*, date=OLD) -> ChangeEvent:
    event = ChangeEvent(name="Flex launch", kind="product_launch", date=date, live=False)
    event.steps = [JourneyStep(title="Launch day", kind="social", day_offset=0, due_offset=0)]
    event.save()
    event.save_revision().publish()
    return event


def enrol(event, *zones) -> list[Learner]:
    learners = [LearnerFactory(timezone=zone) for zone in zones]
    Enrollment.objects.bulk_create(
        [Enrollment(learner=x, event=event, anchor_date=event.date) for x in learners]
    )
    return learners


def move(event, date) -> None:
    event.refresh_from_db()
    event.date = date
    event.save_revision().publish()


def state_of(learner, *, now) -> str:
    enrollments = list(live_enrollments(Enrollment.objects.filter(learner=learner)))
    (journey,) = journey_states(enrollments, now=now)
    return journey.steps[0].state


def test_a_new_date_moves_every_journey_in_each_learners_own_days(library):
    event = launch()
    kiritimati, new_york = enrol(event, *ZONES)
    # Noon UTC on 2 March: the old launch day is over everywhere, so its step is overdue.
    noon = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    assert {state_of(x, now=noon) for x in (kiritimati, new_york)} == {"overdue"}

    move(event, NEW)

    assert set(Enrollment.objects.values_list("anchor_date", flat=True)) == {NEW}
    assert {state_of(x, now=noon) for x in (kiritimati, new_york)} == {"locked"}
    # The step unlocks at each one's local midnight on the new date: 10:00 UTC on the 7th at
    # UTC+14, 05:00 UTC on the 8th in New York (still EST at midnight; EDT from 03:00).
    assert state_of(kiritimati, now=datetime.datetime(2026, 3, 7, 10, 0, tzinfo=datetime.UTC)) == (
        "available"
    )
    assert state_of(new_york, now=datetime.datetime(2026, 3, 8, 4, 59, tzinfo=datetime.UTC)) == (
        "locked"
    )
    assert state_of(new_york, now=datetime.datetime(2026, 3, 8, 5, 0, tzinfo=datetime.UTC)) == (
        "available"
    )
    # Due at the end of that local day: overdue from local midnight of the 9th (EDT by then).
    assert state_of(new_york, now=datetime.datetime(2026, 3, 9, 3, 59, tzinfo=datetime.UTC)) == (
        "available"
    )
    assert state_of(new_york, now=datetime.datetime(2026, 3, 9, 4, 0, tzinfo=datetime.UTC)) == (
        "overdue"
    )


def test_planned_step_nudges_are_cancelled_sent_ones_stay_and_the_planner_looks_again(library):
    event = launch()
    learner, other = enrol(event, *ZONES)
    step = event.steps.get()
    planned = NudgeFactory(
        learner=learner, kind="deadline", dedupe_key=dedupe.deadline(learner.pk, step.pk)
    )
    sent = NudgeFactory(
        learner=other,
        kind="step_unlocked",
        dedupe_key=dedupe.step_unlocked(other.pk, step.pk),
        state=Nudge.State.SENT,
        sent_at=timezone.now(),
    )
    practice = NudgeFactory(learner=learner)  # about cards, not the journey: stays planned
    later = timezone.now() + datetime.timedelta(days=5)
    Learner.objects.update(next_nudge_check_at=later)

    move(event, NEW)

    states = dict(Nudge.objects.values_list("pk", "state"))
    assert states == {
        planned.pk: Nudge.State.SUPPRESSED,
        sent.pk: Nudge.State.SENT,
        practice.pk: Nudge.State.PLANNED,
    }
    assert Nudge.objects.get(pk=planned.pk).last_error == "The journey's dates moved."
    assert all(
        at <= timezone.now() for at in Learner.objects.values_list("next_nudge_check_at", flat=True)
    )


def test_publishing_without_a_new_date_moves_nobody(library):
    event = launch()
    (learner,) = enrol(event, "UTC")
    Learner.objects.update(next_nudge_check_at=timezone.now() + datetime.timedelta(days=5))
    event.description = "Now with a FAQ."
    event.save_revision().publish()
    assert Learner.objects.get(pk=learner.pk).next_nudge_check_at > timezone.now()


def test_moving_takes_the_same_queries_for_3_or_300_people(library):
    counts = []
    for size in (3, 300):
        event = launch()
        enrol(event, *(ZONES[i % 2] for i in range(size)))
        event.date = NEW
        event.save()
        with CaptureQueriesContext(connection) as queries:
            result = follow_published_event(event, now=timezone.now())
        assert result.moved == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_unpublishing_ends_the_journeys_and_publishing_again_resumes_them(library):
    event = launch()
    learners = enrol(event, *ZONES)
    step = event.steps.get()
    planned = NudgeFactory(
        learner=learners[0],
        kind="step_unlocked",
        dedupe_key=dedupe.step_unlocked(learners[0].pk, step.pk),
    )

    event.refresh_from_db()  # publish() saved another instance: this one still says "draft"
    event.unpublish()

    assert set(Enrollment.objects.values_list("end_reason", flat=True)) == {EndReason.EVENT_ENDED}
    assert Enrollment.objects.current().count() == 0
    assert Nudge.objects.get(pk=planned.pk).state == Nudge.State.SUPPRESSED

    move(event, NEW)  # published again, with a new date

    assert Enrollment.objects.current().count() == 2
    assert set(Enrollment.objects.values_list("anchor_date", flat=True)) == {NEW}


def test_an_expired_event_ends_its_journeys(library):
    from django.core.management import call_command

    event = launch()
    enrol(event, "UTC")
    ChangeEvent.objects.filter(pk=event.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("publish_scheduled", verbosity=0)
    assert Enrollment.objects.current().count() == 0


def test_a_scheduled_new_date_moves_the_journeys_when_it_goes_live(library):
    from django.core.management import call_command

    event = launch()
    enrol(event, "UTC")
    event.refresh_from_db()
    event.date = NEW
    event.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    revision = event.save_revision()
    revision.publish()  # scheduled: approved to go live at go_live_at
    assert set(Enrollment.objects.values_list("anchor_date", flat=True)) == {OLD}
    # Five minutes later, as the beat's publish_scheduled sees it: the go-live time has passed.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)
    assert set(Enrollment.objects.values_list("anchor_date", flat=True)) == {NEW}


def test_the_author_sees_how_many_people_a_new_date_moves(client, library):
    from django.contrib.auth.models import Group

    event = launch()
    enrol(event, *ZONES, "UTC")
    author = UserFactory(username="author")
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)

    page = client.get(f"/cms/snippets/cms/changeevent/edit/{event.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong>3</strong> people are on this journey (live date: 1 March 2026)" in text
    assert "Publishing a new date moves each of their journeys" in text
