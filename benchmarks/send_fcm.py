"""Sending through FCM: our send() path against firebase-admin's own send_each, and worker memory.

The loopback FCM stand-in (tests/fcm_standin.py) runs in its own process, so it does not compete
with the sender for the GIL. Both figures use the same firebase_admin App, connection pool and
OAuth token, and alternate batch by batch:
- floor: messaging.send_each() in calls of 500 pre-built Messages, no database work at all;
- ours: sending.send() on dispatch_due()'s batches of 500: claim (committed), load nudges and
  devices, build the messages, send_each, record deliveries and states.
Then the process keeps sending through send() and prints its RSS at each quarter of the run.
"""

import datetime
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks._django import bench_database, timed

THROUGHPUT_MESSAGES = 20_000
FULL_MEMORY_MESSAGES = 100_000
# The whole 100,000 through send() takes ~2.5 minutes on a 2-core machine (~700 msg/s): too long
# for `make bench`; BENCH_SEND_MEMORY_MESSAGES=100000 runs it in full.
MEMORY_MESSAGES = int(os.environ.get("BENCH_SEND_MEMORY_MESSAGES", "60000"))
BATCH = 500


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_standin(directory: Path) -> tuple[subprocess.Popen, str, Path]:
    account = directory / "service-account.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fcm_standin", str(account)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    return process, url, account


