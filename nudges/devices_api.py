"""POST /devices and DELETE /devices/{id}: where the app tells us how to reach this phone."""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from cms.errors import Invalid, NotFound, error_responses
from cms.fields import Id, Text
from nudges.devices import register_device, remove_device

router = Router(tags=["nudges"])


class DeviceIn(Schema):
    model_config = {"extra": "forbid"}

    token: Text(max_length=512) | None = Field(
        None, description="FCM registration token (deprecated)."
    )
    fid: Text(max_length=255) | None = Field(
        None, description="Firebase installation id (preferred)."
    )
    platform: Literal["ios", "android", "web"]
    app_version: Text(max_length=32, required=False) = Field("", examples=["3.4.1"])
    locale: Text(max_length=16, required=False) = Field("", examples=["en-GB"])


class DeviceOut(Schema):
    id: int
    platform: str
    active: bool
    last_seen_at: datetime.datetime


@router.post(
    "/devices",
    response={200: DeviceOut, 201: DeviceOut},
    summary="Register or refresh this device's push address",
)
def register(request: HttpRequest, payload: DeviceIn):
    """Send a Firebase installation id (`fid`) or, from older app versions, an FCM registration
    `token`. 201 when the device is new to you (an address someone else had moves to you),
    200 when it refreshes one of yours. Call it on every app start: it keeps the device active."""
    if not payload.token and not payload.fid:
        raise Invalid.field("token", "Send a token or a fid (or both).")
    registration = register_device(
        request.user,
        token=payload.token,
        fid=payload.fid,
        platform=payload.platform,
        app_version=payload.app_version,
        locale=payload.locale,
        now=timezone.now(),
    )
    return Status(201 if registration.created else 200, registration.device)


@router.delete(
    "/devices/{int:device_id}",
    response={204: None, **error_responses(404)},
    summary="Remove a device",
)
def remove(request: HttpRequest, device_id: Id):
    if not remove_device(request.user, device_id):
        raise NotFound("No such device.")
    return Status(204, None)
