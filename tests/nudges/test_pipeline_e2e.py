"""The nudge pipeline end to end: a real Celery worker process, Redis and PostgreSQL, FCM stand-in.

The tests commit their rows (transaction=True) so that the worker, another process, sees them in
the test database. The worker gets its own Redis database as broker (flushed first), and the test
process publishes `plan` and `dispatch` there as beat would; the worker sends to the loopback FCM
stand-in through firebase-admin.
"""

import collections
import datetime
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from learning.models import Card, Learner
from nudges import sending, tasks
from nudges.models import Delivery, Device, Nudge, NudgePreferences, Platform
from tests.brokers import own_redis_broker, publishing_to, spare_port
from tests.factories import LearnerFactory, publish_module, question
from tests.nudges.sending_factories import DeviceFactory, NudgeFactory

e2e = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The worker's broker: a Redis database of this test's own, flushed before each worker starts.
BROKER_DB = int(os.environ.get("NUDGES_E2E_BROKER_DB", "4"))
WAIT = 30.0  # seconds: the longest any step may take before the test fails


def broker_url() -> str:
    parts = urllib.parse.urlsplit(settings.REDIS_URL)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", "", ""))


def worker_database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    """`celery -A backend worker` in its own process, pointed at the test database and stand-in."""

    def __init__(self, *, fcm, log: Path, broker: str | None = None, **env: str) -> None:
        self.log = log
        self.env = {
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": broker or broker_url(),
            "CELERY_BROKER_URL": broker or broker_url(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "NUDGES_PUSH_BACKEND": "nudges.backends.fcm.FCMBackend",
            "NUDGES_FCM_BASE_URL": fcm.url,
            "FIREBASE_CREDENTIALS_FILE": settings.FIREBASE_CREDENTIALS_FILE,
            "NUDGES_FCM_HTTP_RETRIES": "0",
            "PRACTICE_FUZZING": "0",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        name = f"e2e-{uuid.uuid4().hex[:8]}@%h"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "backend", "worker"),
                    *("--pool=solo", "--concurrency=1", "-Q", "celery", "-n", name),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                    "--loglevel=INFO",
                ],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        # Ready means its queue is declared: a task published from now on reaches it.
        wait_for(
            lambda: b" ready." in self.log.read_bytes(), what="the worker to be ready", on=self
        )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, no commit of the batch in hand."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (warm shutdown: the task in hand finishes), then SIGKILL after 10 s."""
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def wait_for(condition, *, what: str, on: Worker | None = None, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if on is not None and not on.alive():
            pytest.fail(
                f"The worker died (exit {on.process.returncode}) waiting for {what}:\n{on.output()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}:\n{on.output() if on else ''}")
        time.sleep(0.05)


@pytest.fixture
def broker():
    url = broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        with publishing_to(url):
            yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def workers(fcm, tmp_path):
    """Start workers with `workers()`; every one is stopped at the end, whatever happened."""
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(fcm=fcm, log=tmp_path / f"worker-{len(started) + 1}.log", **env)
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def in_a_window_now(now: datetime.datetime) -> tuple[str, list[dict]]:
    """A time zone where it is 10:xx now, and a weekday-and-weekend window 09:00–11:30 there
    (outside the default quiet hours, never across midnight, whenever the test runs)."""
    offset = (10 - now.hour + 11) % 24 - 11  # hours east of UTC, in -11..12
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is UTC+3
    return zone, [{"days": list(range(7)), "start": "09:00", "end": "11:30"}]


# --- One learner, one push ------------------------------------------------------------------------


@e2e
def test_a_learner_with_due_practice_in_a_window_now_gets_exactly_one_push(
    library, fcm, broker, workers
):
    now = timezone.now()
    zone, windows = in_a_window_now(now)
    refunds = publish_module(
        title="Refunds",
        body=[question("Who approves a refund?"), question("How long does it take?")],
    )
    learner = LearnerFactory(timezone=zone)
    Learner.objects.filter(pk=learner.pk).update(
        next_nudge_check_at=now - datetime.timedelta(minutes=1)
    )
    NudgePreferences.objects.create(learner=learner, windows=windows, weekends=True)
    for block in ("q1", "q2"):
        Card.objects.create(
            learner=learner,
            module=refunds,
            block_id=block,
            due=now - datetime.timedelta(hours=1),
            answer_fingerprint="x",
        )
    device = DeviceFactory(user=learner.user, platform=Platform.ANDROID)

    metrics_port = spare_port()
    worker = workers(WORKER_METRICS_PORT=str(metrics_port))
    # As beat would, every minute: plan, then dispatch (which queues a send_batch).
    tasks.plan.delay()
    tasks.dispatch.delay()
    wait_for(
        lambda: Nudge.objects.filter(learner=learner, state=Nudge.State.SENT).exists(),
        what="the nudge to be sent",
        on=worker,
    )
    # Beat's next minute finds nothing more to send.
    tasks.dispatch.delay()
    queue = redis.Redis.from_url(broker)
    wait_for(lambda: queue.llen("celery") == 0, what="the queue to drain", on=worker)
    # The worker's own figures, for Prometheus: the FCM round trip it timed.
    scraped = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
    assert "micromoments_fcm_batch_seconds_count 1.0" in scraped.read().decode()
    worker.stop()  # warm: whatever it had in hand is finished

    nudge = Nudge.objects.get(learner=learner)
    assert (nudge.kind, nudge.state, nudge.attempts) == ("practice_due", "sent", 1)
    (received,) = fcm.received
    assert received.status == 200
    assert received.address == device.fid
    assert received.message["fid"] == device.fid
    assert received.message["notification"] == {
        "title": "2 questions on Refunds — 1 minute",
        "body": "A quick review now keeps it fresh.",
    }
    assert received.message["data"] == {
        "nudge_id": str(nudge.pk),
        "kind": "practice_due",
        "deep_link": "micromoments://practice",
    }
    assert received.tag == received.apns_collapse_id == f"nudge-{nudge.pk}"
    (delivery,) = Delivery.objects.filter(nudge=nudge)
    assert (delivery.device_id, delivery.state) == (device.pk, "sent")
    assert nudge.provider_message_ids == [delivery.message_id]


# --- A worker killed mid-batch --------------------------------------------------------------------

BATCH = 2000
KILL_AFTER = 700  # messages at the stand-in: inside the second of four batches of 500


def planned_nudges(count: int, *, now: datetime.datetime) -> list[int]:
    """`count` learners, each with one device and one nudge due now, bulk-created."""
    run = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [User(username=f"e2e-{run}-{i}", password="!") for i in range(count)]
    )
    learners = Learner.objects.bulk_create([Learner(user=user) for user in users])
    Device.objects.bulk_create(
        [DeviceFactory.build(user=user, fid=f"e2e-{run}-{i}") for i, user in enumerate(users)]
    )
    nudges = Nudge.objects.bulk_create(
        [
            NudgeFactory.build(
                learner=learner,
                dedupe_key=f"e2e:{run}:{learner.pk}",
                planned_for=now - datetime.timedelta(minutes=1),
            )
            for learner in learners
        ]
    )
    return [n.pk for n in nudges]


