"""Dispatch, send, retry and reap: each nudge reaches a learner's devices at most once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from backend.celery import app as celery_app
from nudges import sending, tasks
from nudges.backends.console import ConsoleBackend
from nudges.backends.fcm import FCMBackend
from nudges.models import Delivery, Device, Nudge, NudgePreferences, OutboxMessage
from tests.factories import LearnerFactory
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def now():
    return timezone.now()


def refreshed(nudge: Nudge) -> Nudge:
    nudge.refresh_from_db()
    return nudge


def test_a_due_nudge_goes_once_to_each_active_device_of_its_learner(fcm, now):
    learner = LearnerFactory()
    phone = DeviceFactory(user=learner.user, fid="fid-phone")
    tablet = DeviceFactory(user=learner.user, fid=None, token="token-tablet", platform="ios")
    DeviceFactory(user=learner.user, fid="fid-old", active=False)
    DeviceFactory(fid="fid-someone-else")
    nudge = NudgeFactory(learner=learner, planned_for=now - MINUTE)

    result = sending.send([nudge.pk], now=now)

    assert (result.claimed, result.sent, result.pushes) == (1, 1, 2)
    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.SENT
    assert nudge.sent_at == now
    assert nudge.attempts == 1
    assert sorted(nudge.provider_message_ids) == [
        "projects/micromoments-standin/messages/1",
        "projects/micromoments-standin/messages/2",
    ]
    assert sorted(r.address for r in fcm.received) == ["fid-phone", "token-tablet"]
    assert {r.tag for r in fcm.received} == {f"nudge-{nudge.pk}"}
    assert {r.message["data"]["nudge_id"] for r in fcm.received} == {str(nudge.pk)}
    assert sorted(Delivery.objects.values_list("device_id", "state")) == sorted(
        [(phone.pk, "sent"), (tablet.pk, "sent")]
    )


def test_sending_the_same_ids_again_sends_nothing(fcm, now):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user)
    sending.send([nudge.pk], now=now)

    again = sending.send([nudge.pk, nudge.pk], now=now + MINUTE)

    assert again.claimed == 0
    assert fcm.requests_count == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_for_one_batch_send_each_nudge_once(fcm, now):
    nudges = [NudgeFactory() for _ in range(60)]
    for nudge in nudges:
        DeviceFactory(user=nudge.learner.user)
    ids = [n.pk for n in nudges]
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(sending.send(ids, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.claimed for r in results) == 60
    assert fcm.requests_count == 60
    assert sorted(r.tag for r in fcm.received) == sorted(f"nudge-{i}" for i in ids)
    assert Nudge.objects.filter(state=Nudge.State.SENT).count() == 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_claim_is_committed_before_anything_is_pushed(now, settings):
    settings.NUDGES_PUSH_BACKEND = "nudges.backends.console.ConsoleBackend"
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user)
    seen = {}

    class Peeking(ConsoleBackend):
        def send(self, pushes, *, now):
            seen["in_transaction"] = connection.in_atomic_block
            seen["state"] = Nudge.objects.get(pk=nudge.pk).state
            return super().send(pushes, now=now)

    sending.send([nudge.pk], now=now, backend=Peeking())

    assert seen == {"in_transaction": False, "state": Nudge.State.SENDING}
    assert refreshed(nudge).state == Nudge.State.SENT


def test_nudges_not_yet_due_or_not_planned_are_not_claimed(fcm, now):
    later = NudgeFactory(planned_for=now + MINUTE)
    sent = NudgeFactory(state=Nudge.State.SENT)
    for nudge in (later, sent):
        DeviceFactory(user=nudge.learner.user)

    assert sending.send([later.pk, sent.pk, 999_999], now=now).claimed == 0
    assert fcm.requests_count == 0
    assert refreshed(later).state == Nudge.State.PLANNED


def test_dispatch_hands_out_due_nudges_in_batches_and_expires_stale_ones(now):
    due = [NudgeFactory(planned_for=now - i * MINUTE, expires_at=now + HOUR) for i in range(7)]
    NudgeFactory(planned_for=now + MINUTE)
    stale = NudgeFactory(planned_for=now - 3 * HOUR, expires_at=now - MINUTE)
    NudgeFactory(planned_for=now - MINUTE, state=Nudge.State.SENDING)

    batches = sending.dispatch_due(now=now, batch_size=3)

    # Oldest first, at most batch_size per batch.
    assert batches == [[n.pk for n in reversed(due)][i : i + 3] for i in (0, 3, 6)]
    assert refreshed(stale).state == Nudge.State.EXPIRED
    assert refreshed(stale).sent_at is None


def test_a_nudge_whose_moment_passed_is_expired_not_sent(fcm, now):
    nudge = NudgeFactory(planned_for=now - 2 * HOUR, expires_at=now - MINUTE)
    DeviceFactory(user=nudge.learner.user)

    result = sending.send([nudge.pk], now=now)

    assert (result.claimed, result.expired) == (0, 1)
    assert refreshed(nudge).state == Nudge.State.EXPIRED
    assert fcm.requests_count == 0


@pytest.mark.parametrize("error", ["unregistered", "invalid_token"])
def test_a_dead_address_deactivates_its_device_and_fails_that_delivery(fcm, now, error):
    learner = LearnerFactory()
    dead = DeviceFactory(user=learner.user, fid="fid-dead")
    alive = DeviceFactory(user=learner.user, fid="fid-alive")
    fcm.fail("fid-dead", error)
    nudge = NudgeFactory(learner=learner)

    result = sending.send([nudge.pk], now=now)

    assert result.devices_deactivated == 1
    dead.refresh_from_db()
    assert not dead.active
    expected_code = "UNREGISTERED" if error == "unregistered" else "INVALID_ARGUMENT"
    assert dead.deactivated_reason == expected_code
    alive.refresh_from_db()
    assert alive.active
    assert Delivery.objects.get(device=dead).state == Delivery.State.UNREGISTERED
    assert Delivery.objects.get(device=dead).error_code == expected_code
    assert Delivery.objects.get(device=alive).state == Delivery.State.SENT
    # The learner saw it on the other device.
    assert refreshed(nudge).state == Nudge.State.SENT

    # The next nudge goes to the live device only.
    second = NudgeFactory(learner=learner)
    sending.send([second.pk], now=now)
    assert fcm.count(tag=f"nudge-{second.pk}") == 1


def test_a_nudge_whose_only_device_is_unregistered_fails(fcm, now):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user, fid="fid-gone")
    fcm.fail("fid-gone", "unregistered")

    sending.send([nudge.pk], now=now)

    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.FAILED
    assert nudge.last_error == "UNREGISTERED"


def test_a_learner_without_an_active_device_fails_the_nudge(fcm, now):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user, active=False)

    result = sending.send([nudge.pk], now=now)

    assert result.failed == 1
    nudge = refreshed(nudge)
    assert (nudge.state, nudge.last_error) == (Nudge.State.FAILED, "No active device.")
    assert fcm.requests_count == 0


def test_a_learner_who_turned_nudges_off_since_is_not_pushed(fcm, now):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user)
    NudgePreferences.objects.create(learner=nudge.learner, nudges_enabled=False)

    assert sending.send([nudge.pk], now=now).suppressed == 1
    assert refreshed(nudge).state == Nudge.State.SUPPRESSED
    assert fcm.requests_count == 0


@pytest.mark.parametrize("error", ["unavailable", "internal", "quota_exceeded", "drop"])
def test_a_temporary_error_plans_the_nudge_again_with_backoff_and_jitter(fcm, now, error):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user, fid="fid-1")
    fcm.fail("fid-1", error)

    result = sending.send([nudge.pk], now=now)

    assert result.retrying == 1
    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.PLANNED
    assert nudge.attempts == 1
    assert nudge.claimed_at is None
    # First retry: 30 s back-off, half of it jittered.
    assert now + datetime.timedelta(seconds=15) <= nudge.planned_for <= now + 30 * MINUTE / 60
    assert "attempt 1" in nudge.last_error
    assert Delivery.objects.get().state == Delivery.State.FAILED


def test_backoff_grows_exponentially_is_capped_and_jittered():
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (10, 1800)]:
        delays = {sending.backoff(attempts).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1


def test_quota_exceeded_waits_at_least_retry_after(fcm, now):
    nudge = NudgeFactory(expires_at=now + HOUR)
    DeviceFactory(user=nudge.learner.user, fid="fid-1")
    fcm.fail("fid-1", "quota_exceeded", retry_after="900")

    sending.send([nudge.pk], now=now)

    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.PLANNED
    assert nudge.planned_for == now + datetime.timedelta(seconds=900)
    assert nudge.last_error == "QUOTA_EXCEEDED (attempt 1)"


def test_retrying_stops_after_the_last_attempt_with_the_reason(fcm, now, settings):
    settings.NUDGES_MAX_ATTEMPTS = 3
    nudge = NudgeFactory(expires_at=now + 3 * HOUR)
    DeviceFactory(user=nudge.learner.user, fid="fid-1")
    fcm.fail("fid-1", "unavailable")

    moment = now
    for _ in range(3):
        assert sending.send([nudge.pk], now=moment).claimed == 1
        moment = refreshed(nudge).planned_for
    assert sending.send([nudge.pk], now=moment + HOUR).claimed == 0

    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.FAILED
    assert nudge.attempts == 3
    assert nudge.last_error == "UNAVAILABLE (gave up after 3 attempts)"
    assert fcm.count(address="fid-1") == 3


def test_a_retry_that_succeeds_records_the_delivery_as_sent(fcm, now):
    nudge = NudgeFactory()
    DeviceFactory(user=nudge.learner.user, fid="fid-1")
    fcm.fail("fid-1", "internal", times=1)

    sending.send([nudge.pk], now=now)
    sending.send([nudge.pk], now=refreshed(nudge).planned_for)

    nudge = refreshed(nudge)
    assert (nudge.state, nudge.attempts, nudge.last_error) == (Nudge.State.SENT, 2, "")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error_code) == (Delivery.State.SENT, "")


def test_a_retry_that_would_arrive_after_the_moment_expires_the_nudge(fcm, now):
    nudge = NudgeFactory(expires_at=now + MINUTE)
    DeviceFactory(user=nudge.learner.user, fid="fid-1")
    fcm.fail("fid-1", "quota_exceeded", retry_after="300")

    sending.send([nudge.pk], now=now)

    nudge = refreshed(nudge)
    assert nudge.state == Nudge.State.EXPIRED
    assert "QUOTA_EXCEEDED" in nudge.last_error


class WorkerDied(BaseException):
    """A SIGKILL between FCM's answer and the commit of what it said."""


