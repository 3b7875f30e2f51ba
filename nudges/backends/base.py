"""The push backend interface: what the sender hands a backend, and what it hears back per message.

Backends follow Django's EMAIL_BACKEND pattern (chosen by settings.NUDGES_PUSH_BACKEND): `send()`
takes at most `max_batch` pushes and answers one `Outcome` per push, in order. A backend never
raises for a per-message failure; it reports it, so one bad device does not fail the batch.
"""

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Push:
    """One notification for one device: a nudge's text addressed to what the device registered."""

    nudge_id: int | None  # None: an administrator's test push (nudges.admin)
    device_id: int
    platform: str
    # Exactly one is set: the Firebase installation id when the device registered one (the
    # non-deprecated address), else its registration token.
    fid: str | None
    token: str | None
    kind: str
    title: str
    body: str
    deep_link: str
    expires_at: datetime.datetime

    @property
    def tag(self) -> str:
        """Android notification tag and apns-collapse-id: a resent nudge replaces, never repeats."""
        return f"nudge-{self.nudge_id}" if self.nudge_id else f"test-{self.device_id}"

    @property
    def address(self) -> str:
        return self.fid or self.token or ""

    @property
    def data(self) -> dict[str, str]:
        """The data payload (FCM wants strings): the app reports the open with `nudge_id`."""
        return {
            "nudge_id": str(self.nudge_id or ""),
            "kind": self.kind,
            "deep_link": self.deep_link,
        }

    def ttl_seconds(self, now: datetime.datetime) -> int:
        """How long FCM may hold it: until the nudge's moment has passed, so it is never late."""
        return max(0, int((self.expires_at - now).total_seconds()))


class Status(enum.StrEnum):
    SENT = "sent"
    UNREGISTERED = "unregistered"  # the app instance is gone: deactivate the device
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (an outcome, not a secret): deactivate the device
    RETRYABLE = "retryable"  # quota, unavailable, internal, dropped connection: try again later
    FAILED = "failed"  # anything else: retrying will not help


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    message_id: str = ""
    error_code: str = ""
    detail: str = ""
    retry_after: float | None = None  # seconds the provider asked us to wait (Retry-After)

    @classmethod
    def sent(cls, message_id: str) -> "Outcome":
        return cls(Status.SENT, message_id=message_id)


class PushBackend:
    """Sends pushes. Subclasses implement `send`; `max_batch` bounds one call (FCM's is 500)."""

    max_batch = 500

    def __init__(self, **kwargs) -> None:
        pass

    def send(self, pushes: Sequence[Push], *, now: datetime.datetime) -> list[Outcome]:
        raise NotImplementedError


def payload(push: Push, *, now: datetime.datetime) -> dict:
    """The push as FCM's HTTP v1 `message` JSON (what the console backend stores and shows)."""
    ttl = push.ttl_seconds(now)
    return {
        ("fid" if push.fid else "token"): push.address,
        "notification": {"title": push.title, "body": push.body},
        "data": push.data,
        "android": {
            "collapse_key": push.kind,
            "priority": "high",
            "ttl": f"{ttl}s",
            "notification": {"tag": push.tag},
        },
        "apns": {"headers": apns_headers(push)},
        "webpush": {"headers": webpush_headers(push, now=now), "notification": {"tag": push.tag}},
    }


def apns_headers(push: Push) -> dict[str, str]:
    return {
        "apns-collapse-id": push.tag,
        # APNs drops the notification after this moment instead of delivering it late.
        "apns-expiration": str(int(push.expires_at.timestamp())),
        # 10: deliver now. The planner already chose the moment (a dead-time window).
        "apns-priority": "10",
        "apns-push-type": "alert",
    }


def webpush_headers(push: Push, *, now: datetime.datetime) -> dict[str, str]:
    return {"TTL": str(push.ttl_seconds(now)), "Urgency": "normal"}
