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


class Platform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"
    WEB = "web", "Web"


class Device(models.Model):
    """A phone (or browser) that can receive pushes: an FCM registration token or a Firebase installation id.

    firebase-admin 7.7 deprecates registration tokens in favour of installation ids (`Message.fid`):
    the app sends whichever it has, and we send to each device with what it registered.
    """

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="devices")
    token = models.CharField(max_length=512, null=True, blank=True, unique=True)
    fid = models.CharField(
        "Firebase installation id", max_length=255, null=True, blank=True, unique=True
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    app_version = models.CharField(max_length=32, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=64, blank=True)
    last_seen_at = models.DateTimeField()
    # The app's sign-in this device registered under: signing out with it (DELETE /auth/token)
    # stops pushes here, so a shared phone does not get the last person's nudges.
    api_token = models.ForeignKey(
        "wagtailcore.APIToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(token__isnull=False) | models.Q(fid__isnull=False),
                name="device_has_an_address",
            )
        ]
        indexes = [models.Index(fields=["user", "active"], name="device_user_active")]

    def __str__(self) -> str:
        address = self.fid or self.token or ""
        return f"{self.get_platform_display()} device {address[:12]}… of {self.user}"


class Nudge(models.Model):
    """One push a learner should get, planned for a moment in UTC; sent at most once."""

    class Kind(models.TextChoices):
        PRACTICE_DUE = "practice_due", "Practice due"
        STEP_UNLOCKED = "step_unlocked", "Journey step unlocked"
        DEADLINE = "deadline", "Deadline tomorrow"
        REENGAGE = "reengage", "Re-engage a drifting learner"
        WEEKLY_DIGEST = "weekly_digest", "Manager's weekly digest"
        CONFIRMATION = "confirmation", "A step waits for the buddy's confirmation"
        CELEBRATION = "celebration", "A moment to celebrate"

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"
        EXPIRED = "expired", "Expired"

    learner = models.ForeignKey("learning.Learner", on_delete=models.CASCADE, related_name="nudges")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Unique: the same nudge is never planned twice (bulk_create(ignore_conflicts=True) relies on it).
    dedupe_key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=240)
    deep_link = models.CharField(max_length=255)
    window = models.CharField(
        max_length=32, blank=True, help_text="The dead-time window chosen, e.g. 'mon-08:00'."
    )
    planned_for = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a sender moved it to `sending`
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    provider_message_ids = models.JSONField(default=list, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "planned_for"], name="nudge_due"),
            models.Index(fields=["state", "claimed_at"], name="nudge_claimed"),
            models.Index(fields=["learner", "planned_for"], name="nudge_learner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.learner} at {self.planned_for:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """What happened to one nudge on one device (FCM answers per message)."""

    class State(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNREGISTERED = "unregistered", "Token no longer valid"

    nudge = models.ForeignKey(Nudge, on_delete=models.CASCADE, related_name="deliveries")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=State.choices)
    message_id = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nudge", "device"], name="one_delivery_per_device")
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.nudge_id} → {self.device_id}: {self.state}"


class OutboxMessage(models.Model):
    """What the console/outbox push backend would have sent (the quick-start has no Firebase)."""

    nudge = models.ForeignKey(Nudge, null=True, on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey(Device, null=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(max_length=512)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Outbox message {self.pk} at {self.created_at:%Y-%m-%d %H:%M}"
