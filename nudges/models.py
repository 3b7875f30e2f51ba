"""Devices and nudge preferences (the nudge pipeline's own rows come with the nudges issue)."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_QUIET_START = datetime.time(21, 0)
DEFAULT_QUIET_END = datetime.time(8, 0)


def default_windows() -> list[dict]:
    """Weekday commute and lunch: the dead time most people have."""
    return [
        {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "08:40"},
        {"days": [0, 1, 2, 3, 4], "start": "12:30", "end": "13:00"},
    ]


class NudgePreferences(models.Model):
    """When a learner may be nudged, in their own local time (their time zone is on the Learner)."""

    learner = models.OneToOneField(
        "learning.Learner", on_delete=models.CASCADE, related_name="nudge_preferences"
    )
    nudges_enabled = models.BooleanField(default=True)
    quiet_start = models.TimeField(default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(default=DEFAULT_QUIET_END)
    # [{"days": [0..6] (0 = Monday), "start": "HH:MM", "end": "HH:MM"}, ...], validated by preferences.py.
    windows = models.JSONField(default=default_windows, blank=True)
    daily_cap = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    weekends = models.BooleanField(default=False, help_text="Nudge on Saturdays and Sundays too.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "nudge preferences"

    def __str__(self) -> str:
        return f"Nudge preferences of {self.learner}"
