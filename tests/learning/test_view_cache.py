"""A learner's own views come from the cache while nothing they read has changed, and afresh the
moment anything has: every write, however it is made, moves a version the database keeps, and
time moves what time alone changes (learning.cached, cms.versions)."""

import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import ChangeEvent, ContentVersion, EventAudience, JourneyStep, SearchMiss
from learning.models import Activity, Celebration, Enrollment, Learner, Pause, Verb
from learning.practice import cards as practice
from tests.factories import LearnerFactory, UserFactory, publish_module, question, token_client

pytestmark = pytest.mark.django_db

VIEWS = ["/api/v1/me/today", "/api/v1/journeys", "/api/v1/me/progress", "/api/v1/reviews/due"]


def version(learner) -> int:
    return Learner.objects.values_list("view_version", flat=True).get(pk=learner.pk)


def content() -> int:
    return ContentVersion.objects.values_list("version", flat=True).get(pk=1)


def live_event(*steps, name="Smart Tariff launch"):
    event = ChangeEvent(name=name, kind="product_launch", date=datetime.date(2026, 11, 1))
    event.audience_rules = [EventAudience(role="Support agent")]
    event.steps = list(steps)
    event.save()
    return event


@pytest.fixture
def journey(learner):
    event = live_event(JourneyStep(title="Shadow a call", kind="social", day_offset=0))
    return Enrollment.objects.create(
        learner=learner, event=event, anchor_date=learner.local_date(timezone.now())
    )


def titles(client) -> list[str]:
    return [step["title"] for step in client.get("/api/v1/journeys").json()["items"][0]["steps"]]


# --- served from the cache ------------------------------------------------------------------------


@pytest.mark.parametrize("url", VIEWS)
def test_a_second_read_is_the_token_read_alone_and_the_same_bytes(
    url, api_client, journey, django_assert_num_queries
):
    first = api_client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(1):  # the token read, which reads both versions
        second = api_client.get(url)

    assert (second.status_code, second["Content-Type"]) == (200, first["Content-Type"])
    assert second.content == first.content


def test_each_learner_and_each_argument_has_their_own_entry(api_client, learner, journey):
    other = LearnerFactory(user__username="sam")
    other_client = token_client(other.user)

    assert api_client.get("/api/v1/journeys").json()["count"] == 1
    assert other_client.get("/api/v1/journeys").json()["count"] == 0
    assert api_client.get("/api/v1/me/today?minutes=5").json()["minutes"] == 5
    assert api_client.get("/api/v1/me/today?minutes=30").json()["minutes"] == 30


def test_a_bad_argument_is_refused_and_nothing_is_kept(api_client, journey):
    assert api_client.get("/api/v1/me/today?minutes=0").status_code == 422
    assert api_client.get("/api/v1/me/today?minutes=0").status_code == 422
    assert api_client.get("/api/v1/reviews/due?limit=51").status_code == 422


def test_with_the_cache_off_every_read_is_built(
    api_client, journey, settings, django_assert_num_queries
):
    settings.MICROMOMENTS_VIEW_CACHE_SECONDS = 0
    api_client.get("/api/v1/journeys")
    with django_assert_num_queries(4):  # the token read, enrolments, activities, pauses
        api_client.get("/api/v1/journeys")


# --- afresh after every change --------------------------------------------------------------------


