"""Bearer tokens for the mobile app, built on Wagtail's APIToken (hashed, prefixed, revocable).

One token per device (its name is the device name). Tokens expire after API_TOKEN_TTL without use:
every authenticated request slides the expiry forward (Wagtail records `last_used_at`). Changing a
password revokes every token of that person; deactivating them does too (learning.people.accounts).
Every sign-in through a token records the user's last login; signing out stops that device's pushes.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from structlog.contextvars import bind_contextvars
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from backend.signin import api_signin_throttles, authenticate_api_signin, refuse_when_throttled
from backend.token_read import live_token
from cms.errors import Unauthorized, error_responses
from nudges.devices import sign_out_devices


def token_expires_at(token: APIToken) -> datetime.datetime:
    return (token.last_used_at or token.created) + settings.API_TOKEN_TTL


class LearnerTokenAuth(BearerTokenAuth):
    """Wagtail's bearer auth (its digest lookup and its throttled `last_used_at` touch), refusing
    tokens unused for longer than API_TOKEN_TTL.

    Wagtail's own authenticate() touches `last_used_at` before returning, so an expiry judged after
    it would refuse an expired token once and accept it from then on: the expiry is judged here on
    the stored value, and an expired token touches nothing.

    The one read of every authenticated request (backend.token_read): the token with its user,
    the user's learner profile and manager, which learning.learners reads from the request instead
    of asking again. `last_used_at` is written at most once per WAGTAILAPI_TOKEN_LAST_USED_INTERVAL
    (an hour), which the sliding 30-day expiry allows.
    """

    def authenticate(self, request, token: str):
        api_token = live_token(APIToken.candidate_key_hashes(token))
        if (
            api_token is None
            or not api_token.user.is_active
            or token_expires_at(api_token) <= timezone.now()
        ):
            # Like Wagtail: a session cookie must not stand in for a refused token.
            request.user = AnonymousUser()
            return None
        request.user = api_token.user
        # The token read brought the learner profile along: its id goes on each log line.
        learner = api_token.user._state.fields_cache.get("learner")
        bind_contextvars(user_id=api_token.user_id, learner_id=getattr(learner, "pk", None))
        self._touch_last_used(api_token)
        return api_token


class SignOutOnPasswordChange:
    """A password validator that validates nothing: Django calls `password_changed()` on every
    configured validator whenever a user's new password is saved (set_password() then save(),
    which the admin forms, `changepassword` and any reset flow all do), the one hook all of them
    share. A hasher upgrade on sign-in re-saves the hash without calling it: tokens survive that.
    """

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            APIToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )

    def get_help_text(self) -> str:
        return "Changing the password signs the mobile app out on every device."


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime.datetime


def issue_token(user, *, device_name: str, now: datetime.datetime) -> IssuedToken:
    """A new token for this user and device; an older token of the same device is revoked.

    Every way into the app (password, SSO, a password link) ends here, so this is where the sign-in
    is recorded as the user's last login (the manager's "never signed in" reads it).
    """
    APIToken.objects.filter(user=user, name=device_name, revoked_at__isnull=True).update(
        revoked_at=now
    )
    type(user)._default_manager.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
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


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text (a 500 if it reached a query), and a newline or an escape in a
    # name would land in the admin's token list and in logs.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise PydanticCustomError("control_character", "must not contain control characters")
    return value


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=1024)
    device_name: str = Field(..., min_length=1, max_length=200, description="e.g. 'Dana's iPhone'.")

    @field_validator("username", mode="after")
    @classmethod
    def _username(cls, value: str) -> str:
        return _no_control_characters(value)

    @field_validator("password", mode="after")
    @classmethod
    def _password(cls, value: str) -> str:
        # Any other character may be in a password; NUL is refused as Django's forms refuse it.
        if "\x00" in value:
            raise PydanticCustomError("null_character", "must not contain a NUL character")
        return value

    @field_validator("device_name", mode="after")
    @classmethod
    def _device_name(cls, value: str) -> str:
        value = _no_control_characters(value).strip()
        if not value:
            raise PydanticCustomError("blank", "must not be blank")
        return value


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


router = Router(tags=["auth"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, **error_responses(401)},
    summary="Sign in",
)
def sign_in(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a bearer token for this device."""
    request._signin_username = payload.username  # type: ignore[attr-defined]  # for the throttles' keys
    throttles = api_signin_throttles()
    refuse_when_throttled(request, throttles, attempts="sign-in attempts")
    user = authenticate_api_signin(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        for throttle in throttles:
            throttle.record_failure(request)
        raise Unauthorized("Wrong username or password.")
    # A typo or two before the right password should not count towards this pair's lockout.
    # Only the pair: resetting the per-username or per-address counts would let a signed-in
    # attacker wipe the traces of guesses at other accounts.
    for throttle in throttles:
        if throttle.per == "username_address":
            throttle.forget(request)
    issued = issue_token(user, device_name=payload.device_name, now=timezone.now())
    return {"token": issued.token, "expires_at": issued.expires_at}


@router.delete("/auth/token", response={204: None}, summary="Sign out")
def sign_out(request: HttpRequest):
    """Revoke the token this request was made with; the devices registered with it get no more
    pushes (a shared phone must not get the last person's nudges) until the app registers again."""
    now = timezone.now()
    token = request.auth  # type: ignore[attr-defined]  # set by ninja
    revoke_token(token, now=now)
    sign_out_devices(token, now=now)
    return Status(204, None)
