"""The API's error family: domain code raises these; backend.api turns each into one JSON shape.

`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}` is every error body; `errors`
names the fields at fault and may be empty. `NotFound` is also an `Http404`, so the same domain
function serves an admin view (Django's 404 page) and the API (a JSON 404) without translation.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from ninja import Schema


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ApiError(Exception):
    status: int = 400
    default_detail: str = "The request could not be served."

    def __init__(self, detail: str | None = None, errors: Iterable[FieldError] = ()):
        self.detail = detail or self.default_detail
        self.errors = list(errors)
        super().__init__(self.detail)


class Unauthorized(ApiError):
    status = 401
    default_detail = "Authentication required: send a valid bearer token."


class NotFound(ApiError, Http404):
    status = 404
    default_detail = "Not found."


class Conflict(ApiError):
    status = 409
    default_detail = "The request conflicts with the current state."


class PayloadTooLarge(ApiError):
    status = 413
    default_detail = "The request body is too large."


class UnsupportedMediaType(ApiError):
    status = 415
    default_detail = "Send the request body as JSON (Content-Type: application/json)."


class Invalid(ApiError):
    """Input that parsed but makes no sense; each FieldError names the field as the client sent it."""

    status = 422
    default_detail = "Invalid input."

    @classmethod
    def field(cls, field: str, message: str) -> "Invalid":
        return cls(f"Invalid input — {field}: {message}", [FieldError(field, message)])


class Throttled(ApiError):
    status = 429
    default_detail = "Too many requests."

    def __init__(self, detail: str | None = None, *, retry_after: int):
        super().__init__(detail or f"Too many requests: try again in {retry_after} seconds.")
        self.retry_after = retry_after


class Unavailable(ApiError):
    """A party we depend on (an identity provider) did not answer; the client may try again."""

    status = 503
    default_detail = "A service this request needs is unavailable: try again later."

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


# --- The shape in the OpenAPI ----------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


ERROR_DESCRIPTIONS = {
    401: "No valid bearer token: missing, wrong, expired or revoked.",
    403: "Signed in, but not allowed to do this.",
    404: "No such object, or not one of yours.",
    405: "The path exists, but not for this method.",
    409: "Conflicts with the object's current state.",
    413: "The request body is over the size limit.",
    415: "The request body is not JSON (Content-Type: application/json).",
    422: "Invalid input: `errors` names each field at fault.",
    429: "Too many requests: wait for the seconds in the Retry-After header.",
    503: "A service this request needs did not answer: try again later.",
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare errors an operation returns beyond those every operation may (see backend.api)."""
    return dict.fromkeys(statuses, ErrorOut)
