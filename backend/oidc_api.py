"""POST /auth/token/oidc: the app exchanges an ID token from the company's identity provider for
the same bearer token POST /auth/token gives for a password.

Failed attempts are throttled per client address (API_OIDC_SIGNIN_FAILURES_PER_ADDRESS), in their
own history: a run of stale tokens does not lock the address out of password sign-in, nor the
reverse. An issuer that does not answer is 503 and counts as no failure.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from backend import oidc
from backend.auth import TokenOut, issue_token
from backend.signin import FailedSignInThrottle, refuse_when_throttled
from cms.errors import NotFound, Unauthorized, Unavailable, error_responses
from cms.fields import Text

# A JWT is three base64url parts; Entra ID's tokens with many groups reach ~8 KB.
JWT_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
MAX_ID_TOKEN_LENGTH = 16_384


class OidcTokenIn(Schema):
    id_token: Text(  # type: ignore[valid-type]  # an Annotated alias, as cms.fields builds them
        max_length=MAX_ID_TOKEN_LENGTH,
        pattern=JWT_PATTERN,
        description="The ID token the identity provider gave the app (a signed JWT).",
    )
    device_name: Text(max_length=200, description="e.g. 'Dana's iPhone'.")  # type: ignore[valid-type]


def failed_oidc_signin_throttle() -> FailedSignInThrottle:
    """Failed SSO sign-ins per client address, in a history of their own."""
    return FailedSignInThrottle(
        settings.API_OIDC_SIGNIN_FAILURES_PER_ADDRESS, per="address", scope="oidc_signin_failures"
    )


router = Router(tags=["auth"])


@router.post(
    "/auth/token/oidc",
    auth=None,
    response={200: TokenOut, **error_responses(401, 404, 503)},
    summary="Sign in with single sign-on",
    operation_id="auth_oidc_token",
    openapi_extra={
        "responses": {
            401: {"description": "The ID token failed a check (named), or no active account."},
            404: {"description": "Single sign-on is not configured on this server."},
            503: {"description": "The issuer's discovery document or keys cannot be fetched."},
        }
    },
)
def sign_in_with_oidc(request: HttpRequest, payload: OidcTokenIn):
    """Exchange an OpenID Connect ID token from the configured issuer for a bearer token for this
    device. 401 says which check failed (signature, audience, issuer, expiry, email) or that no
    active account matches; 404 when single sign-on is not configured; 503 when the issuer's
    discovery document or keys cannot be fetched."""
    if not oidc.app_sso_configured():
        raise NotFound("Single sign-on is not configured.")
    throttle = failed_oidc_signin_throttle()
    refuse_when_throttled(request, [throttle], attempts="sign-in attempts")
    now = timezone.now()
    try:
        claims = oidc.verify_id_token(payload.id_token)
        with transaction.atomic():
            person = oidc.person_for(claims, now=now)
    except oidc.SignInRefused as refusal:
        throttle.record_failure(request)
        raise Unauthorized(str(refusal)) from None
    except oidc.ProviderUnavailable:
        raise Unavailable(
            "The sign-in provider cannot be reached: try again later.", retry_after=30
        ) from None
    # issue_token records the sign-in as the person's last login (the first SSO sign-in too).
    issued = issue_token(person.user, device_name=payload.device_name, now=now)
    return {"token": issued.token, "expires_at": issued.expires_at}
