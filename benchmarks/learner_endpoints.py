"""Latency of GET /me/today and GET /me/progress for a learner with 10,000 activities.

Builds a module library, three live events with journeys, the learner's enrolments and ledger (plus
other learners' rows, so indexes have to do their job), then times each endpoint through the Django
test client with a real bearer token and prints p50/p95 and the queries each request ran.
"""

import datetime
import logging
import statistics
import time

from benchmarks._django import bench_database, publish_modules, timed

ACTIVITIES = 10_000
OTHER_LEARNERS, OTHER_ACTIVITIES_EACH = 50, 200
MODULES, JOB_TASKS = 120, 20
REQUESTS, WARM_UP = 200, 10


def build() -> str:
    """The library, journeys and ledger; returns the learner's bearer token."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from backend.auth import issue_token
    from cms.models import (
        ChangeEvent,
        EventAudience,
        JobTask,
        JourneyStep,
    )
    from learning.models import Activity, Enrollment, Learner, Verb

    now = timezone.now()
    tasks = JobTask.objects.bulk_create([JobTask(name=f"Job task {i}") for i in range(JOB_TASKS)])
    modules = publish_modules(range(MODULES), tasks)

    User = get_user_model()
    user = User.objects.create_user("bench-learner")
    learner = Learner.objects.create(
        user=user,
        role="Support agent",
        team="Support",
        timezone="Europe/Berlin",
        start_date=now.date() - datetime.timedelta(days=20),
    )
    others = [
        Learner.objects.create(
            user=User.objects.create_user(f"other-{i}"), role="Support agent", timezone="UTC"
        )
        for i in range(OTHER_LEARNERS)
    ]

    kinds = [JourneyStep.Kind.FORMAL, JourneyStep.Kind.SOCIAL, JourneyStep.Kind.ON_THE_JOB]
    for n, kind in enumerate(["onboarding", "product_launch", "compliance"]):
        event = ChangeEvent(
            name=f"Event {n}", kind=kind, date=None if kind == "onboarding" else now.date()
        )
        event.audience_rules = [EventAudience(role="Support agent")]
        event.steps = [
            JourneyStep(
                title=f"Step {i}",
                kind=kinds[i % 3],
                module=modules[n * 10 + i] if kinds[i % 3] == JourneyStep.Kind.FORMAL else None,
                job_task=tasks[(n + i) % JOB_TASKS]
                if kinds[i % 3] != JourneyStep.Kind.FORMAL
                else None,
                day_offset=i * 2 - 10,
                due_offset=3,
            )
            for i in range(10)
        ]
        event.save()  # live, without the publish signal (it would enrol through Celery)
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    learner=person,
                    event=event,
                    anchor_date=(person.start_date if kind == "onboarding" else None) or now.date(),
                )
                for person in [learner, *others]
            ]
        )

    categories = ["experience", "experience", "experience", "social", "formal"]

    def ledger(person, count):
        for i in range(count):
            formal = categories[i % 5] == "formal"
            yield Activity(
                learner=person,
                verb=Verb.MODULE_COMPLETED if formal else Verb.ACTIVITY_LOGGED,
                module=modules[(i * 13) % MODULES] if formal else None,
                category=categories[i % 5],
                minutes=1 + i % 30,
                title=f"Activity {i}",
                # About 25 a day over the last ~400 days, most recent first.
                occurred_at=now - datetime.timedelta(minutes=23 * i),
            )

    Activity.objects.bulk_create(ledger(learner, ACTIVITIES), batch_size=2000)
    for person in others:
        Activity.objects.bulk_create(ledger(person, OTHER_ACTIVITIES_EACH), batch_size=2000)
    return issue_token(user, device_name="Benchmark phone", now=now).token


def measure(client, path: str) -> tuple[list[float], int]:
    """Milliseconds per request over REQUESTS requests, and the most queries any of them ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        assert client.get(path).status_code == 200, path
    durations, most_queries = [], 0
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.content[:200])
        most_queries = max(most_queries, len(queries))
    return durations, most_queries


def main() -> None:
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    with bench_database():
        from django.test import Client

        with timed() as took:
            token = build()
        print(
            f"built: {MODULES} modules, 3 events x 10 steps, 1 learner with {ACTIVITIES:,} activities "
            f"and {OTHER_LEARNERS} others with {OTHER_ACTIVITIES_EACH} each ({took[0]:.1f} s)",
            flush=True,
        )
        client = Client(headers={"Authorization": f"Bearer {token}"})
        for path in ("/api/v1/me/today?minutes=5", "/api/v1/me/progress"):
            durations, most_queries = measure(client, path)
            centiles = statistics.quantiles(durations, n=100)
            print(
                f"{path:<28} p50 {centiles[49]:6.1f} ms  p95 {centiles[94]:6.1f} ms  "
                f"max {max(durations):6.1f} ms  queries/request {most_queries}",
                flush=True,
            )


if __name__ == "__main__":
    main()