class DiesAfterPushing(FCMBackend):
    def send(self, pushes, *, now):
        super().send(pushes, now=now)
        raise WorkerDied


def test_a_nudge_left_in_sending_is_reaped_and_resent_with_the_same_tag(fcm, now):
    nudge = NudgeFactory(kind=Nudge.Kind.STEP_UNLOCKED, expires_at=now + HOUR)
    DeviceFactory(user=nudge.learner.user, fid="fid-1", platform="ios")

    with pytest.raises(WorkerDied):
        sending.send([nudge.pk], now=now, backend=DiesAfterPushing())
    assert refreshed(nudge).state == Nudge.State.SENDING
    # A live worker's nudge is left alone; a dead one's comes back after the timeout.
    assert sending.reap_stuck(now=now + 5 * MINUTE, timeout=10 * MINUTE) == 0
    assert sending.reap_stuck(now=now + 11 * MINUTE, timeout=10 * MINUTE) == 1
    assert refreshed(nudge).state == Nudge.State.PLANNED

    sending.send([nudge.pk], now=now + 11 * MINUTE)

    assert refreshed(nudge).state == Nudge.State.SENT
    received = [r for r in fcm.received if r.address == "fid-1"]
    assert len(received) == 2
    assert {r.tag for r in received} == {f"nudge-{nudge.pk}"}
    assert {r.apns_collapse_id for r in received} == {f"nudge-{nudge.pk}"}
    assert {r.message["android"]["collapse_key"] for r in received} == {"step_unlocked"}


