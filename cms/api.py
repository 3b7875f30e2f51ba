"""Content endpoints: the module library and point-of-need search."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from ninja import Header, Path, Query, Router
from ninja.pagination import paginate

from cms import library
from cms import search as search_service
from cms.errors import error_responses
from cms.pagination import Pages
from cms.schemas import (
    MAX_QUERY_LENGTH,
    Id,
    ModuleFilters,
    ModuleOut,
    ModuleSummaryOut,
    SearchOut,
)

router = Router(tags=["content"])


@router.get(
    "/modules",
    response={200: list[ModuleSummaryOut], **error_responses(404)},
    summary="List modules",
)
@paginate(Pages)
def list_modules(request: HttpRequest, filters: Query[ModuleFilters]):
    """Live modules, newest first; filter by job task, change event (its journey) and text (then
    best match first). An unknown job task is 404."""
    return library.module_list(job_task_id=filters.job_task, event_id=filters.event, text=filters.q)


@router.get(
    "/modules/{int:module_id}",
    response={200: ModuleOut, 304: None, **error_responses(404)},
    summary="Get a module",
    description="A module with its blocks. Sends an ETag; answer 304 to a matching If-None-Match.",
)
def get_module(
    request: HttpRequest,
    module_id: Path[Id],
    if_none_match: str | None = Header(
        None,
        alias="If-None-Match",
        max_length=2000,
        description="The ETag of the copy the app holds: 304 with no body if it is still current.",
    ),
):
    module = library.live_module(module_id)
    payload = ModuleOut.from_orm(module, context={"request": request}).model_dump()
    # The ETag hashes the very bytes sent, keys sorted so that equal modules hash alike.
    content = json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True).encode()
    etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
    wanted = (if_none_match or "").strip()
    # Weak comparison (RFC 9110): a proxy that compresses the body turns our ETag into W/"…".
    held = {tag.removeprefix("W/") for tag in parse_etags(wanted)}
    if wanted == "*" or etag in held:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get("/search", response=SearchOut, summary="Point-of-need search")
def search(request: HttpRequest, q: str = Query(..., min_length=1, max_length=MAX_QUERY_LENGTH)):
    """Modules and job tasks for a question in plain words, best match first; an editor's pick
    comes before them."""
    return search_service.search(q, today=timezone.localdate())
