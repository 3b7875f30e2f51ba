"""Planning 100,000 learners with practice due, against the floor of one raw INSERT … SELECT.

Every learner has a card due and is due for a check; their time zones vary, so their windows do.
The floor writes the same number of nudge rows (same columns, ON CONFLICT on the dedupe key) in one
statement with no decisions at all; it runs first and its rows are deleted again. Target: planning
within 5× of the floor.
"""

import datetime
import logging

from benchmarks._django import bench_database, timed

LEARNERS = 100_000
BATCH = 10_000
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")


def build(now: datetime.datetime) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from cms.models import MicroModule, ModuleIndexPage
    from learning.models import Card, Learner

    module = MicroModule(
        title="Refunds",
        summary="Who approves what.",
        body=[
            (
                "question",
                {
                    "prompt": "Who approves a refund over 500?",
                    "choices": [
                        {"text": "A lead", "correct": True},
                        {"text": "Anyone", "correct": False},
                    ],
                    "explanation": "Leads approve large refunds.",
                },
            )
        ],
    )
    ModuleIndexPage.objects.get().add_child(instance=module)
    module.save_revision().publish()

    for start in range(0, LEARNERS, BATCH):
        users = User.objects.bulk_create(
            [
                User(username=f"bench-{i}", email=f"bench-{i}@example.com")
                for i in range(start, start + BATCH)
            ]
        )
        learners = Learner.objects.bulk_create(
            [
                Learner(user=user, timezone=ZONES[i % len(ZONES)], next_nudge_check_at=now)
                for i, user in enumerate(users)
            ]
        )
        Card.objects.bulk_create(
            [
                Card(
                    learner=learner,
                    module=module,
                    block_id="q1",
                    due=now - datetime.timedelta(hours=1),
                    answer_fingerprint="x",
                )
                for learner in learners
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def floor(now: datetime.datetime) -> tuple[float, int]:
    """One INSERT … SELECT writing a nudge per learner; returns (seconds, rows), rows deleted after."""
    from django.db import connection

    from learning.models import Learner
    from nudges.models import Nudge

    sql = f"""
        INSERT INTO {Nudge._meta.db_table} (
            learner_id, kind, dedupe_key, title, body, deep_link, "window", planned_for,
            expires_at, state, attempts, provider_message_ids, last_error, created_at
        )
        SELECT id, 'practice_due', 'practice:' || id || ':floor', '1 question on Refunds — 1 minute',
               'A quick review now keeps it fresh.', 'micromoments://practice', '08:00-08:40', %s,
               %s, 'planned', 0, '[]'::jsonb, '', %s
        FROM {Learner._meta.db_table}
        ON CONFLICT (dedupe_key) DO NOTHING
    """
    with connection.cursor() as cursor, timed() as elapsed:
        cursor.execute(sql, [now, now + datetime.timedelta(minutes=30), now])
        rows = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Nudge._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Nudge._meta.db_table}")
    return elapsed[0], rows


def main() -> None:
    logging.disable(logging.INFO)
    with bench_database():
        import random

        from django.db import connection

        from learning.models import Learner
        from nudges.models import Nudge
        from nudges.planning import plan_nudges

        # A Monday morning in Europe: some zones are in a window, some in quiet hours.
        now = datetime.datetime(2026, 3, 2, 7, 15, tzinfo=datetime.UTC)
        with timed() as built:
            build(now)
        print(f"{LEARNERS:,} learners with practice due built in {built[0]:.1f} s", flush=True)

        floor_seconds, floor_rows = floor(now)
        print(f"floor: INSERT … SELECT of {floor_rows:,} nudges: {floor_seconds:.2f} s", flush=True)

        connection.queries_log.clear()
        with timed() as planning:
            result = plan_nudges(now=now, chunk_size=1000, rng=random.Random(0))
        assert result.planned == LEARNERS, result
        assert Nudge.objects.count() == LEARNERS
        assert not Learner.objects.filter(next_nudge_check_at__lte=now).exists()
        print(
            f"plan_nudges: {result.planned:,} nudges for {result.claimed:,} learners in"
            f" {result.chunks} chunks: {planning[0]:.2f} s"
            f" ({result.planned / planning[0]:,.0f} nudges/s)",
            flush=True,
        )
        print(f"ratio to the floor: {planning[0] / floor_seconds:.1f}× (target: within 5×)")
