"""Where module analytics depends on the database: the median, an aggregate on PostgreSQL and
Python's over one more query on the quick-start's SQLite, which has no median aggregate.
"""

import statistics
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Aggregate, FloatField, Q

from learning.models import Activity


class _Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    arity = 1


def by_module_with_median_minutes(
    scope: Q, *, verbs: list[str], aggregates: dict[str, Aggregate], median_of: Q
) -> dict[int, dict[str, Any]]:
    """Activity rows in `scope` with one of `verbs`, grouped by module: a row of `aggregates` per
    module_id, plus "median_minutes" over its rows matching `median_of` where it has any.

    One grouped query on PostgreSQL (the median is one more aggregate in it); elsewhere the same
    query without it, then the minutes of the `median_of` rows and statistics.median over them.
    """
    if connection.vendor == "postgresql":
        in_database = {"median_minutes": _Median("minutes", filter=median_of)}
        return _grouped(scope, verbs, {**aggregates, **in_database})
    rows = _grouped(scope, verbs, aggregates)
    minutes: dict[int, list[int]] = defaultdict(list)
    for module_id, value in (
        Activity.objects.filter(scope, median_of).values_list("module_id", "minutes").order_by()
    ):
        minutes[module_id].append(value)
    for module_id, values in minutes.items():
        rows[module_id]["median_minutes"] = float(statistics.median(values))
    return rows


def _grouped(scope: Q, verbs: list[str], aggregates: dict[str, Aggregate]) -> dict[int, dict]:
    return {
        row["module_id"]: row
        for row in Activity.objects.filter(scope)
        .filter(verb__in=verbs)
        .values("module_id")
        .annotate(**aggregates)
        .order_by()
    }
