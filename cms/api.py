"""Content endpoints: the module library and point-of-need search."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from cms import search as search_service
from cms.models import JobTask, MicroModule
from cms.schemas import ModuleFilters, ModuleOut, ModuleSummaryOut, SearchOut

router = Router(tags=["content"])


def _module_summary(module: MicroModule) -> dict:
    return {
        "id": module.pk,
        "title": module.title,
        "summary": module.summary,
        "estimated_minutes": module.estimated_minutes,
        "job_tasks": [{"id": t.pk, "name": t.name} for t in module.job_tasks.all()],
    }


def live_modules():
    return MicroModule.objects.live().prefetch_related("job_tasks")


@router.get("/modules", response=list[ModuleSummaryOut], summary="List modules")
@paginate(PageNumberPagination)
def list_modules(request: HttpRequest, filters: Query[ModuleFilters]):
    """Live modules, newest first; filter by job task, change event (its journey) and text."""
    modules = live_modules().order_by("-first_published_at", "-pk")
    if filters.job_task is not None:
        get_object_or_404(JobTask, pk=filters.job_task)
        modules = modules.filter(job_tasks=filters.job_task)
    if filters.event is not None:
        modules = modules.filter(
            journey_steps__event_id=filters.event, journey_steps__event__live=True
        )
    modules = modules.distinct()
    if filters.q and filters.q.strip():
        modules = modules.search(filters.q, operator="or", order_by_relevance=True)
    return modules


@router.get(
    "/modules/{int:module_id}",
    response={200: ModuleOut, 304: None},
    summary="Get a module",
    description="A module with its blocks. Sends an ETag; answer 304 to a matching If-None-Match.",
)
def get_module(request: HttpRequest, module_id: int):
    module = get_object_or_404(live_modules(), pk=module_id)
    payload = {
        **_module_summary(module),
        "last_published_at": module.last_published_at.isoformat()
        if module.last_published_at
        else None,
        "body": module.body.stream_block.get_api_representation(
            module.body, context={"request": request}
        ),
    }
    content = json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True).encode()
    etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
    if (
        etag in parse_etags(request.headers.get("If-None-Match", ""))
        or request.headers.get("If-None-Match", "").strip() == "*"
    ):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get("/search", response=SearchOut, summary="Point-of-need search")
def search(request: HttpRequest, q: str = Query(..., min_length=1, max_length=200)):
    """Modules and job tasks for a question in plain words; an editor's pick comes first."""
    hits = search_service.search(q, today=timezone.localdate())
    return {"query": search_service.normalise(q), "results": hits}
