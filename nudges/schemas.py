"""The nudges API's shapes. Input types are strict (a JSON string is not a number, nor a boolean);
ranges, formats and the fit between windows and quiet hours are checked by nudges.preferences.
Outputs read the domain objects (NudgePreferences, Device) directly."""

import datetime
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, StrictStr

from cms.fields import Text
from nudges.preferences import format_time

HHMM = r"^([01]\d|2[0-3]):([0-5]\d)$"


class QuietHours(Schema):
    model_config = {"extra": "forbid"}

    start: StrictStr = Field(
        ..., description="Local time HH:MM, e.g. 21:00.", examples=["21:00"], pattern=HHMM
    )
    end: StrictStr = Field(
        ...,
        description="Local time HH:MM; may be before start (wraps midnight).",
        examples=["08:00"],
        pattern=HHMM,
    )


class NudgeWindow(Schema):
    """A dead-time window (e.g. the commute) in local time, within one day, outside quiet hours."""

    model_config = {"extra": "forbid"}

    days: list[Annotated[StrictInt, Field(ge=0, le=6)]] = Field(
        ..., description="0 = Monday … 6 = Sunday.", examples=[[0, 1, 2, 3, 4]], max_length=7
    )
    start: StrictStr = Field(..., description="Local time HH:MM.", examples=["08:00"], pattern=HHMM)
    end: StrictStr = Field(
        ..., description="Local time HH:MM, after start.", examples=["08:40"], pattern=HHMM
    )


# Read from a NudgePreferences whose `learner` is set (get_preferences sets it): the time zone is theirs.
class PreferencesOut(Schema):
    timezone: str
    quiet_hours: QuietHours
    windows: list[NudgeWindow]
    daily_cap: int
    weekends: bool
    nudges_enabled: bool

    @staticmethod
    def resolve_timezone(preferences) -> str:
        return preferences.learner.timezone

    @staticmethod
    def resolve_quiet_hours(preferences) -> dict:
        return {
            "start": format_time(preferences.quiet_start),
            "end": format_time(preferences.quiet_end),
        }


def _optional(description: str | None = None, **kwargs):
    # Left out = unchanged; `null` is refused (422), as the schema says: no field is nullable, none
    # is required, and no default is advertised.
    return Field(
        None,
        description=description,
        json_schema_extra=lambda schema: schema.pop("default", None),
        **kwargs,
    )


class PreferencesPatch(Schema):
    """Any of the preferences; fields left out keep their value, `null` is refused (422).
    `windows` replaces the whole list."""

    model_config = {"extra": "forbid"}

    timezone: StrictStr = _optional("IANA name, e.g. Europe/Berlin.", max_length=64)
    quiet_hours: QuietHours = _optional("Local hours with no nudge at all.")
    windows: list[NudgeWindow] = _optional(
        "Dead-time windows; replaces the whole list.", max_length=12
    )
    daily_cap: StrictInt = _optional("Nudges a day at most, 0–10.", ge=0, le=10)
    weekends: StrictBool = _optional("Nudge on Saturdays and Sundays too.")
    nudges_enabled: StrictBool = _optional()


if TYPE_CHECKING:
    # mypy reads no call in an annotation; to it each of these is the str it validates to.
    _Token: TypeAlias = str
    _Fid: TypeAlias = str
    _AppVersion: TypeAlias = str
    _Locale: TypeAlias = str
else:
    _Token = Text(max_length=512)
    _Fid = Text(max_length=255)
    _AppVersion = Text(max_length=32, required=False)
    _Locale = Text(max_length=16, required=False)


class DeviceIn(Schema):
    model_config = {"extra": "forbid"}

    token: _Token | None = Field(None, description="FCM registration token (deprecated).")
    fid: _Fid | None = Field(None, description="Firebase installation id (preferred).")
    platform: Literal["ios", "android", "web"]
    app_version: _AppVersion = Field("", examples=["3.4.1"])
    locale: _Locale = Field("", examples=["en-GB"])


class DeviceOut(Schema):
    id: int
    platform: str
    active: bool
    last_seen_at: datetime.datetime
