"""Single sign-on (OpenID Connect): the issuer's discovery document and keys, ID token checks, and
the person an ID token names. Shared by POST /auth/token/oidc (backend.oidc_api) and the admin's
authorization code flow (backend.oidc_admin).

Discovery and JWKS live in Django's cache (shared by every process) for OIDC_CACHE_SECONDS. A token
signed with a `kid` the cached JWKS lacks refetches it at once, but at most once per
OIDC_JWKS_REFETCH_SECONDS: random kids in forged tokens cannot make us hammer the issuer.
"""

import datetime
import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from learning.journeys import enrolment
from learning.models import Learner

logger = logging.getLogger(__name__)

# Asymmetric algorithms only: "none" and the HS family (whose "key" would be the public JWKS)
# never verify anything. Each algorithm with the key type (and curve) its JWK must have.
ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
}
MAX_EMAIL_LENGTH = 254  # Django's EmailField, and RFC 5321's path limit
USERNAME_LENGTH = 150  # a created learner's username is their email


class SignInRefused(Exception):
    """The ID token or the person it names does not sign in; the message says which check failed
    (never whether an email address has an account)."""


class ProviderUnavailable(Exception):
    """The issuer (discovery, JWKS, token or userinfo endpoint) did not answer usably."""


# The messages clients see; tests compare them.
BAD_SIGNATURE = "The ID token's signature is not valid."
MALFORMED = "The ID token is not a well-formed JWT."
WRONG_AUDIENCE = "The ID token is not for this app (audience)."
WRONG_ISSUER = "The ID token is from another issuer."
EXPIRED = "The ID token has expired."
NOT_YET_VALID = "The ID token is not valid yet (issued in the future)."
MISSING_CLAIM = "The ID token lacks a required claim ({claim})."
NO_EMAIL = "The ID token carries no email address."
EMAIL_NOT_VERIFIED = "The ID token's email address is not verified by the issuer."
DOMAIN_NOT_ALLOWED = "Single sign-on is not open to this email domain."
NO_ACCOUNT = "No active account for this sign-in."
AMBIGUOUS = "Several active accounts have this email address (ambiguous): ask an administrator."


def app_sso_configured() -> bool:
    """POST /auth/token/oidc works: an issuer and the app's client ids."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_AUDIENCE)


def admin_sso_configured() -> bool:
    """The admin's "Sign in with single sign-on" works: an issuer and the admin's own client."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


# --- The issuer's documents -----------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"oidc_{kind}_{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def fetch_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("OIDC: %s did not answer usably: %s", url, exc)
        raise ProviderUnavailable(url) from exc
    if not isinstance(document, dict):
        logger.warning("OIDC: %s answered with JSON that is not an object", url)
        raise ProviderUnavailable(url)
    return document


def discovery() -> dict:
    """The issuer's discovery document, from the cache or the issuer.

    Its `issuer` must be OIDC_ISSUER exactly (OpenID Connect Discovery §4.3): a configured issuer
    with a stray trailing slash fails here, loudly in the log, not as every token's wrong `iss`.
    """
    issuer = settings.OIDC_ISSUER
    key = _key("discovery", issuer)
    document = cache.get(key)
    if document is None:
        document = fetch_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        if document.get("issuer") != issuer or not isinstance(document.get("jwks_uri"), str):
            logger.error(
                "OIDC: the discovery document names issuer %r (OIDC_ISSUER is %r) or no jwks_uri",
                document.get("issuer"),
                issuer,
            )
            raise ProviderUnavailable(issuer)
        cache.set(key, document, settings.OIDC_CACHE_SECONDS)
    return document


def endpoint(name: str) -> str:
    """One endpoint of the discovery document (authorization_endpoint, token_endpoint, …)."""
    url = discovery().get(name)
    if not isinstance(url, str) or not url:
        logger.error("OIDC: the discovery document has no %s", name)
        raise ProviderUnavailable(name)
    return url


def _jwks(*, unknown_kid: bool = False) -> list[dict]:
    """The issuer's keys. `unknown_kid`: a token named a key the cached set lacks, so fetch again
    (a rotation), unless another request did so less than OIDC_JWKS_REFETCH_SECONDS ago."""
    uri = discovery()["jwks_uri"]
    key = _key("jwks", uri)
    keys = cache.get(key)
    if keys is not None and unknown_kid:
        # cache.add is atomic (Redis SET NX): one refetch per window across all processes.
        if not cache.add(_key("jwks_refetch", uri), 1, settings.OIDC_JWKS_REFETCH_SECONDS):
            return keys
        keys = None
    if keys is None:
        document = fetch_json(uri)
        keys = [k for k in document.get("keys", []) if isinstance(k, dict)]
        cache.set(key, keys, settings.OIDC_CACHE_SECONDS)
    return keys


def _usable(jwk: dict, alg: str) -> bool:
    kty, crv = ALGORITHMS[alg]
    return (
        jwk.get("kty") == kty
        and (crv is None or jwk.get("crv") == crv)
        and jwk.get("alg", alg) == alg
        and jwk.get("use", "sig") == "sig"
    )


