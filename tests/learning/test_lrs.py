"""Learning records out to an LRS: the ledger and practice answers forwarded as xAPI statements to a
real LRS on loopback (tests/lrs_server.py), in batches from a high-water mark; nothing skipped,
nothing stored twice, through an LRS that is down and back or refuses the credentials."""

import datetime
import uuid

import pytest
from django.utils import timezone

from learning import tasks
from learning.ledger import lrs
from learning.models import Activity, Card, LrsCursor, Review, Verb
from learning.practice import cards as practice
from tests.factories import LearnerFactory, publish_module, question
from tests.lrs_server import LrsServer

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def store(settings):
    with LrsServer(key="lrs-key", secret="lrs-secret") as server:
        settings.LRS_ENDPOINT = server.url
        settings.LRS_KEY, settings.LRS_SECRET = "lrs-key", "lrs-secret"
        yield server


@pytest.fixture
def records(library):
    """A learner's three ledger rows and one practice answer, recorded five minutes ago."""
    learner = LearnerFactory(user__email="dana@brightwave.example")
    module = publish_module(title="Refunds", body=[question("Who approves a refund?")])
    then = timezone.now() - 5 * MINUTE
    rows = [
        Activity.objects.create(
            learner=learner,
            verb=verb,
            title="Refunds",
            module=module,
            occurred_at=then,
            minutes=minutes,
            category=category,
        )
        for verb, minutes, category in [
            (Verb.MODULE_STARTED, 0, None),
            (Verb.MODULE_COMPLETED, 4, "formal"),
            (Verb.ACTIVITY_LOGGED, 20, "experience"),
        ]
    ]
    practice.create_cards_for_module(learner, module, now=then)
    practice.answer(
        learner, card_id=Card.objects.get(learner=learner).pk, client_id=uuid.uuid4(),
        answered_at=then, choices=[0], response_ms=6500, now=then,
    )  # fmt: skip
    Activity.objects.update(recorded_at=then)
    Review.objects.update(recorded_at=then)
    return learner, rows


def test_the_ledger_and_answers_reach_the_lrs_once_with_stable_ids(store, records):
    learner, rows = records
    sent = tasks.forward_to_lrs.apply().get()
    ledger_rows = Activity.objects.filter(learner=learner).count()  # completing adds its own
    assert sent == {"activities": ledger_rows, "reviews": 1}
    stored = store.statements
    assert len(stored) == ledger_rows + 1
    completed = stored[lrs.statement_id("activities", rows[1].pk)]
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["actor"]["mbox"] == "mailto:dana@brightwave.example"
    assert completed["result"]["duration"] == "PT4M"
    [answer] = [s for s in stored.values() if s["verb"]["id"] == lrs.ANSWERED]
    assert answer["result"] == {"duration": "PT6.5S", "success": True}
    # The marks moved: the next tick sends nothing; a new row goes on its own.
    assert tasks.forward_to_lrs.apply().get() == {"activities": 0, "reviews": 0}
    newer = Activity.objects.create(
        learner=learner, verb=Verb.ACTIVITY_LOGGED, title="Shadowed a call",
        occurred_at=timezone.now() - 3 * MINUTE,
    )  # fmt: skip
    Activity.objects.filter(pk=newer.pk).update(recorded_at=timezone.now() - 2 * MINUTE)
    assert tasks.forward_to_lrs.apply().get() == {"activities": 1, "reviews": 0}
    assert len(store.statements) == ledger_rows + 2


def test_a_row_just_recorded_waits_for_the_next_tick(store, records):
    learner, _ = records
    fresh = Activity.objects.create(
        learner=learner, verb=Verb.ACTIVITY_LOGGED, title="Now", occurred_at=timezone.now()
    )
    lrs.forward(now=timezone.now())
    assert lrs.statement_id("activities", fresh.pk) not in store.statements
    lrs.forward(now=timezone.now() + 2 * MINUTE)
    assert lrs.statement_id("activities", fresh.pk) in store.statements


def test_an_lrs_that_is_down_then_back_loses_nothing_and_stores_nothing_twice(store, records):
    now = timezone.now()
    store.stop()  # the port refuses connections
    assert lrs.forward(now=now) == {"activities": 0, "reviews": 0}
    cursor = LrsCursor.objects.get(stream="activities")
    assert (cursor.last_id, cursor.failures) == (0, 1)
    assert cursor.next_attempt_at == now + MINUTE
    assert "did not answer" in cursor.last_error
    store.start()
    store.down(503)  # up, but failing
    assert lrs.forward(now=now + 2 * MINUTE)["activities"] == 0
    assert LrsCursor.objects.get(stream="activities").failures == 2  # backs off: 2 minutes now
    store.down(None)
    assert lrs.forward(now=now + 3 * MINUTE) == {"activities": 0, "reviews": 0}  # still waiting
    sent = lrs.forward(now=now + 5 * MINUTE)
    assert sent["activities"] == Activity.objects.count()
    assert len(store.statements) == Activity.objects.count() + Review.objects.count()
    cursor = LrsCursor.objects.get(stream="activities")
    assert (cursor.failures, cursor.next_attempt_at, cursor.last_error) == (0, None, "")


def test_a_batch_sent_twice_is_stored_once(store, records):
    """The LRS took a batch but the mark did not move (a crash between): the resend is harmless."""
    lrs.forward(now=timezone.now())
    before = dict(store.statements)
    LrsCursor.objects.update(last_id=0)
    lrs.forward(now=timezone.now())
    assert store.statements == before
    assert store.posts == 4  # two streams, twice


def test_refused_credentials_back_off_and_skip_nothing(store, records, settings):
    settings.LRS_SECRET = "wrong"
    lrs.forward(now=timezone.now())
    assert not store.statements
    assert "401" in LrsCursor.objects.get(stream="activities").last_error
    settings.LRS_SECRET = "lrs-secret"
    lrs.forward(now=timezone.now() + 2 * MINUTE)
    assert len(store.statements) == Activity.objects.count() + Review.objects.count()


def test_without_an_endpoint_nothing_is_sent(settings, records):
    settings.LRS_ENDPOINT = ""
    assert tasks.forward_to_lrs.apply().get() == {}
    assert not LrsCursor.objects.exists()


def test_more_rows_than_a_batch_go_in_several(store, records, monkeypatch):
    learner, _ = records
    monkeypatch.setattr(lrs, "BATCH", 2)
    then = timezone.now() - 5 * MINUTE
    Activity.objects.bulk_create(
        Activity(learner=learner, verb=Verb.ACTIVITY_LOGGED, title=f"Task {i}", occurred_at=then)
        for i in range(5)
    )
    Activity.objects.update(recorded_at=then)
    sent = lrs.forward(now=timezone.now())
    assert sent["activities"] == Activity.objects.count()
    assert store.posts >= 4
