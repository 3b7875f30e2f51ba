"""Bearer tokens for the mobile app, built on Wagtail's APIToken (hashed, prefixed, revocable).

One token per device (its name is the device name). Tokens expire after API_TOKEN_TTL without use:
every authenticated request slides the expiry forward (Wagtail records `last_used_at`).
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.throttling import SimpleRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken


def token_expires_at(token: APIToken) -> datetime.datetime:
    return (token.last_used_at or token.created) + settings.API_TOKEN_TTL


class LearnerTokenAuth(BearerTokenAuth):
    """Wagtail's bearer auth, refusing tokens unused for longer than API_TOKEN_TTL."""

    def authenticate(self, request, token: str):
        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        # `last_used_at` was just touched (at most once a minute): judge the expiry on the
        # value before this request, which the instance still carries.
        if token_expires_at(api_token) < timezone.now():
            return None
        return api_token


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime.datetime


def issue_token(user, *, device_name: str, now: datetime.datetime) -> IssuedToken:
    """A new token for this user and device; an older token of the same device is revoked."""
    APIToken.objects.filter(user=user, name=device_name, revoked_at__isnull=True).update(
        revoked_at=now
    )
    plaintext = APIToken.generate_token()
    token = APIToken.objects.create(
        user=user, name=device_name, key_hash=APIToken.hash_token(plaintext), prefix=plaintext[:16]
    )
    APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return IssuedToken(token=plaintext, expires_at=now + settings.API_TOKEN_TTL)


def revoke_token(token: APIToken, *, now: datetime.datetime) -> None:
    APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)


def purge_expired_tokens(*, now: datetime.datetime) -> int:
    """Revoke tokens past their sliding expiry, so the admin lists only live ones."""
    cutoff = now - settings.API_TOKEN_TTL
    stale = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created__lt=cutoff)
    return APIToken.objects.filter(stale, revoked_at__isnull=True).update(revoked_at=now)


# --- Sign-in endpoints ----------------------------------------------------------------------------


class FailedSignInThrottle(SimpleRateThrottle):
    """Counts failed sign-ins per key (a username, or a client address) with ninja's throttle history.

    Only failures are recorded; once the history is full every attempt for that key is refused,
    the right password included, until the window moves on.
    """

    def __init__(self, rate: str, *, per: str):
        super().__init__(rate)
        self.per = per  # "username" | "address"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if self.per == "username":
            ident = (getattr(request, "_signin_username", "") or "").strip().lower()
        else:
            ident = self.get_ident(request) or ""
        return f"signin_failures_{self.per}_{ident}" if ident else None

    def retry_after(self, request: HttpRequest) -> int | None:
        """Seconds to wait when this key has used up its failures, else None. Records nothing."""
        self.key = self.get_cache_key(request)
        if self.key is None:
            return None
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) < self.num_requests:
            return None
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))

    def record_failure(self, request: HttpRequest) -> None:
        if self.retry_after(request) is None and self.key is not None:
            self.throttle_success()  # ninja's name for "append to the history"


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=1024)
    device_name: str = Field(..., min_length=1, max_length=200, description="e.g. 'Dana's iPhone'.")


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


router = Router(tags=["auth"])


def _signin_throttles() -> list[FailedSignInThrottle]:
    return [
        FailedSignInThrottle(settings.API_SIGNIN_FAILURES_PER_ADDRESS, per="address"),
        FailedSignInThrottle(settings.API_SIGNIN_FAILURES_PER_USERNAME, per="username"),
    ]


@router.post("/auth/token", auth=None, response={200: TokenOut}, summary="Sign in")
def sign_in(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a bearer token for this device."""
    request._signin_username = payload.username
    throttles = _signin_throttles()
    waits = [w for throttle in throttles if (w := throttle.retry_after(request)) is not None]
    if waits:
        raise SignInThrottled(max(waits))
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        for throttle in throttles:
            throttle.record_failure(request)
        raise HttpError(401, "Wrong username or password.")
    issued = issue_token(user, device_name=payload.device_name, now=timezone.now())
    return {"token": issued.token, "expires_at": issued.expires_at}


@router.delete("/auth/token", response={204: None}, summary="Sign out")
def sign_out(request: HttpRequest):
    """Revoke the token this request was made with."""
    revoke_token(request.auth, now=timezone.now())
    return Status(204, None)


class SignInThrottled(HttpError):
    def __init__(self, retry_after: int):
        super().__init__(429, f"Too many sign-in attempts: try again in {retry_after} seconds.")
        self.retry_after = retry_after
