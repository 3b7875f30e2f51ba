"""The API root: one NinjaAPI at /api/v1/ mounting each app's router, and its error shape.

Every error the app sees is JSON `{"detail": ..., "errors": [...]}`: 422 for validation (each error
names its field), 404 for unknown or someone else's objects, never HTML and never a bare 500.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from backend.auth import LearnerTokenAuth
from backend.auth import router as auth_router
from cms.api import router as cms_router
from learning.api import router as learning_router
from nudges.api import router as nudges_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Micromoments API",
    version="1",
    description=(
        "The API the Micromoments mobile app is built against: modules, point-of-need search, "
        "journeys, progress, practice and nudges."
    ),
    urls_namespace="api-v1",
    auth=LearnerTokenAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _field_name(loc: list) -> str:
    # ninja prefixes locations with the source ("query", "body", "path") and the schema argument
    # name; the app wants the field as it sent it.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "body", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "params"}:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(err.get("loc", [])), "message": err.get("msg", "Invalid value.")}
        for err in exc.errors
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
    return api.create_response(
        request, {"detail": f"Invalid input — {summary}", "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if str(exc) else "Not found."
    return api.create_response(request, {"detail": message, "errors": []}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentication required: send a valid bearer token.", "errors": []},
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": str(exc), "errors": []}, status=exc.status_code
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": "Something went wrong on our side; it has been logged.", "errors": []},
        status=500,
    )


api.add_router("/", auth_router)
api.add_router("/", cms_router)
api.add_router("/", learning_router)
api.add_router("/", nudges_router)
