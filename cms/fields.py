"""Input field types of every API schema: bounded ids, times with an offset, and text that is text.

Bodies are strict on purpose ("5" is not 5, `true` is not 1); path and query parameters arrive as
strings, so their ids are lax. Each type's limits are pydantic constraints, so the OpenAPI shows them.
Lives in cms, the lowest app, so every app (and the project) can use it.
"""

import datetime
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1  # PostgreSQL's bigint: a larger id names nothing and must not reach a query

Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # in a path or a query
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]  # in a JSON body


def _iso_string(value: Any) -> Any:
    # pydantic would read a number as a Unix time; the contract is ISO 8601 with an offset.
    if not isinstance(value, str):
        raise PydanticCustomError("iso_datetime", "must be an ISO 8601 date-time string")
    return value


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime", "needs a UTC offset, e.g. 2026-11-23T08:15:00+01:00 or …Z"
        )
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:  # year 1 at +14:00 lies before the calendar once in UTC
        raise PydanticCustomError("datetime_range", "is not a time that exists in UTC") from None


# How old or how far ahead a time may be depends on `now`: the domain function judges that.
AwareTime = Annotated[datetime.datetime, BeforeValidator(_iso_string), AfterValidator(_in_utc)]


def _iso_date_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("iso_date", "must be an ISO 8601 date string (YYYY-MM-DD)")
    return value


# A calendar day in a body, as "2026-03-09"; how far ahead is the domain's to judge.
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_string)]


def without_controls(*, allowed: str = "") -> AfterValidator:
    """Refuse control characters (but those `allowed`) and lone surrogates, which PostgreSQL cannot
    encode: they have no business in a title, a name or a token."""

    def check(value: str) -> str:
        for char in value:
            if char not in allowed and unicodedata.category(char) in {"Cc", "Cs"}:
                raise PydanticCustomError(
                    "control_character",
                    "must not contain control characters (found U+{code})",
                    {"code": f"{ord(char):04X}"},
                )
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    value = value.strip()  # str.strip knows Unicode's spaces: NBSP, em space, …
    if not value:
        raise PydanticCustomError("blank", "must not be blank")
    return value


not_blank = AfterValidator(_not_blank)


def Text(*, max_length: int, required: bool = True, **field):
    """A strict one-line string: no control characters (tabs and newlines included), within
    `max_length`, and, if `required`, not blank (surrounding spaces are dropped)."""
    validators = [without_controls()]
    if required:
        validators.append(not_blank)
        # Told to clients and fuzzers; checked by not_blank with a plainer message than a pattern's.
        field.setdefault("json_schema_extra", {"pattern": r"\S"})
    return Annotated[
        StrictStr,
        Field(max_length=max_length, min_length=1 if required else 0, **field),
        *validators,
    ]
