"""The nudges API's shapes. Input types are strict (a JSON string is not a number, nor a boolean);
ranges, formats and the fit between windows and quiet hours are checked by nudges.preferences."""

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, StrictStr


class QuietHours(Schema):
    model_config = {"extra": "forbid"}

    start: StrictStr = Field(..., description="Local time HH:MM, e.g. 21:00.", examples=["21:00"])
    end: StrictStr = Field(
        ...,
        description="Local time HH:MM; may be before start (wraps midnight).",
        examples=["08:00"],
    )


class NudgeWindow(Schema):
    """A dead-time window (e.g. the commute) in local time, within one day, outside quiet hours."""

    model_config = {"extra": "forbid"}

    days: list[StrictInt] = Field(
        ..., description="0 = Monday … 6 = Sunday.", examples=[[0, 1, 2, 3, 4]]
    )
    start: StrictStr = Field(..., description="Local time HH:MM.", examples=["08:00"])
    end: StrictStr = Field(..., description="Local time HH:MM, after start.", examples=["08:40"])


class PreferencesOut(Schema):
    timezone: str
    quiet_hours: QuietHours
    windows: list[NudgeWindow]
    daily_cap: int
    weekends: bool
    nudges_enabled: bool


class PreferencesPatch(Schema):
    """Any of the preferences; fields left out keep their value. `windows` replaces the whole list."""

    model_config = {"extra": "forbid"}

    timezone: StrictStr | None = Field(None, description="IANA name, e.g. Europe/Berlin.")
    quiet_hours: QuietHours | None = None
    windows: list[NudgeWindow] | None = None
    daily_cap: StrictInt | None = Field(None, description="Nudges a day at most, 0–10.")
    weekends: StrictBool | None = Field(None, description="Nudge on Saturdays and Sundays too.")
    nudges_enabled: StrictBool | None = None