def test_the_reaper_fails_a_stuck_nudge_that_used_up_its_attempts(now, settings):
    settings.NUDGES_MAX_ATTEMPTS = 2
    stuck = NudgeFactory(state=Nudge.State.SENDING, claimed_at=now - HOUR, attempts=2)
    retry = NudgeFactory(state=Nudge.State.SENDING, claimed_at=now - HOUR, attempts=1)

    assert sending.reap_stuck(now=now, timeout=10 * MINUTE) == 1

    assert refreshed(stuck).state == Nudge.State.FAILED
    assert refreshed(retry).state == Nudge.State.PLANNED


def test_devices_not_seen_for_270_days_are_deactivated(now):
    stale = DeviceFactory(last_seen_at=now - datetime.timedelta(days=271))
    recent = DeviceFactory(last_seen_at=now - datetime.timedelta(days=269))

    assert sending.deactivate_stale_devices(now=now) == 1

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.active, recent.active) == (False, True)
    assert stale.deactivated_reason == "Not seen for 270 days."


def test_the_console_backend_keeps_what_it_would_send_in_the_outbox(now, settings):
    settings.NUDGES_PUSH_BACKEND = "nudges.backends.console.ConsoleBackend"
    nudge = NudgeFactory()
    device = DeviceFactory(user=nudge.learner.user, fid="fid-1")

    sending.send([nudge.pk], now=now)

    outbox = OutboxMessage.objects.get()
    assert (outbox.nudge_id, outbox.device_id, outbox.address) == (nudge.pk, device.pk, "fid-1")
    assert outbox.payload["notification"] == {"title": nudge.title, "body": nudge.body}
    assert outbox.payload["android"]["notification"] == {"tag": f"nudge-{nudge.pk}"}
    assert refreshed(nudge).provider_message_ids == [f"outbox/{outbox.pk}"]


