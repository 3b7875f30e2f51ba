"""Who is signing in, and how often they may fail: the client's address (one rule for the API's
throttles and django-axes), the API's failure throttles, and django-axes' glue for the admin logins.
"""

import hashlib
import ipaddress
import math
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.throttling import SimpleRateThrottle

from cms.errors import Throttled

_API_SIGNIN = "_micromoments_api_signin"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, trusting X-Forwarded-For only as far as our own proxies wrote it.

    With TRUSTED_PROXY_COUNT = N the last N hops of the header come from our proxies, so the Nth
    from the right is the address the outermost proxy saw; anything left of it is the client's
    own say. A header too short, or not an address there, means the request did not come through
    our proxies: the peer address is then the only thing known.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count == 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",")]
    if len(hops) < count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote_addr


# --- The API's sign-in (POST /auth/token) ----------------------------------------------------------


class FailedSignInThrottle(SimpleRateThrottle):
    """Counts failed sign-ins per key with ninja's throttle history: per username, per client
    address, or per the pair.

    Only failures are recorded; once the history is full every attempt for that key is refused,
    the right password included, until the window moves on.
    """

    # A rate is always given, so ninja's "no rate, no limit" Nones never happen here.
    num_requests: int
    duration: int
    # time.time is a builtin and never bound as a method; staticmethod tells mypy so.
    timer = staticmethod(time.time)

    def __init__(self, rate: str, *, per: str, scope: str = "signin_failures"):
        super().__init__(rate)
        self.per = per  # "username" | "address" | "username_address"
        self.scope = scope  # each use (sign-in, SSO sign-in, password links) counts apart

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_address(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        username = (getattr(request, "_signin_username", "") or "").strip().lower()
        address = self.get_ident(request) or ""
        parts = {
            "username": [username],
            "address": [address],
            "username_address": [username, address],
        }[self.per]
        if not all(parts):
            return None
        # The username is the client's text: hashed, it is neither part of the key's structure
        # nor a character a cache refuses (spaces, controls), whatever its length.
        ident = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
        return f"{self.scope}_{self.per}_{ident}"

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

    def forget(self, request: HttpRequest) -> None:
        if (key := self.get_cache_key(request)) is not None:
            self.cache.delete(key)


def refuse_when_throttled(
    request: HttpRequest, throttles: list[FailedSignInThrottle], *, attempts: str
) -> None:
    """Throttled (429, with the longest wait) when any of `throttles` has used up its history."""
    waits = [w for throttle in throttles if (w := throttle.retry_after(request)) is not None]
    if waits:
        wait = max(waits)
        raise Throttled(f"Too many {attempts}: try again in {wait} seconds.", retry_after=wait)


def api_signin_throttles() -> list[FailedSignInThrottle]:
    """Tight per (username, address), so one address cannot lock the person out for everyone;
    loose per username, for a guess spread over many addresses; per address, for one address
    trying many usernames."""
    return [
        FailedSignInThrottle(
            settings.API_SIGNIN_FAILURES_PER_USERNAME_ADDRESS, per="username_address"
        ),
        FailedSignInThrottle(settings.API_SIGNIN_FAILURES_PER_USERNAME, per="username"),
        FailedSignInThrottle(settings.API_SIGNIN_FAILURES_PER_ADDRESS, per="address"),
    ]


def authenticate_api_signin(request: HttpRequest, *, username: str, password: str):
    """Django's authenticate() for the API: its throttles above count the failures, so axes,
    which guards the admin logins, is told to leave this attempt alone (no double count)."""
    setattr(request, _API_SIGNIN, True)
    return authenticate(request, username=username, password=password)


# --- django-axes, for the admin sign-in pages (/cms/login/, /django-admin/login/) ------------------


def axes_ignores(request: HttpRequest | None, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: axes neither blocks nor counts the API's own sign-ins."""
    return bool(getattr(request, _API_SIGNIN, False))


class AxesBackend(AxesStandaloneBackend):
    """Axes' lockout check, first in AUTHENTICATION_BACKENDS, for calls that come with a request.

    An authenticate() without a request (a shell, a management command, a test's check of a demo
    password) has no client to lock out; axes' own backend raises there, this one passes it on.
    Every login page and POST /auth/token pass their request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a plain page saying what happened and when to try again, as 429.

    Each attempt during a lockout starts the cool-off again (axes' default), so the full cool-off
    is the honest wait.
    """
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "signin/locked_out.html",
        {"cool_off_minutes": math.ceil(cool_off / 60), "login_url": request.path},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(cool_off)
    return response
