"""Devices in the Django admin, with "Send a test push": one push to each selected device through
the configured backend (FCM in production), and FCM's answer shown as it came back."""

import datetime

from django.contrib import admin, messages
from django.utils import timezone

from nudges.backends import get_backend
from nudges.backends.base import Push, Status
from nudges.models import Device
from nudges.views import masked

TEST_TITLE = "Test notification"
TEST_BODY = "Sent from the Micromoments admin to check this device."


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "platform", "app_version", "active", "last_seen_at", "address"]
    list_filter = ["platform", "active"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["address", "created_at", "last_seen_at"]
    exclude = ["token", "fid"]  # a push address is a secret: shown masked, never edited
    actions = ["send_test_push"]

    @admin.display(description="Push address")
    def address(self, obj: Device) -> str:
        return masked(obj.fid or obj.token or "")

    @admin.action(description="Send a test push", permissions=["change"])
    def send_test_push(self, request, queryset):
        now = timezone.now()
        devices = list(queryset.order_by("pk")[: get_backend().max_batch])
        pushes = [
            Push(
                nudge_id=None,
                device_id=d.pk,
                platform=d.platform,
                fid=d.fid,
                token=None if d.fid else d.token,
                kind="test",
                title=TEST_TITLE,
                body=TEST_BODY,
                deep_link="micromoments://today",
                expires_at=now + datetime.timedelta(minutes=10),
            )
            for d in devices
            if d.fid or d.token
        ]
        outcomes = get_backend().send(pushes, now=now) if pushes else []
        for push, outcome in zip(pushes, outcomes, strict=True):
            answer = (
                outcome.message_id
                if outcome.status == Status.SENT
                else (f"{outcome.error_code or outcome.status}: {outcome.detail}".strip(": "))
            )
            self.message_user(
                request,
                f"Device {push.device_id}: {outcome.status} — {answer}",
                messages.SUCCESS if outcome.status == Status.SENT else messages.ERROR,
            )
