"""Point-of-need search over modules and job tasks, logged for authors.

Queries go through Wagtail search (PostgreSQL full text in production) with OR semantics, so a
question in plain words ("how do I refund an order") still finds the module about refunds; job task
synonyms are indexed with the task and with the modules tied to it. Each search is counted in
Wagtail's search promotions log, and misses are counted apart (SearchMiss) for the authors' gap list.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from cms.models import JobTask, MicroModule, SearchMiss

MAX_RESULTS = 20


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "module" | "job_task"
    id: int
    title: str
    summary: str = ""
    estimated_minutes: int | None = None
    module_ids: list[int] = field(default_factory=list)
    promoted: bool = False


def normalise(query_string: str) -> str:
    return " ".join(query_string.split())


def _module_hit(module: MicroModule, *, promoted: bool = False) -> SearchHit:
    return SearchHit(
        kind="module",
        id=module.pk,
        title=module.title,
        summary=module.summary,
        estimated_minutes=module.estimated_minutes,
        promoted=promoted,
    )


def search(query_string: str, *, today: date, limit: int = MAX_RESULTS) -> list[SearchHit]:
    """Rank live modules and job tasks for `query_string`; editor's picks first. Logs the query."""
    query_string = normalise(query_string)
    if not query_string:
        return []
    query = Query.get(query_string)

    promoted_ids = list(
        SearchPromotion.objects.filter(query=query, page__live=True)
        .order_by("sort_order")
        .values_list("page_id", flat=True)
    )
    promoted_modules = MicroModule.objects.live().in_bulk(promoted_ids)
    hits = [
        _module_hit(promoted_modules[pk], promoted=True)
        for pk in promoted_ids
        if pk in promoted_modules
    ]

    scored: list[tuple[float, SearchHit]] = []
    modules = (
        MicroModule.objects.live().search(query_string, operator="or").annotate_score("_score")
    )
    for module in modules[:limit]:
        if module.pk not in promoted_modules:
            scored.append((module._score or 0.0, _module_hit(module)))

    tasks = list(
        JobTask.objects.all().search(query_string, operator="or").annotate_score("_score")[:limit]
    )
    modules_by_task = _live_module_ids_by_task([task.pk for task in tasks])
    for task in tasks:
        scored.append(
            (
                task._score or 0.0,
                SearchHit(
                    kind="job_task",
                    id=task.pk,
                    title=task.name,
                    summary=task.description,
                    module_ids=modules_by_task.get(task.pk, []),
                ),
            )
        )
    scored.sort(key=lambda pair: pair[0], reverse=True)
    hits.extend(hit for _, hit in scored)
    hits = hits[:limit]
    record_search(query, found=bool(hits), today=today)
    return hits


def _live_module_ids_by_task(task_ids: list[int]) -> dict[int, list[int]]:
    through = MicroModule.job_tasks.through
    rows = (
        through.objects.filter(jobtask_id__in=task_ids, micromodule__live=True)
        .order_by("micromodule__title")
        .values_list("jobtask_id", "micromodule_id")
    )
    result: dict[int, list[int]] = {}
    for task_id, module_id in rows:
        result.setdefault(task_id, []).append(module_id)
    return result


def record_search(query: Query, *, found: bool, today: date) -> None:
    """Count the search in Wagtail's daily hits and, when it found nothing, in today's misses."""
    with transaction.atomic():
        query.add_hit(date=today)
        if not found:
            miss, _ = SearchMiss.objects.get_or_create(query=query, date=today)
            SearchMiss.objects.filter(pk=miss.pk).update(misses=F("misses") + 1)
