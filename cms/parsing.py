"""How the API reads a request: JSON bodies within a size limit, and no NUL anywhere.

PostgreSQL cannot store a NUL in text, so one that reached a query was a 500; here it is a 422
naming the field, on SQLite as on PostgreSQL. Invalid JSON is a 422 on `body`, the one shape.
An operation whose items are parsed one by one (POST /events) checks NULs in each item itself.
"""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from cms.errors import Invalid, PayloadTooLarge, UnsupportedMediaType


def nul_path(
    value: Any, path: tuple[str, ...] = (), *, skip_items_of: str | None = None
) -> tuple[str, ...] | None:
    """The path of the first string (or key) holding a NUL, or None.

    `skip_items_of`: a top-level key whose list's items are not looked into (their own parser does).
    """
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return (*path, key.replace("\x00", "\\u0000"))
            if key == skip_items_of and not path and isinstance(item, list):
                continue
            if (found := nul_path(item, (*path, key))) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := nul_path(item, (*path, str(index)))) is not None:
                return found
    return None


NUL_MESSAGE = "must not contain a NUL character (\\u0000)."

# Operation (its URL name) → the body's key holding items parsed one by one, each rejecting a NUL
# of its own so that one bad item does not cost the others.
_ITEMISED: dict[str, str] = {}


def parse_items_one_by_one(url_name: str, key: str) -> None:
    """Leave NULs inside the items of `body[key]` of this operation to the operation's own parser."""
    _ITEMISED[url_name] = key


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if not (content_type == "application/json" or content_type.endswith("+json")):
            # A form or multipart body would be read again as such by layers that look at
            # request.POST (django-axes on sign-in): refuse it before anything does.
            raise UnsupportedMediaType(
                f"Send the request body as JSON (Content-Type: application/json), not "
                f"{content_type or 'no Content-Type'}."
            )
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
        match = getattr(request, "resolver_match", None)
        itemised = _ITEMISED.get(match.url_name) if match is not None else None
        if b"\\u0000" in body and (path := nul_path(data, skip_items_of=itemised)) is not None:
            raise Invalid.field(".".join(path) or "body", NUL_MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
                raise Invalid.field(key.replace("\x00", "\\u0000"), NUL_MESSAGE)
        return super().parse_querydict(data, list_fields, request)
