"""Point-of-need search over modules and job tasks, logged for authors.

Queries go through Wagtail search (PostgreSQL full text in production, SQLite FTS5 in the
quick-start) as the words of the question without stop words, OR-ed, so a question in plain words
("how do I refund an order") still finds the module about refunds; job task synonyms are indexed
with the task and with the modules tied to it. Each search is counted in Wagtail's search promotions
log, and misses are counted apart (SearchMiss) for the authors' gap list.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import F, Max, QuerySet, Sum
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.query import PageQuerySet

from cms.models import JobTask, MicroModule, SearchMiss

MAX_RESULTS = 20
GAP_WINDOW_DAYS = 30

# Letters and digits only: quotes, brackets, `*`, `:`, `-` and the like are FTS5 (and tsquery)
# syntax, and a learner's stray quote must not become a syntax error (a 500) on SQLite.
_WORD = re.compile(r"[^\W_]+")

# PostgreSQL's `english` stop words (Snowball's list), which it drops by itself. SQLite's
# FTS5 keeps every word, so "how do I …" matched nearly every module and buried the one asked for.
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing don down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own s same she should so some such t than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "module" | "job_task"
    id: int
    title: str
    summary: str = ""
    estimated_minutes: int | None = None
    module_ids: list[int] = field(default_factory=list)
    promoted: bool = False


@dataclass(frozen=True)
class SearchResult:
    query: str  # the question as searched: whitespace collapsed
    results: list[SearchHit]


def normalise(query_string: str) -> str:
    return " ".join(query_string.split())


def search_terms(query_string: str) -> str:
    """The words worth searching for in `query_string`, lower-cased, each once, as one string."""
    words = (word for word in _WORD.findall(query_string.lower()) if word not in STOP_WORDS)
    return " ".join(dict.fromkeys(words))


def _relevance(score: float | None) -> float:
    # FTS5's bm25() is negative, the best match the most negative; PostgreSQL's ts_rank is
    # positive, the best the highest. Modules and job tasks are merged on this one scale.
    if score is None:
        return 0.0
    return -score if connection.vendor == "sqlite" else score


def search_modules(modules: PageQuerySet, query_string: str):
    """`modules` that match `query_string`, best match first (Wagtail search results)."""
    return modules.search(search_terms(query_string), operator="or", order_by_relevance=True)


def _module_hit(module: MicroModule, *, promoted: bool = False) -> SearchHit:
    return SearchHit(
        kind="module",
        id=module.pk,
        title=module.title,
        summary=module.summary,
        estimated_minutes=module.estimated_minutes,
        promoted=promoted,
    )


def search(query_string: str, *, today: date, limit: int = MAX_RESULTS) -> SearchResult:
    """Rank live modules and job tasks for `query_string`; editor's picks first. Logs the query."""
    query_string = normalise(query_string)
    if not query_string:
        return SearchResult(query_string, [])
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

    terms = search_terms(query_string)
    scored: list[tuple[float, SearchHit]] = []
    tasks: list[JobTask] = []
    if terms:
        modules = search_modules(MicroModule.objects.live(), terms).annotate_score("_score")
        for module in modules[:limit]:
            if module.pk not in promoted_modules:
                scored.append((_relevance(module._score), _module_hit(module)))
        tasks = list(
            JobTask.objects.all().search(terms, operator="or").annotate_score("_score")[:limit]
        )
    modules_by_task = _live_module_ids_by_task([task.pk for task in tasks])
    for task in tasks:
        scored.append(
            (
                _relevance(task._score),
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
    return SearchResult(query_string, hits)


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


def search_gaps(*, today: date, days: int = GAP_WINDOW_DAYS) -> QuerySet[Query]:
    """Queries that found nothing in the last `days` days, with how often and when last."""
    since = today - timedelta(days=days - 1)
    return (
        Query.objects.filter(misses__date__gte=since)
        .annotate(misses_total=Sum("misses__misses"), last_missed=Max("misses__date"))
        .order_by("-misses_total", "query_string")
    )