def unfinished() -> int:
    return Nudge.objects.filter(state__in=[Nudge.State.PLANNED, Nudge.State.SENDING]).count()


@e2e
def test_a_worker_killed_mid_batch_loses_no_nudge_and_resends_only_under_the_same_tag(
    fcm, broker, workers, capsys
):
    ids = planned_nudges(BATCH, now=timezone.now())

    first = workers()
    tasks.dispatch.delay()
    wait_for(lambda: fcm.count() >= KILL_AFTER, what=f"{KILL_AFTER} messages", on=first)
    first.kill()
    time.sleep(0.2)  # requests already on the wire land at the stand-in
    reached_before = fcm.count()
    assert KILL_AFTER <= reached_before < BATCH
    states = collections.Counter(Nudge.objects.values_list("state", flat=True))
    assert sum(states.values()) == BATCH
    assert states[Nudge.State.PLANNED] + states[Nudge.State.SENDING] > 0

    # The reaper's timeout has passed (the worker is dead): its `sending` rows go back to planned.
    reaped = sending.reap_stuck(now=timezone.now(), timeout=datetime.timedelta(0))
    assert reaped == states[Nudge.State.SENDING]

    second = workers()
    tasks.dispatch.delay()
    wait_for(lambda: unfinished() == 0, what="every nudge to be sent", on=second)
    second.stop()

    final = dict(Nudge.objects.values_list("pk", "state"))
    assert set(final) == set(ids)
    assert set(final.values()) == {Nudge.State.SENT}  # none lost, none failed or expired
    delivered = fcm.delivered()
    assert len(delivered) == len(fcm.received)  # the stand-in answered every message with success
    by_tag = collections.defaultdict(list)
    for message in delivered:
        by_tag[message.tag].append(message)
    assert set(by_tag) == {f"nudge-{pk}" for pk in ids}  # every nudge reached a device
    twice = {tag: messages for tag, messages in by_tag.items() if len(messages) > 1}
    for tag, messages in twice.items():
        # A resend replaces on the device: same Android tag, same apns-collapse-id, same address.
        assert len(messages) == 2
        assert {(m.tag, m.apns_collapse_id, m.address) for m in messages} == {
            (tag, tag, messages[0].address)
        }
    # Only the batch in hand when the worker died can have been resent, each nudge once.
    assert len(twice) <= min(reaped, 500)
    attempts = dict(Nudge.objects.values_list("pk", "attempts"))
    assert all(attempts[int(tag.removeprefix("nudge-"))] == 2 for tag in twice)
    with capsys.disabled():
        print(
            f"\nworker SIGKILLed after {reached_before} of {BATCH} messages; {reaped} nudges reaped;"
            f" {len(twice)} messages reached the stand-in twice (same tag and apns-collapse-id)"
        )


