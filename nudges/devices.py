"""Devices: register or refresh the address (FCM token or Firebase installation id) a phone
sends, and remove it. An address is one phone: if another user registers it, it moves to them.
A device remembers the sign-in (API token) it registered under: signing out stops its pushes."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from nudges.models import Device


@dataclass(frozen=True)
class Registration:
    device: Device
    created: bool  # new for this user (a brand-new row, or one moved from another user)


def register_device(
    user,
    *,
    token: str | None = None,
    fid: str | None = None,
    platform: str,
    app_version: str = "",
    locale: str = "",
    api_token=None,
    now: datetime.datetime,
) -> Registration:
    """Register the address for `user`, or refresh it: seen now, active again, details updated,
    tied to `api_token` (the wagtail APIToken the request came with; None from a session)."""
    if not token and not fid:
        raise ValueError("A device needs a token or a fid.")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _register(
                    user,
                    token=token or None,
                    fid=fid or None,
                    platform=platform,
                    app_version=app_version,
                    locale=locale,
                    api_token=api_token,
                    now=now,
                )
        except IntegrityError:
            # Another request registered the same address between our lookup and insert:
            # the second pass finds its row and refreshes it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _register(user, *, token, fid, platform, app_version, locale, api_token, now) -> Registration:
    match = Q(pk__in=[])
    if token:
        match |= Q(token=token)
    if fid:
        match |= Q(fid=fid)
    rows = list(Device.objects.select_for_update().filter(match).order_by("pk"))
    # The app may send both a token and a fid that we know as two rows: keep the fid's row.
    device = next((d for d in rows if fid and d.fid == fid), rows[0] if rows else None)
    for other in rows:
        if other is device:
            continue
        if other.fid and other.fid != fid:
            other.token = None  # the token moved to `device`; the other keeps its fid
            other.save(update_fields=["token"])
        else:
            other.delete()
    created = device is None or device.user_id != user.pk
    if device is None:
        device = Device(user=user)
    device.user = user
    if token:
        device.token = token
    if fid:
        device.fid = fid
    device.platform = platform
    device.app_version = app_version
    device.locale = locale
    device.active = True
    device.deactivated_reason = ""
    device.last_seen_at = now
    device.api_token = api_token
    device.save()
    return Registration(device=device, created=created)


def remove_device(user, device_id: int) -> bool:
    """Forget one of the user's devices; False when it is not theirs (or not there)."""
    deleted, _ = Device.objects.filter(pk=device_id, user=user).delete()
    return bool(deleted)


SIGNED_OUT = "signed out"


def sign_out_devices(api_token, *, now: datetime.datetime) -> int:
    """The app signed out with `api_token`: the devices registered under it get no more pushes
    (the next person signing in on a shared phone registers it again). Returns how many."""
    return Device.objects.filter(api_token=api_token, active=True).update(
        active=False, deactivated_reason=SIGNED_OUT
    )