def _signing_key(header: dict) -> jwt.PyJWK:
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in ALGORITHMS or not isinstance(kid, str | None):
        raise SignInRefused(BAD_SIGNATURE)

    def matching(keys: list[dict]) -> list[dict]:
        usable = [k for k in keys if _usable(k, alg)]
        if kid is None:
            # No kid is fine only where there is no choice to make.
            return usable if len(usable) == 1 else []
        return [k for k in usable if k.get("kid") == kid]

    found = matching(_jwks())
    if not found and kid is not None:
        found = matching(_jwks(unknown_kid=True))
    if len(found) != 1:
        raise SignInRefused(BAD_SIGNATURE)
    try:
        return jwt.PyJWK(found[0], algorithm=alg)
    except jwt.PyJWTError:
        logger.warning("OIDC: the issuer's key %r cannot be read", kid)
        raise SignInRefused(BAD_SIGNATURE) from None


# --- ID tokens ------------------------------------------------------------------------------------


def verify_id_token(id_token: str, *, audiences: list[str] | None = None) -> dict[str, Any]:
    """The claims of an ID token the configured issuer signed for one of `audiences` (the app's
    client ids by default), within its lifetime; SignInRefused says which check failed."""
    audiences = list(settings.OIDC_AUDIENCE if audiences is None else audiences)
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SignInRefused(MALFORMED) from None
    key = _signing_key(header)
    try:
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=[key.algorithm_name],
            audience=audiences,
            issuer=settings.OIDC_ISSUER,
            leeway=settings.OIDC_LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.InvalidSignatureError:
        raise SignInRefused(BAD_SIGNATURE) from None
    except jwt.ExpiredSignatureError:
        raise SignInRefused(EXPIRED) from None
    except jwt.ImmatureSignatureError:
        raise SignInRefused(NOT_YET_VALID) from None
    except jwt.InvalidAudienceError:
        raise SignInRefused(WRONG_AUDIENCE) from None
    except jwt.InvalidIssuerError:
        raise SignInRefused(WRONG_ISSUER) from None
    except jwt.MissingRequiredClaimError as exc:
        raise SignInRefused(MISSING_CLAIM.format(claim=exc.claim)) from None
    except jwt.PyJWTError:
        raise SignInRefused(MALFORMED) from None
    # OpenID Connect Core §3.1.3.7: with several audiences the authorized party must be ours too.
    # With one (Google's Android tokens: aud the web client, azp the Android one) it is not checked.
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") not in audiences:
        raise SignInRefused(WRONG_AUDIENCE)
    return claims


def checked_email(claims: dict[str, Any]) -> str:
    """The email address the claims prove, by the rules of both sign-ins: present, not marked
    unverified (Entra ID sends no `email_verified`: absent is accepted), in an allowed domain."""
    email = claims.get("email")
    if not isinstance(email, str) or len(email) > MAX_EMAIL_LENGTH:
        raise SignInRefused(NO_EMAIL)
    try:
        # Also keeps NUL and other controls (which PostgreSQL refuses in a query) out.
        validate_email(email)
    except ValidationError:
        raise SignInRefused(NO_EMAIL) from None
    # Google and Firebase have sent the string "false"; neither form may pass.
    if claims.get("email_verified") in (False, "false"):
        raise SignInRefused(EMAIL_NOT_VERIFIED)
    domain = email.rsplit("@", 1)[1].lower()
    if settings.OIDC_ALLOWED_EMAIL_DOMAINS and domain not in settings.OIDC_ALLOWED_EMAIL_DOMAINS:
        raise SignInRefused(DOMAIN_NOT_ALLOWED)
    return email


# --- The person -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user: Any
    created: bool


def person_for(
    claims: dict[str, Any], *, now: datetime.datetime, may_create: bool = True
) -> Person:
    """The one active user with the claims' email (case-insensitive). With OIDC_CREATE_USERS (and
    `may_create`), a new learner when nobody, active or not, has it: a deactivated person stays out.

    Unknown and inactive answer the same, so a refusal tells nothing about which emails exist.
    """
    email = checked_email(claims)
    User = get_user_model()
    active = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(active) > 1:
        raise SignInRefused(AMBIGUOUS)
    if active:
        return Person(active[0], created=False)
    if (
        not (settings.OIDC_CREATE_USERS and may_create)
        or len(email) > USERNAME_LENGTH
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise SignInRefused(NO_ACCOUNT)
    return Person(_create_learner(email, claims, now=now), created=True)


def _create_learner(email: str, claims: dict[str, Any], *, now: datetime.datetime):
    """As import_learners creates people: the lowercased email as username, an unusable password
    (SSO is their way in, until they set one), a Learner profile, enrolled where they belong."""
    User = get_user_model()

    def name(claim: str) -> str:
        value = claims.get(claim)
        if not isinstance(value, str):
            return ""
        return "".join(c for c in value if unicodedata.category(c) not in {"Cc", "Cs"}).strip()[
            :150
        ]

    try:
        with transaction.atomic():
            user = User.objects.create(
                username=email.lower(),
                email=email,
                first_name=name("given_name"),
                last_name=name("family_name"),
                password=make_password(None),
            )
            learner = Learner.objects.create(user=user)
    except IntegrityError:
        # The username is someone else's (or two first sign-ins raced): not ours to take.
        raise SignInRefused(NO_ACCOUNT) from None
    enrolment.enrol_in_matching_events([learner.pk], today=now.date())
    logger.info("OIDC: created learner %s on first sign-in", user.pk)
    return user
