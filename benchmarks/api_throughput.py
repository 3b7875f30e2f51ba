"""Requests per second of the app's hot path under a real server, beside issue 14's targets.

Seeds the demo on a throwaway PostgreSQL database and tops it up to 120 modules and a learner
(demo-learner, with the demo's open journeys and practice cards) with 10,000 activities, plus other
learners' rows so indexes have to do their job. Then starts gunicorn on that database as production
runs it (2 sync workers, DEBUG off) and drives each endpoint with Debian's wrk for a fixed time and
connection count, with the learner's bearer token. Prints requests/s, p50/p95 and each endpoint's
ratio to GET /me and to /healthz: the machine is shared, so read the ratios, from which its noise
cancels. Two passes: repeat reads, which the learner's view cache serves while nothing they read
changed (the issue's targets are judged on these), then the same with the cache off, as the first
read after a change is built. Every response must be 2xx, or the run fails. Skips itself when wrk is missing (`make wrk`).
"""

import contextlib
import http.client
import io
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from benchmarks._django import bench_database, publish_modules, timed

ROOT = Path(__file__).resolve().parent.parent
REPORT_SCRIPT = Path(__file__).with_name("wrk_report.lua")

LEARNER = "demo-learner"
MODULES, ACTIVITIES = 120, 10_000
OTHER_LEARNERS, OTHER_ACTIVITIES_EACH = 50, 200
WORKERS, CONNECTIONS, THREADS = 2, 8, 2
WARM_UP_SECONDS = 1
HEALTHZ, ME = "/healthz", "/api/v1/me"
# What the app calls when it opens; the targets are for these four.
HOT = ("/api/v1/me/today", "/api/v1/journeys", "/api/v1/me/progress", "/api/v1/reviews/due")
HOT_SHARE_OF_ME, ME_SHARE_OF_HEALTHZ = 0.50, 0.25


def seconds_per_endpoint() -> int:
    raw = os.environ.get("API_BENCH_SECONDS", "8")
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"API_BENCH_SECONDS must be a whole number of seconds, 1 or more: {raw!r}")
    return int(raw)


# --- The data -------------------------------------------------------------------------------------


def build() -> None:
    """The demo, topped up to MODULES modules and ACTIVITIES activities for LEARNER."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cms.models import JobTask, MicroModule
    from learning.models import Activity, Learner, Verb

    now = timezone.now()
    call_command("seed_demo", "--i-know-this-creates-known-passwords", stdout=io.StringIO())
    learner = Learner.objects.select_related("user").get(user__username=LEARNER)

    tasks = list(JobTask.objects.order_by("pk"))
    extra = publish_modules(range(MicroModule.objects.live().count(), MODULES), tasks)

    User = get_user_model()
    others = [
        Learner.objects.create(
            user=User.objects.create_user(f"bench-other-{i}"), role="Support agent", timezone="UTC"
        )
        for i in range(OTHER_LEARNERS)
    ]
    categories = ["experience", "experience", "experience", "social", "formal"]

    def ledger(person: Learner, count: int) -> Iterator[Activity]:
        # Completions only of the added modules: the demo's journeys stay as open as it left them.
        for i in range(count):
            formal = categories[i % 5] == "formal"
            yield Activity(
                learner=person,
                verb=Verb.MODULE_COMPLETED if formal else Verb.ACTIVITY_LOGGED,
                module=extra[(i * 13) % len(extra)] if formal else None,
                category=categories[i % 5],
                minutes=1 + i % 30,
                title=f"Activity {i}",
                # About 25 a day over the ~400 days before the demo's own history.
                occurred_at=now - datetime.timedelta(days=30, minutes=23 * i),
            )

    have = Activity.objects.filter(learner=learner).count()
    Activity.objects.bulk_create(ledger(learner, ACTIVITIES - have), batch_size=2000)
    for person in others:
        Activity.objects.bulk_create(ledger(person, OTHER_ACTIVITIES_EACH), batch_size=2000)
    # The planner's statistics as production has them (autovacuum analyses a table after such
    # inserts, within a minute): without them it takes the learner for one with 17 activities,
    # and autovacuum's own ANALYZE would land in the middle of a measurement.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def describe() -> str:
    from django.utils import timezone

    from cms.models import MicroModule
    from learning.models import Activity, Enrollment, Learner
    from learning.practice.cards import due_now

    learner = Learner.objects.get(user__username=LEARNER)
    return (
        f"{MicroModule.objects.live().count()} modules; {LEARNER} with "
        f"{Activity.objects.filter(learner=learner).count():,} activities, "
        f"{Enrollment.objects.filter(learner=learner).count()} journeys, "
        f"{due_now(learner, now=timezone.now(), limit=1)[0]} cards due; "
        f"{Learner.objects.count() - 1} other learners"
    )


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(
    port: int, method: str, path: str, *, token: str = "", body: dict | None = None
) -> tuple[int, bytes]:
    """(status, body) of one request, redirects not followed (a redirect is a failure here)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def sign_in(port: int) -> str:
    """The learner's bearer token, as the app gets it (the server hashes tokens with its own key)."""
    from cms.demo.accounts import DEMO_PASSWORD

    credentials = {"username": LEARNER, "password": DEMO_PASSWORD, "device_name": "Benchmark"}
    status, body = call(port, "POST", "/api/v1/auth/token", body=credentials)
    if status != 200:
        raise RuntimeError(f"signing in as {LEARNER} answered {status}: {body[:300]!r}")
    return json.loads(body)["token"]