def build(count: int, *, now: datetime.datetime) -> None:
    """`count` learners, each with one device and one due nudge (as the planner leaves them)."""
    from django.contrib.auth.models import User

    from learning.models import Learner
    from nudges.models import Device, Nudge

    users = User.objects.bulk_create(
        [User(username=f"bench-{i}", password="!") for i in range(count)],  # noqa: S106 (unusable)
        batch_size=5000,
    )
    learners = Learner.objects.bulk_create(
        [Learner(user=u, timezone="Europe/Berlin") for u in users], batch_size=5000
    )
    Device.objects.bulk_create(
        [
            # Every fifth an older app that only has a registration token.
            Device(user=u, platform="android", last_seen_at=now, **_address(i))
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    Nudge.objects.bulk_create(
        [
            Nudge(
                learner=learner,
                kind=Nudge.Kind.PRACTICE_DUE,
                dedupe_key=f"bench:{learner.pk}",
                title="2 questions on refunds",
                body="1 minute",
                deep_link=f"micromoments://practice?card={learner.pk}",
                planned_for=now - datetime.timedelta(minutes=1),
                expires_at=now + datetime.timedelta(hours=2),
            )
            for learner in learners
        ],
        batch_size=5000,
    )


def _address(i: int) -> dict:
    return {"token": f"token-{i}"} if i % 5 == 0 else {"fid": f"fid-{i}"}


def floor_pushes(count: int, *, now: datetime.datetime) -> list[list]:
    """Pushes like ours (a fifth to registration tokens), BATCH a list, with no rows behind them."""
    from nudges.backends import Push

    expires = now + datetime.timedelta(hours=2)
    return [
        [
            Push(
                nudge_id=n,
                device_id=n,
                platform="android",
                fid=None if n % 5 == 0 else f"floor-fid-{n}",
                token=f"floor-token-{n}" if n % 5 == 0 else None,
                kind="practice_due",
                title="2 questions on refunds",
                body="1 minute",
                deep_link=f"micromoments://practice?card={n}",
                expires_at=expires,
            )
            for n in range(start, start + BATCH)
        ]
        for start in range(0, count, BATCH)
    ]


def throughput(backend, batches: list[list[int]], *, now: datetime.datetime) -> tuple[float, float]:
    """Messages per second, ours and the floor's. The two alternate batch by batch, so both meet
    the same machine (other processes come and go on a shared one)."""
    from firebase_admin import messaging

    from nudges import sending
    from nudges.backends.fcm import message

    # The floor's messages are built before the clock starts: it times send_each alone.
    floor_messages = [
        [message(push, now=now) for push in pushes]
        for pushes in floor_pushes(len(batches) * BATCH, now=now)
    ]
    ours_seconds = floor_seconds = 0.0
    ours_sent = floor_sent = 0
    for ids, messages in zip(batches, floor_messages, strict=True):
        with timed() as took:
            response = messaging.send_each(messages, app=backend.app)
        assert response.success_count == len(messages), response.failure_count
        floor_seconds += took[0]
        floor_sent += len(messages)

        with timed() as took:
            result = sending.send(ids, now=now, backend=backend)
        assert result.sent == len(ids), result
        ours_seconds += took[0]
        ours_sent += result.pushes
    return ours_sent / ours_seconds, floor_sent / floor_seconds


def main() -> None:
    logging.getLogger("google.auth").setLevel(logging.ERROR)
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as directory:
        standin, url, account = start_standin(Path(directory))
        try:
            with bench_database():
                run(url, account)
        finally:
            standin.stdin.close()
            standin.wait(timeout=10)


def run(url: str, account: Path) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from nudges import sending
    from nudges.backends.fcm import FCMBackend

    settings.NUDGES_FCM_BASE_URL = url
    settings.FIREBASE_CREDENTIALS_FILE = str(account)
    now = timezone.now()
    with timed() as took:
        build(max(MEMORY_MESSAGES, THROUGHPUT_MESSAGES), now=now)
    print(
        f"built {max(MEMORY_MESSAGES, THROUGHPUT_MESSAGES):,} learners, devices and due nudges ({took[0]:.1f} s)"
    )

    backend = FCMBackend()
    # Warm up the OAuth token, the connection pool and both sides' threads.
    for pushes in floor_pushes(1000, now=now):
        backend.send(pushes, now=now)

    batches = sending.dispatch_due(now=now, batch_size=BATCH)
    first = batches[: THROUGHPUT_MESSAGES // BATCH]
    our_rate, floor_rate = throughput(backend, first, now=now)
    print(
        f"send {THROUGHPUT_MESSAGES:,} messages: ours {our_rate:,.0f} msg/s, "
        f"firebase-admin send_each floor {floor_rate:,.0f} msg/s "
        f"-> {our_rate / floor_rate:.0%} of the floor (target >= 70%)",
        flush=True,
    )

    # Memory: the same process keeps sending, as a long-lived worker would; RSS at each quarter.
    if MEMORY_MESSAGES < FULL_MEMORY_MESSAGES:
        print(
            f"(memory over {MEMORY_MESSAGES:,} messages rather than {FULL_MEMORY_MESSAGES:,}, to "
            "keep this benchmark near 3 minutes; BENCH_SEND_MEMORY_MESSAGES=100000 for all)"
        )
    step = MEMORY_MESSAGES // 4
    sent = THROUGHPUT_MESSAGES
    gc.collect()
    print(f"RSS after {sent:>7,} messages: {rss_mb():6.1f} MB", flush=True)
    started = time.perf_counter()
    for ids in batches[len(first) : MEMORY_MESSAGES // BATCH]:
        result = sending.send(ids, now=now, backend=backend)
        sent += result.pushes
        connection.queries_log.clear()
        if sent % step == 0:
            gc.collect()
            print(f"RSS after {sent:>7,} messages: {rss_mb():6.1f} MB", flush=True)
    print(
        f"(the last {sent - THROUGHPUT_MESSAGES:,} at "
        f"{(sent - THROUGHPUT_MESSAGES) / (time.perf_counter() - started):,.0f} msg/s)"
    )
    with urllib.request.urlopen(f"{url}/_stats") as response:  # noqa: S310 (our loopback URL)
        stats = json.load(response)
    print(
        f"the stand-in received {stats['requests']:,} messages "
        f"and issued {stats['tokens']} OAuth token(s)"
    )


if __name__ == "__main__":
    main()