def test_an_event_posted_is_in_the_next_read(api_client, learner, journey):
    step = journey.event.steps.get()
    assert api_client.get("/api/v1/me/today?minutes=30").json()["steps"]

    response = api_client.post(
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

    assert response.status_code == 200, response.json()
    assert api_client.get("/api/v1/me/today?minutes=30").json()["steps"] == []
    assert api_client.get("/api/v1/me/progress").json()["journeys"][0]["steps_done"] == 1


def test_a_publish_is_in_the_next_read(api_client, journey):
    assert titles(api_client) == ["Shadow a call"]
    event = journey.event
    event.steps.add(JourneyStep(title="Read the FAQ", kind="social", day_offset=0))
    event.save_revision().publish()

    assert titles(api_client) == ["Shadow a call", "Read the FAQ"]


def test_an_answer_is_in_the_next_read(api_client, learner, library):
    module = publish_module(body=[question()])
    practice.create_cards_for_module(
        learner, module, now=timezone.now() - datetime.timedelta(hours=1)
    )
    (card,) = api_client.get("/api/v1/reviews/due").json()

    response = api_client.post(
        "/api/v1/reviews",
        {
            "card_id": card["card_id"],
            "client_id": str(uuid.uuid4()),
            "answered_at": timezone.now().isoformat(),
            "rating": 3,
            "response_ms": 4000,
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    assert api_client.get("/api/v1/reviews/due").json() == []


def test_a_buddys_new_name_is_in_the_next_read(api_client, journey):
    buddy = UserFactory(username="chris", first_name="Chris", last_name="Mentor")
    Enrollment.objects.filter(pk=journey.pk).update(buddy=buddy)
    assert api_client.get("/api/v1/journeys").json()["items"][0]["buddy"]["name"] == "Chris Mentor"

    buddy.last_name = "Okafor"
    buddy.save()

    assert api_client.get("/api/v1/journeys").json()["items"][0]["buddy"]["name"] == "Chris Okafor"


def test_a_celebration_is_in_one_feed_only(api_client, learner, journey):
    Celebration.objects.create(
        learner=learner,
        kind=Celebration.Kind.JOURNEY_DONE,
        key="journey-1",
        title="Journey complete",
        detail="Smart Tariff launch",
        achieved_at=timezone.now(),
    )

    assert len(api_client.get("/api/v1/me/today").json()["celebrations"]) == 1
    assert api_client.get("/api/v1/me/today").json()["celebrations"] == []


# --- time alone -----------------------------------------------------------------------------------


def test_a_card_falling_due_is_shown_from_its_due_time(api_client, learner, library, monkeypatch):
    module = publish_module(body=[question()])
    now = timezone.now()
    practice.create_cards_for_module(learner, module, now=now + datetime.timedelta(hours=1))
    assert api_client.get("/api/v1/reviews/due").json() == []
    assert api_client.get("/api/v1/me/today").json()["practice"]["due"] == 0

    later = now + datetime.timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert len(api_client.get("/api/v1/reviews/due").json()) == 1
    assert api_client.get("/api/v1/me/today").json()["practice"]["due"] == 1


def test_a_step_unlocks_at_the_learners_midnight(api_client, learner, monkeypatch):
    now = timezone.now()
    event = live_event(JourneyStep(title="Tomorrow's step", kind="social", day_offset=1))
    Enrollment.objects.create(learner=learner, event=event, anchor_date=learner.local_date(now))

    def states():
        return [s["state"] for s in api_client.get("/api/v1/journeys").json()["items"][0]["steps"]]

    assert states() == ["locked"]

    tomorrow = learner.local_date(now) + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=learner.tz)
    monkeypatch.setattr(timezone, "now", lambda: midnight)

    assert states() == ["available"]


def test_no_entry_outlives_the_longest_setting(api_client, journey, settings, monkeypatch):
    settings.MICROMOMENTS_VIEW_CACHE_SECONDS = 60
    api_client.get("/api/v1/me/progress")
    # A change no trigger sees (a stored row rewritten with triggers off, as a restore would).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM learning_enrollment")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert api_client.get("/api/v1/me/progress").json()["journeys"] != []  # still the entry

    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert api_client.get("/api/v1/me/progress").json()["journeys"] == []


# --- the versions: every write moves them, whatever makes it --------------------------------------


def _writes(learner, journey, module):
    """(what, write) for each kind of write to each table a learner's views read."""
    now = timezone.now()

    def activity(**fields):
        return Activity(
            learner=learner,
            verb=Verb.ACTIVITY_LOGGED,
            category="on_the_job",
            occurred_at=now,
            **fields,
        )

    return [
        ("an activity saved", lambda: activity().save()),
        ("activities bulk-created", lambda: Activity.objects.bulk_create([activity(), activity()])),
        (
            "activities updated in bulk",
            lambda: Activity.objects.filter(learner=learner).update(minutes=3),
        ),
        (
            "an enrolment ended",
            lambda: Enrollment.objects.filter(pk=journey.pk).update(
                ended_at=now, end_reason="withdrawn"
            ),
        ),
        (
            "a pause set",
            lambda: Pause.objects.create(
                learner=learner, starts_on=now.date(), ends_on=now.date(), set_by=learner.user
            ),
        ),
        ("a pause deleted", lambda: Pause.objects.filter(learner=learner).delete()),
        ("cards created", lambda: practice.create_cards_for_module(learner, module, now=now)),
        (
            "a card moved by raw SQL",
            lambda: _raw(
                "UPDATE learning_card SET due = due + interval '1 day' WHERE learner_id = %s",
                [learner.pk],
            ),
        ),
        (
            "a celebration achieved",
            lambda: Celebration.objects.create(
                learner=learner,
                kind=Celebration.Kind.PRACTICE_WEEK,
                key="week-1",
                title="A week of practice",
                detail="",
                achieved_at=now,
            ),
        ),
        (
            "a celebration shown",
            lambda: Celebration.objects.filter(learner=learner).update(shown_at=now),
        ),
        (
            "their time zone",
            lambda: Learner.objects.filter(pk=learner.pk).update(timezone="Asia/Tokyo"),
        ),
        ("their role", lambda: Learner.objects.filter(pk=learner.pk).update(role="Team lead")),
    ]


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_write_to_what_the_views_read_moves_the_learners_version(learner, journey, library):
    module = publish_module(body=[question()])
    for what, write in _writes(learner, journey, module):
        before = version(learner)
        write()
        assert version(learner) > before, what


def test_a_write_about_two_learners_moves_both_and_nobody_else(learner):
    others = [LearnerFactory() for _ in range(3)]
    before = {each.pk: version(each) for each in [learner, *others]}

    Learner.objects.filter(pk__in=[learner.pk, others[0].pk]).update(team="Billing")

    after = {each.pk: version(each) for each in [learner, *others]}
    assert [after[pk] > before[pk] for pk in before] == [True, True, False, False]


def test_what_the_views_do_not_show_moves_no_version(learner, journey):
    before = version(learner)
    Learner.objects.filter(pk=learner.pk).update(next_nudge_check_at=timezone.now())  # the planner
    user = learner.user
    user.last_login = timezone.now()
    user.save()  # a sign-in: not a buddy's name
    assert version(learner) == before


def test_a_publish_an_edit_and_a_step_move_the_content_version(journey, library):
    before = content()
    module = publish_module(body=[question()])
    after_publish = content()
    JourneyStep.objects.filter(event=journey.event).update(title="Shadow two calls")
    after_step = content()
    module.unpublish()

    assert before < after_publish < after_step < content()


def test_search_misses_are_not_content(db):
    from wagtail.contrib.search_promotions.models import Query

    before = content()
    SearchMiss.objects.create(query=Query.get("zzz"), date=datetime.date(2026, 12, 1), misses=1)
    assert content() == before


def test_every_table_the_views_read_has_its_triggers(db):
    """A table added later is covered by the next migrate; this names any that is not."""
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggers = cursor.fetchall()
    tables = {table.strip('"') for table, _ in triggers}
    owned = [
        m._meta.db_table
        for m in apps.get_app_config("learning").get_models()
        if any(getattr(f, "related_model", None) is Learner for f in m._meta.concrete_fields)
        and "learner_id" in [f.column for f in m._meta.concrete_fields]
    ]
    content_tables = [
        m._meta.db_table
        for m in apps.get_app_config("cms").get_models(include_auto_created=True)
        if m not in (ContentVersion, SearchMiss)
    ]
    missing = [
        t
        for t in [*owned, *content_tables, "wagtailcore_page", "learning_learner"]
        if t not in tables
    ]
    assert missing == []
    assert {"learning_card", "learning_activity", "cms_journeystep"} <= tables
