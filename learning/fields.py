"""Strict field types of the learning request bodies: ids, times and text the database can hold.

Strict on purpose: "5" is not 5 and `true` is not 1 in a body (query parameters stay lax: they
arrive as strings). Each type's limits are pydantic constraints, so the OpenAPI shows them.
"""

import datetime
import unicodedata
from typing import Annotated, Any

from ninja import Field
from pydantic import AfterValidator, BeforeValidator, StrictInt
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1  # PostgreSQL's bigint: a larger id names nothing and must not reach a query

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


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


def without_controls(*, allowed: str = "") -> AfterValidator:
    """Refuse control characters (but those `allowed`) and lone surrogates, which PostgreSQL cannot
    encode: they have no business in a title or a comment."""

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
