"""The API root: one NinjaAPI at /api/v1/ mounting each app's router, and its one error shape.

Every error is JSON `{"detail": ..., "errors": [{"field": ..., "message": ...}]}`, raised as one of
cms.errors' family (or by ninja and pydantic) and turned into a response here, once. The
OpenAPI declares on each operation the errors any operation may return (401 with a token, 422 with
input, 413 with a body, 429 always); the domain errors (404, 409) each operation declares itself.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled
from ninja.throttling import AnonRateThrottle

from backend.auth import LearnerTokenAuth
from backend.auth import router as auth_router
from backend.oidc_api import router as oidc_router
from backend.passwords import router as passwords_router
from backend.throttles import TokenRateThrottle
from cms.api import router as cms_router
from cms.errors import ERROR_DESCRIPTIONS, ApiError, ErrorOut, FieldError
from cms.parsing import SafeParser
from learning.journeys.api import router as journeys_router
from learning.ledger.api import router as ledger_router
from learning.people.api import router as people_router
from learning.practice.api import router as practice_router
from learning.team.api import router as team_router
from nudges.api import router as nudges_router
from nudges.devices_api import router as devices_router
from nudges.privacy import router as privacy_router

logger = logging.getLogger(__name__)


class MicromomentsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _declare_common_errors(schema)
        return schema


def _declare_common_errors(schema) -> None:
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in components:
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
    for operations in schema["paths"].values():
        for operation in operations.values():
            statuses = [429]
            if operation.get("security"):
                statuses.append(401)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.append(422)
            if operation.get("requestBody"):
                statuses += [413, 415]
            responses = operation["responses"]
            for status in sorted(statuses):
                responses.setdefault(
                    str(status),
                    {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
            for status, response in responses.items():
                # ninja names every declared response "OK"; say what each error means.
                if int(status) in ERROR_DESCRIPTIONS and response.get("description") == "OK":
                    response["description"] = ERROR_DESCRIPTIONS[int(status)]


api = MicromomentsAPI(
    title="Micromoments API",
    version="1",
    description=(
        "The API the Micromoments mobile app is built against: modules, point-of-need search, "
        "journeys, progress, practice and nudges.\n\n"
        'Every error is JSON `{"detail": "...", "errors": [{"field": "...", '
        '"message": "..."}]}`; `errors` names each field at fault and may be empty. '
        "Another person's objects are 404, like unknown ones."
    ),
    urls_namespace="api-v1",
    auth=LearnerTokenAuth(),
    throttle=[
        TokenRateThrottle(settings.API_RATE_PER_TOKEN),
        AnonRateThrottle(settings.API_RATE_PER_ADDRESS_UNAUTHENTICATED),
    ],
    parser=SafeParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, detail: str, errors=(), *, retry_after: int | None = None
) -> HttpResponse:
    body = {"detail": detail, "errors": [{"field": e.field, "message": e.message} for e in errors]}
    response = api.create_response(request, body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _field_name(loc: list) -> str:
    # ninja prefixes locations with the source ("query", "body", "path") and the schema argument
    # name; the app wants the field as it sent it.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "body", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "params", "pagination"}:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(
        request, exc.status, exc.detail, exc.errors, retry_after=getattr(exc, "retry_after", None)
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        FieldError(_field_name(err.get("loc", [])), err.get("msg", "Invalid value."))
        for err in exc.errors
    ]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors) or "Invalid request."
    return error_response(request, 422, f"Invalid input — {summary}", errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Django's own messages name the model ("No MicroModule matches the given query."): not ours.
    return error_response(request, 404, "Not found.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "Authentication required: send a valid bearer token.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "The request body is over the size limit.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):
        # ninja wraps whatever the body parser raises in a 400; ours carry their own status.
        return on_api_error(request, exc.__cause__)
    if isinstance(exc, NinjaThrottled):
        wait = max(1, int(exc.wait or 1))
        return error_response(
            request, 429, f"Too many requests: try again in {wait} seconds.", retry_after=wait
        )
    status = 422 if exc.status_code == 400 else exc.status_code
    return error_response(request, status, str(exc), retry_after=getattr(exc, "retry_after", None))


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.")


api.add_router("/", auth_router)
api.add_router("/", passwords_router)
api.add_router("/", oidc_router)
api.add_router("/", cms_router)
api.add_router("/", people_router)
api.add_router("/", privacy_router)
api.add_router("/", journeys_router)
api.add_router("/", team_router)
api.add_router("/", ledger_router)
api.add_router("/", practice_router)
api.add_router("/", nudges_router)
api.add_router("/", devices_router)
