"""Single sign-on for the admin (/cms/): mozilla-django-oidc's authorization code flow (with PKCE),
its endpoints read from the issuer's discovery document when a sign-in starts, not from settings.

Only people the admin lets in sign in this way (staff, or Wagtail's access_admin permission: the
Authors, Reviewers and Managers groups); anyone else, a learner included, is sent back to the login
page with Wagtail's own "no permission" message and no session. The person is found exactly as for
the app (backend.oidc.person_for), the ID token checked by the same code for the admin's client id.
"""

import logging

from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from backend import oidc
from backend.signin import axes_ignores as signin_axes_ignores

logger = logging.getLogger(__name__)

_REFUSAL = "_micromoments_oidc_refusal"
UNAVAILABLE = "The sign-in provider cannot be reached: try again later, or use your password."


def may_use_admin(user: AbstractUser) -> bool:
    return bool(user.is_staff or user.has_perm("wagtailadmin.access_admin"))


class AdminOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the endpoints of discovery, our ID token checks and our
    way of finding the person.

    Django builds a backend for every authenticate() and every session's get_user(): its
    __init__ must not ask the issuer anything (mozilla's reads the endpoints from settings and
    requires a JWKS endpoint for RS256), so the endpoints are properties read when a code arrives.
    """

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # mozilla's attribute names
        return self.get_settings("OIDC_RP_CLIENT_ID")

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return self.get_settings("OIDC_RP_CLIENT_SECRET")

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return oidc.endpoint("token_endpoint")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:
        # Optional in discovery (Firebase has none): the ID token's claims then stand alone.
        return oidc.discovery().get("userinfo_endpoint") or None

    def authenticate(self, request, **kwargs):
        # Only the callback view's call (nonce, no password) is ours: a password form posted to a
        # URL with ?code=…&state=… must not start a token exchange.
        if (
            request is None
            or "nonce" not in kwargs
            or "password" in kwargs
            or not oidc.admin_sso_configured()
        ):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except oidc.SignInRefused as refusal:
            logger.info("OIDC admin sign-in refused: %s", refusal)
            setattr(request, _REFUSAL, str(refusal))
        except (oidc.ProviderUnavailable, OSError) as exc:
            # OSError: requests' own errors from mozilla's token and userinfo calls.
            logger.warning("OIDC admin sign-in: the provider failed: %s", exc)
            setattr(request, _REFUSAL, UNAVAILABLE)
        return None

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str):
            raise oidc.SignInRefused(oidc.MALFORMED)
        claims = oidc.verify_id_token(token, audiences=[self.OIDC_RP_CLIENT_ID])
        if claims.get("nonce") != kwargs.get("nonce"):
            raise oidc.SignInRefused("The ID token does not answer this sign-in (nonce).")
        self._id_token_claims = claims
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        if self.OIDC_OP_USER_ENDPOINT is None:
            return dict(payload)
        userinfo = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core §5.3.2: userinfo about anyone else than the ID token's subject is
        # not to be used.
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise oidc.SignInRefused("The provider's user information is for someone else.")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        # A learner made here could never pass the admin's door: the admin creates nobody.
        user = oidc.person_for(claims, now=timezone.now(), may_create=False).user
        if not may_use_admin(user):
            setattr(self.request, _REFUSAL, _("You do not have permission to access the admin"))
            return None
        return user

    def get_user(self, user_id):
        # ModelBackend's: a person deactivated since they signed in loses their session too.
        return ModelBackend.get_user(self, user_id)


class AdminSignInView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: off the provider's discovered authorization endpoint."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")

    def get(self, request):
        if not oidc.admin_sso_configured():
            return HttpResponseRedirect(reverse("wagtailadmin_login"))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.endpoint("authorization_endpoint")
        except oidc.ProviderUnavailable:
            messages.error(request, UNAVAILABLE)
            return HttpResponseRedirect(reverse("wagtailadmin_login"))
        return super().get(request)


class AdminCallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: a refused sign-in goes back to the login page saying why."""

    @property
    def failure_url(self) -> str:
        return resolve_url(self.get_settings("LOGIN_REDIRECT_URL_FAILURE", "wagtailadmin_login"))

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this session never sent (a replayed or forged callback).
            logger.warning("OIDC admin callback with an unknown state")
            setattr(request, _REFUSAL, "This sign-in link has expired: start again.")
            return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, _REFUSAL, None)
        if reason is None and "error" in self.request.GET:
            reason = "The sign-in provider did not sign you in."
        messages.error(self.request, reason or "Single sign-on did not sign you in: start again.")
        return HttpResponseRedirect(self.failure_url)


def axes_ignores(request: HttpRequest | None, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: backend.signin's rule, and the SSO callback. Its code and state
    cannot be guessed (the provider checks the person), and its refusals carry no username: axes
    would count them per address alone and lock a whole office's address out of single sign-on."""
    if signin_axes_ignores(request, credentials):
        return True
    return request is not None and request.path == reverse("oidc_authentication_callback")


def sso_login(request: HttpRequest) -> dict:
    """Template context processor: the admin login page's "Sign in with single sign-on" link,
    only when the admin's single sign-on is configured."""
    if not oidc.admin_sso_configured():
        return {}
    return {"sso_sign_in_url": reverse("oidc_authentication_init")}