@contextlib.contextmanager
def server_log() -> Iterator[IO[str]]:
    """Where gunicorn writes; its end is printed if the run fails."""
    with tempfile.TemporaryFile("w+") as log:
        try:
            yield log
        except BaseException:
            log.seek(0)
            if tail := log.read()[-4000:]:
                print(f"gunicorn's log ends with:\n{tail}", file=sys.stderr, flush=True)
            raise


@contextlib.contextmanager
def gunicorn(*, database_url: str, log: IO[str], cached: bool) -> Iterator[int]:
    """gunicorn as production runs it, on that database; yields its port once /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # One token sends every request here; the throttle still runs, on a one-second window.
        "API_RATE_PER_TOKEN": "1000000/s",
        # Nothing cached by an earlier run (ids repeat in a new database) is served to this one.
        "CACHE_KEY_PREFIX": f"bench-api-{os.getpid()}-{time.time_ns()}",
        "LOG_LEVEL": "WARNING",
        # Off: every read is built, as the first read after a change is (learning.cached).
        **({} if cached else {"MICROMOMENTS_VIEW_CACHE_SECONDS": "0"}),
    }
    command = [sys.executable, "-m", "gunicorn", "backend.wsgi", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    # Its own process group, so stopping it stops its workers too.
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode} before /healthz")
            with contextlib.suppress(OSError):
                if call(port, "GET", HEALTHZ)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- The load -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    path: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def drive(port: int, path: str, *, token: str, seconds: int) -> Load:
    """wrk on one path; fails if any response was not 2xx or any request failed."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(REPORT_SCRIPT)]
    command += ["-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in run.stdout.splitlines() if line.startswith("WRK_REPORT ")]
    if run.returncode or not lines:
        raise RuntimeError(f"wrk failed on {path} ({run.returncode}): {run.stdout}{run.stderr}")
    figures = dict(part.split("=") for part in lines[0].split()[1:])
    counts = {name: int(figures[name]) for name in ("connect", "read", "write", "timeout")}
    counts["not 2xx"] = int(figures["not_2xx"])
    failed = {name: n for name, n in counts.items() if n}
    if failed or not int(figures["requests"]):
        raise RuntimeError(f"{path}: {figures['requests']} requests, failures {failed}")
    return Load(
        path=path,
        requests=int(figures["requests"]),
        seconds=int(figures["duration_us"]) / 1e6,
        p50_ms=float(figures["p50_us"]) / 1000,
        p95_ms=float(figures["p95_us"]) / 1000,
    )


def verdict(share: float, target: float, of: str) -> str:
    return f"target >= {target:.0%} of {of}: {'met' if share >= target else 'NOT met'}"


def report(loads: dict[str, Load], *, judged: bool) -> None:
    healthz, me = loads[HEALTHZ].per_second, loads[ME].per_second
    print(
        f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'vs GET /me':>12}"
        f"{'vs /healthz':>13}  issue 14"
    )
    for path, load in loads.items():
        of_me, of_healthz = load.per_second / me, load.per_second / healthz
        target = ""
        if judged and path == ME:
            target = verdict(of_healthz, ME_SHARE_OF_HEALTHZ, "/healthz")
        elif judged and path in HOT:
            target = verdict(of_me, HOT_SHARE_OF_ME, "GET /me")
        print(
            f"{path:<22}{load.per_second:>9.1f}{load.p50_ms:>9.1f}{load.p95_ms:>9.1f}"
            f"{of_me:>12.0%}{of_healthz:>13.0%}  {target}",
            flush=True,
        )


def main() -> None:
    if shutil.which("wrk") is None:
        print(
            "SKIPPED: wrk is not installed, so there are no API throughput figures "
            "(`make wrk` installs Debian's package; `make bench` tries it first).",
            flush=True,
        )
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        print("SKIPPED: the server shares the benchmark's database: set a PostgreSQL DATABASE_URL.")
        return
    seconds = seconds_per_endpoint()
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    with bench_database():
        from django.conf import settings

        # The test database bench_database made, under the caller's URL, for the server.
        name = settings.DATABASES["default"]["NAME"]
        database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()

        with timed() as took:
            build()
        print(f"built: {describe()} ({took[0]:.1f} s)", flush=True)

        for cached, title in (
            (True, "Repeat reads: served from the cache while nothing changed (learning.cached)"),
            (
                False,
                "Every read built (MICROMOMENTS_VIEW_CACHE_SECONDS=0): a first read after a change",
            ),
        ):
            with (
                server_log() as log,
                gunicorn(database_url=database_url, log=log, cached=cached) as port,
            ):
                print(f"\n{title}", flush=True)
                run_pass(port, seconds=seconds, judged=cached)


def run_pass(port: int, *, seconds: int, judged: bool) -> None:
    token = sign_in(port)
    paths = (HEALTHZ, ME, *HOT)
    for path in paths:
        status, body = call(port, "GET", path, token=token)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        drive(port, path, token=token, seconds=WARM_UP_SECONDS)
        if path == "/api/v1/me/progress" and judged:
            journeys = json.loads(body)["journeys"]
            print(
                f"{LEARNER}'s journeys: "
                + ", ".join(
                    f"{j['event_name']} {j['steps_done']}/{j['steps_total']} steps done"
                    for j in journeys
                ),
                flush=True,
            )
    print(
        f"gunicorn: {WORKERS} sync workers, DEBUG off; wrk: {CONNECTIONS} connections, "
        f"{THREADS} threads, {seconds} s per endpoint (API_BENCH_SECONDS)",
        flush=True,
    )
    report({path: drive(port, path, token=token, seconds=seconds) for path in paths}, judged=judged)


if __name__ == "__main__":
    main()