def test_a_batch_takes_a_fixed_number_of_queries(fcm, now, django_assert_max_num_queries):
    nudges = []
    for i in range(200):
        learner = LearnerFactory()
        DeviceFactory(user=learner.user, fid=f"fid-{i}")
        DeviceFactory(user=learner.user, fid=f"fid-b-{i}")
        nudges.append(NudgeFactory(learner=learner, planned_for=now - MINUTE))
    for i in range(0, 200, 20):
        fcm.fail(f"fid-{i}", "unregistered")
        fcm.fail(f"fid-b-{i}", "unavailable")
    # Claim (3 with savepoints), load nudges and devices, upsert deliveries, deactivate devices,
    # one UPDATE per distinct outcome, the retries: nothing per nudge.
    with django_assert_max_num_queries(14):
        result = sending.send([n.pk for n in nudges], now=now)
    # 400 pushes: one firebase-admin call of 400 and nothing per nudge.
    assert result.pushes == 400
    assert (result.sent, result.retrying) == (190, 10)
    assert Device.objects.filter(active=False).count() == 10


def test_sending_more_than_500_pushes_makes_several_calls_of_at_most_500(fcm, now):
    nudges = []
    for _ in range(300):
        learner = LearnerFactory()
        DeviceFactory.create_batch(2, user=learner.user)
        nudges.append(NudgeFactory(learner=learner, planned_for=now - MINUTE))

    class Counting(FCMBackend):
        calls: list[int] = []

        def send(self, pushes, *, now):
            self.calls.append(len(pushes))
            return super().send(pushes, now=now)

    backend = Counting()
    assert sending.send([n.pk for n in nudges], now=now, backend=backend).sent == 300
    assert backend.calls == [500, 100]
    assert fcm.requests_count == 600


def test_the_dispatch_task_enqueues_send_batches_after_commit(
    now, settings, django_capture_on_commit_callbacks
):
    settings.NUDGES_PUSH_BACKEND = "nudges.backends.console.ConsoleBackend"
    nudges = [NudgeFactory() for _ in range(3)]
    for nudge in nudges:
        DeviceFactory(user=nudge.learner.user)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert tasks.dispatch() == 1
        assert OutboxMessage.objects.count() == 0  # nothing leaves before the commit
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = eager
    assert Nudge.objects.filter(state=Nudge.State.SENT).count() == 3
    assert OutboxMessage.objects.count() == 3
