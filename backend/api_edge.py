"""What answers under /api/ outside ninja's routes: every such answer is JSON in the one shape.

An unknown path is a JSON 404 (a catch-all route, so neither Wagtail's page tree nor APPEND_SLASH's
redirect, a 500 on a POST, ever sees an /api/ path), and any non-JSON error a layer below ninja
makes (ninja's 405, Django's CSRF 403, a 400 for a bad Host) is rewritten to the same shape.
"""

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"


@csrf_exempt  # nothing to protect, and a POST must get this 404, not a CSRF 403
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse({"detail": f"No API endpoint at {request.path}.", "errors": []}, status=404)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not _is_json(response)
        ):
            return self._as_json(response)
        return response

    @staticmethod
    def _as_json(response: HttpResponse) -> HttpResponse:
        status = response.status_code
        try:
            detail = HTTPStatus(status).phrase + "."
        except ValueError:
            detail = "Error."
        if status == 405 and response.get("Allow"):
            detail = f"Method not allowed here; allowed: {response['Allow']}."
        rewritten = HttpResponse(
            json.dumps({"detail": detail, "errors": []}),
            status=status,
            content_type="application/json",
        )
        for header in ("Allow", "Retry-After"):
            if response.get(header):
                rewritten[header] = response[header]
        return rewritten
