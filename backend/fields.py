"""Input field types shared by the API's schemas: bounded ids and text that is really text.

Every id is a PostgreSQL bigint: one past 2**63 - 1 used to reach the query and fail there (a 500).
Text refuses blank values where one is needed and the control characters no title should hold.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# C0 controls but tab and newline, DEL, and C1 controls: invisible, and breaking CSV, logs and UIs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def _no_controls(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", "must not contain control characters")
    return value


def _one_line(value: str) -> str:
    if _LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "must be on one line")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


def Text(*, max_length: int, required: bool = True, one_line: bool = False, **field):
    """A strict string type: no control characters, within `max_length`, not blank if required,
    without tabs or newlines if `one_line` (titles, names, tokens)."""
    validators = [AfterValidator(_no_controls)]
    if one_line:
        validators.append(AfterValidator(_one_line))
    if required:
        validators.append(AfterValidator(_not_blank))
        # Told to clients and fuzzers; checked above with a plainer message than a pattern's.
        field.setdefault("json_schema_extra", {"pattern": r"\S"})
    return Annotated[
        StrictStr,
        Field(max_length=max_length, min_length=1 if required else 0, **field),
        *validators,
    ]
