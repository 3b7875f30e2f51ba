"""How the API reads a request: JSON bodies within a size limit, and no NUL anywhere.

PostgreSQL cannot store a NUL in text, so one that reached a query was a 500; here it is a 422
naming the field, on SQLite as on PostgreSQL. Invalid JSON is a 422 on `body`, the one shape.
"""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from backend.errors import Invalid, PayloadTooLarge


def _nul_path(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path of the first string (or key) holding a NUL, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return (*path, key.replace("\x00", "\\u0000"))
            if (found := _nul_path(item, (*path, key))) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _nul_path(item, (*path, str(index)))) is not None:
                return found
    return None


NUL_MESSAGE = "must not contain a NUL character (\\u0000)."


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        if len(body) > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge(
                f"The request body is {len(body)} bytes; the limit is "
                f"{settings.API_MAX_BODY_BYTES} bytes."
            )
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Invalid.field("body", f"is not valid JSON ({exc}).") from None
        if b"\\u0000" in body and (path := _nul_path(data)) is not None:
            raise Invalid.field(".".join(path) or "body", NUL_MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
                raise Invalid.field(key.replace("\x00", "\\u0000"), NUL_MESSAGE)
        return super().parse_querydict(data, list_fields, request)
