"""The planner when PostgreSQL drops its connection mid-chunk (pg_terminate_backend from a second
connection): the chunk's work is rolled back whole, and the next run plans it once."""

import random

import psycopg
import pytest
from django.db import OperationalError as DjangoOperationalError
from django.db import connection

from learning.models import Learner
from nudges import plan_data
from nudges.models import Nudge
from nudges.planning import plan_nudges
from tests.nudges.test_planning import NOW, many_learners

# Real commits: the planner's transaction must end as it would in production; serialized_rollback
# restores what migrations created.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _terminate(pid: int) -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_mid_chunk_plans_nothing_then_the_next_run_plans_it_once(
    library, monkeypatch
):
    from tests.factories import publish_module, question

    refunds = publish_module(title="Refunds", body=[question(), question()])
    learners = many_learners(30, refunds=refunds)
    gather = plan_data.gather

    def gather_then_lose_the_connection(chunk, *, now):
        facts = gather(chunk, now=now)  # the chunk is claimed and read ...
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [pid] = cursor.fetchone()
        _terminate(pid)  # ... when PostgreSQL drops the planner's connection
        return facts

    monkeypatch.setattr(plan_data, "gather", gather_then_lose_the_connection)
    with pytest.raises(DjangoOperationalError):
        plan_nudges(now=NOW, rng=random.Random(1))
    connection.close()  # as the worker does after a failed task (Celery's Django fix-up)

    # Nothing of the chunk was kept: no nudge, every learner still due at NOW.
    assert not Nudge.objects.exists()
    assert set(
        Learner.objects.filter(pk__in=[x.pk for x in learners]).values_list(
            "next_nudge_check_at", flat=True
        )
    ) == {NOW}

    monkeypatch.setattr(plan_data, "gather", gather)
    result = plan_nudges(now=NOW, rng=random.Random(1))
    assert result.claimed == 30
    assert Nudge.objects.filter(kind="practice_due").count() == 30
    keys = list(Nudge.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))  # none twice
    assert plan_nudges(now=NOW, rng=random.Random(1)).claimed == 0  # and a third run finds nobody