# --- A worker killed while it enrols --------------------------------------------------------------

AUDIENCE = 10_000


def enrolment_insert_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND datname = current_database() AND state = 'active' "
            "AND query LIKE 'INSERT INTO \"learning_enrollment\"%%'"
        )
        return cursor.fetchone()[0] > 0


@e2e
def test_a_worker_killed_while_enrolling_10000_learners_leaves_them_enrolled_once_after_a_retry(
    library, fcm, broker, workers, capsys
):
    from cms.models import ChangeEvent, EventAudience
    from learning import tasks as learning_tasks
    from learning.models import Enrollment

    users = User.objects.bulk_create(
        User(username=f"agent-{i}", email=f"agent-{i}@example.com") for i in range(AUDIENCE)
    )
    Learner.objects.bulk_create(Learner(user=u, role="Support agent") for u in users)
    event = ChangeEvent(
        name="Flex launch", kind="product_launch", date=timezone.localdate(), live=False
    )
    event.audience_rules = [EventAudience(role="Support agent")]
    event.save()

    first = workers()
    event.save_revision().publish()  # hands enrol_event_audience to the worker after the commit
    wait_for(enrolment_insert_running, what="the worker's enrolment INSERT", on=first)
    first.kill()  # in the middle of writing the enrolments
    wait_for(lambda: not enrolment_insert_running(), what="PostgreSQL to end the dead session")
    at_kill = Enrollment.objects.filter(event=event).count()
    assert at_kill == 0  # its transaction died with it: nothing half-written

    # The retry: the sweep on beat finds the audience not enrolled and enrols it, once.
    second = workers()
    learning_tasks.reconcile_enrolments.delay()
    wait_for(
        lambda: Enrollment.objects.filter(event=event).count() == AUDIENCE,
        what="the whole audience to be enrolled",
        on=second,
    )
    second.stop()
    enrolled = Enrollment.objects.filter(event=event)
    assert enrolled.count() == AUDIENCE
    assert enrolled.values("learner_id").distinct().count() == AUDIENCE
    with capsys.disabled():
        print(
            f"\nworker SIGKILLed during its INSERT of {AUDIENCE} enrolments; a sweep enrolled all"
        )


# --- Redis restarted in the middle of a send -------------------------------------------------------


@e2e
def test_redis_restarted_mid_send_loses_no_nudge_and_sends_none_twice_under_another_tag(
    fcm, tmp_path, capsys
):
    ids = planned_nudges(BATCH, now=timezone.now())
    with own_redis_broker() as own:
        own.start()
        worker = Worker(fcm=fcm, log=tmp_path / "worker.log", broker=own.url).start()
        try:
            tasks.dispatch.delay()  # four batches of 500 queued in this Redis
            wait_for(lambda: fcm.count() >= KILL_AFTER, what=f"{KILL_AFTER} messages", on=worker)
            own.stop()  # Redis goes down, and its queue with it (it keeps nothing on disk)
            own.start()
            # The batch in hand finishes; the queued ones are gone. Nudges not sent are still
            # planned, and the next minute's dispatch (beat) hands them on again.
            wait_for(
                lambda: not Nudge.objects.filter(state=Nudge.State.SENDING).exists(),
                what="the batch in hand to finish",
                on=worker,
            )
            lost_from_the_queue = Nudge.objects.filter(state=Nudge.State.PLANNED).count()
            tasks.dispatch.delay()
            wait_for(lambda: unfinished() == 0, what="every nudge to be sent", on=worker)
        finally:
            worker.stop()
    final = dict(Nudge.objects.values_list("pk", "state"))
    assert set(final) == set(ids)
    assert set(final.values()) == {Nudge.State.SENT}  # none lost, none failed or expired
    by_tag = collections.Counter(m.tag for m in fcm.delivered())
    assert set(by_tag) == {f"nudge-{pk}" for pk in ids}  # one tag per nudge, no other
    assert max(by_tag.values()) == 1  # the claims: nothing reached a phone twice
    with capsys.disabled():
        print(
            f"\nRedis restarted after {KILL_AFTER}+ of {BATCH} messages: {lost_from_the_queue} "
            "nudges' batches were lost from its queue and sent by the next dispatch"
        )
