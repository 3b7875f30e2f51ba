"""Planning 100,000 learners with practice due, against the floor of one raw INSERT … SELECT.

Every learner has a card due and is due for a check; their time zones vary, so their windows do.
The floor writes the same number of nudge rows (same columns, ON CONFLICT on the dedupe key) in one
statement with no decisions at all; it runs first and its rows are deleted again. Target: planning
within 5× of the floor.

Planning runs twice from the same start: one planner alone, then NUDGES_PLANNERS planners in
parallel processes, as the beat's planner and its helpers run on the workers (nudges/tasks.py).
"""

import datetime
import logging
import multiprocessing
import random

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
    history(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def history(now: datetime.datetime) -> None:
    """Last week's nudges: one sent practice nudge per learner, every other one opened.

    A deployment's nudge table holds its history, and PostgreSQL's statistics know it; an empty,
    freshly analysed table would make the planner's lookups sequential scans until autovacuum
    analyses it again, which no running system sees.
    """
    from django.db import connection

    from learning.models import Learner
    from nudges.models import Nudge

    sent = now - datetime.timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Nudge._meta.db_table} (
                learner_id, kind, dedupe_key, title, body, deep_link, "window", planned_for,
                expires_at, state, attempts, sent_at, opened_at, provider_message_ids,
                last_error, created_at
            )
            SELECT id, 'practice_due', 'practice:' || id || ':last-week', '1 question — 1 minute',
                   'A quick review now keeps it fresh.', 'micromoments://practice',
                   CASE WHEN id %% 3 = 0 THEN '08:00-08:40' ELSE '12:30-13:00' END, %s,
                   %s, 'sent', 1, %s, CASE WHEN id %% 2 = 0 THEN %s END, '[]'::jsonb, '', %s
            FROM {Learner._meta.db_table}
            """,
            [sent, sent + datetime.timedelta(minutes=30), sent, sent, sent],
        )


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
    reset(now)
    return elapsed[0], rows


def reset(now: datetime.datetime) -> None:
    """No nudges, every learner due again, and fresh statistics: the same start for each run."""
    from django.db import connection

    from learning.models import Learner
    from nudges.models import Nudge

    Nudge.objects.exclude(state=Nudge.State.SENT).delete()  # keep last week's history
    Learner.objects.update(next_nudge_check_at=now)
    with connection.cursor() as cursor:
        for model in (Nudge, Learner):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _planner(now: datetime.datetime, seed: int) -> int:
    from django.db import connections

    from nudges.planning import plan_nudges

    connections.close_all()  # a forked child opens its own connection
    return plan_nudges(now=now, chunk_size=1000, rng=random.Random(seed)).planned


def check(now: datetime.datetime) -> None:
    from learning.models import Learner
    from nudges.models import Nudge

    assert Nudge.objects.filter(state=Nudge.State.PLANNED).count() == LEARNERS
    assert not Learner.objects.filter(next_nudge_check_at__lte=now).exists()


def main() -> None:
    logging.disable(logging.INFO)
    with bench_database():
        from django.conf import settings
        from django.db import connections

        from nudges.planning import plan_nudges

        # A Monday morning in Europe: some zones are in a window, some in quiet hours.
        now = datetime.datetime(2026, 3, 2, 7, 15, tzinfo=datetime.UTC)
        with timed() as built:
            build(now)
        print(f"{LEARNERS:,} learners with practice due built in {built[0]:.1f} s", flush=True)

        floor_seconds, floor_rows = floor(now)
        print(f"floor: INSERT … SELECT of {floor_rows:,} nudges: {floor_seconds:.2f} s", flush=True)

        with timed() as alone:
            result = plan_nudges(now=now, chunk_size=1000, rng=random.Random(0))
        assert result.planned == LEARNERS, result
        check(now)
        print(
            f"one planner: {result.planned:,} nudges for {result.claimed:,} learners in"
            f" {result.chunks} chunks: {alone[0]:.2f} s ({result.planned / alone[0]:,.0f} nudges/s),"
            f" {alone[0] / floor_seconds:.1f}× the floor",
            flush=True,
        )

        reset(now)
        planners = settings.NUDGES_PLANNERS
        connections.close_all()
        with (
            multiprocessing.get_context("fork").Pool(planners) as pool,
            timed() as together,
        ):
            shares = pool.starmap(_planner, [(now, seed) for seed in range(planners)])
        assert sum(shares) == LEARNERS, shares
        check(now)
        print(
            f"{planners} planners (NUDGES_PLANNERS) sharing the work ({', '.join(map(str, shares))}):"
            f" {together[0]:.2f} s ({LEARNERS / together[0]:,.0f} nudges/s),"
            f" {together[0] / floor_seconds:.1f}× the floor (target: within 5×)"
        )
