"""POST /devices and DELETE /devices/{id}: where the app tells us how to reach this phone."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from wagtail.models import APIToken

from cms.errors import Invalid, NotFound, error_responses
from cms.fields import Id
from nudges.devices import register_device, remove_device
from nudges.schemas import DeviceIn, DeviceOut

router = Router(tags=["nudges"])


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
        # Signing out with this token (DELETE /auth/token) stops this device's pushes.
        api_token=auth if isinstance(auth := getattr(request, "auth", None), APIToken) else None,
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
