"""POST /api/v1/auth/token/oidc against a real OpenID Connect provider on loopback: the ID token
checks (signature, keys and their rotation, issuer, audience, lifetime, email), who is found, who is
created, and what an attacker learns (nothing about which emails exist)."""

import base64
import datetime
import hashlib
import hmac
import json
import socket

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.hashers import is_password_usable
from django.utils import timezone
from wagtail.models import APIToken

from backend import oidc
from learning.models import Learner
from tests.factories import LearnerFactory, UserFactory
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.django_db

APP = "micromoments-app"
DANA = {"email": "Dana.Lee@Example.com", "email_verified": True, "given_name": "Dana"}


@pytest.fixture
def provider():
    with OidcProvider(person=dict(DANA)).running() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_AUDIENCE = [APP]
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = []
    settings.OIDC_CREATE_USERS = False
    return provider


@pytest.fixture
def dana(db):
    return LearnerFactory(user__username="dana", user__email="dana.lee@example.com").user


def sign_in(client, id_token, device_name="Dana's phone", **extra):
    return client.post(
        "/api/v1/auth/token/oidc",
        {"id_token": id_token, "device_name": device_name},
        content_type="application/json",
        **extra,
    )


def refused(response, detail):
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": detail, "errors": []}
    return True


# --- Signing in -----------------------------------------------------------------------------------


def test_an_id_token_from_the_issuer_signs_in_like_a_password(client, sso, dana):
    response = sign_in(client, sso.id_token())
    assert response.status_code == 200
    body = response.json()
    stored = APIToken.objects.get(user=dana)
    assert stored.name == "Dana's phone"
    assert stored.key_hash == APIToken.hash_token(body["token"])
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(
        minutes=1
    )
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "dana"


def test_the_email_is_matched_whatever_its_case_and_the_sign_in_is_recorded(client, sso, dana):
    assert dana.last_login is None
    assert sso.person["email"] != dana.email  # Dana.Lee@Example.com, dana.lee@example.com
    assert sign_in(client, sso.id_token()).status_code == 200
    dana.refresh_from_db()
    assert timezone.now() - dana.last_login < datetime.timedelta(minutes=1)


def test_discovery_and_keys_are_fetched_once_for_many_sign_ins(client, sso, dana):
    for _ in range(3):
        assert sign_in(client, sso.id_token()).status_code == 200
    assert sso.requests.count("/.well-known/openid-configuration") == 1
    assert sso.jwks_fetches() == 1


def test_an_es256_key_signs_in_too(client, sso, dana):
    sso.add_key(alg="ES256")
    assert sign_in(client, sso.id_token()).status_code == 200


# --- Keys and their rotation ----------------------------------------------------------------------


def test_a_new_key_is_fetched_when_a_token_names_it_and_the_removed_one_is_refused(
    client, sso, dana
):
    assert sign_in(client, sso.id_token()).status_code == 200
    old, new = sso.rotate()
    assert sign_in(client, sso.id_token(key=new)).status_code == 200
    assert sso.jwks_fetches() == 2
    assert refused(sign_in(client, sso.id_token(key=old)), oidc.BAD_SIGNATURE)


def test_unknown_kids_refetch_the_keys_at_most_once_a_minute(client, sso, dana, settings):
    assert settings.OIDC_JWKS_REFETCH_SECONDS == 60
    assert sign_in(client, sso.id_token()).status_code == 200
    for n in range(10):
        forged = sso.id_token(headers={"kid": f"random-{n}"})
        assert refused(sign_in(client, forged), oidc.BAD_SIGNATURE)
    assert sso.jwks_fetches() == 2  # the first, and one refetch for all ten


def test_a_key_rotated_in_during_the_refetch_pause_is_taken_after_it(client, sso, dana, settings):
    settings.OIDC_JWKS_REFETCH_SECONDS = 0
    sign_in(client, sso.id_token(headers={"kid": "random"}))
    _, new = sso.rotate()
    assert sign_in(client, sso.id_token(key=new)).status_code == 200


# --- Each check -----------------------------------------------------------------------------------


def test_a_tampered_token_has_a_bad_signature(client, sso, dana):
    header, _, signature = sso.id_token().split(".")
    other_payload = sso.id_token(email="boss@example.com").split(".")[1]
    assert refused(sign_in(client, f"{header}.{other_payload}.{signature}"), oidc.BAD_SIGNATURE)


def test_a_key_the_issuer_does_not_publish_is_refused_under_any_kid(client, sso, dana):
    stranger = sso.add_key(publish=False)
    assert refused(sign_in(client, sso.id_token(key=stranger)), oidc.BAD_SIGNATURE)
    published = sso.keys[-1].kid
    impostor = sso.id_token(key=stranger, headers={"kid": published})
    assert refused(sign_in(client, impostor), oidc.BAD_SIGNATURE)


def test_an_unsigned_token_is_refused(client, sso, dana):
    unsigned = jwt.encode(sso.claims(), None, algorithm="none", headers={"kid": sso.keys[-1].kid})
    # The schema wants three non-empty parts: any signature stands in for none.
    assert refused(sign_in(client, unsigned + "c2ln"), oidc.BAD_SIGNATURE)


def test_the_public_key_as_an_hmac_secret_is_refused(client, sso, dana):
    key = sso.keys[-1]
    public_pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # PyJWT itself refuses to sign with a PEM as an HMAC secret: the JWS is built by hand.
    header = _b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(sso.claims()).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert refused(sign_in(client, f"{header}.{payload}.{_b64(mac)}"), oidc.BAD_SIGNATURE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_for_another_app_is_refused(client, sso, dana):
    assert refused(sign_in(client, sso.id_token(aud="someone-elses-app")), oidc.WRONG_AUDIENCE)


def test_several_audiences_need_ours_as_the_authorized_party(client, sso, dana):
    shared = [APP, "someone-elses-app"]
    assert refused(sign_in(client, sso.id_token(aud=shared)), oidc.WRONG_AUDIENCE)
    foreign = sso.id_token(aud=shared, azp="someone-elses-app")
    assert refused(sign_in(client, foreign), oidc.WRONG_AUDIENCE)
    assert sign_in(client, sso.id_token(aud=shared, azp=APP)).status_code == 200


def test_a_token_from_another_issuer_is_refused(client, sso, dana):
    assert refused(sign_in(client, sso.id_token(iss="https://evil.example.com")), oidc.WRONG_ISSUER)
    assert refused(sign_in(client, sso.id_token(iss=sso.issuer + "/")), oidc.WRONG_ISSUER)


def test_an_expired_token_is_refused_beyond_the_leeway(client, sso, dana):
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    late = sso.id_token(iat=now - 3600, exp=now - 90)
    assert refused(sign_in(client, late), oidc.EXPIRED)
    just_expired = sso.id_token(iat=now - 3600, exp=now - 30)  # within the 60 s leeway
    assert sign_in(client, just_expired).status_code == 200


def test_a_token_issued_in_the_future_is_refused_beyond_the_leeway(client, sso, dana):
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    assert refused(sign_in(client, sso.id_token(iat=now + 300)), oidc.NOT_YET_VALID)
    assert sign_in(client, sso.id_token(iat=now + 30)).status_code == 200


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "aud"])
def test_a_token_without_a_required_claim_is_refused(client, sso, dana, claim):
    response = sign_in(client, sso.id_token(**{claim: None}))
    assert response.status_code == 401
    assert response.json()["detail"] == oidc.MISSING_CLAIM.format(claim=claim)


@pytest.mark.parametrize("verified", [False, "false"])
def test_an_unverified_email_is_refused(client, sso, dana, verified):
    unverified = sso.id_token(email_verified=verified)
    assert refused(sign_in(client, unverified), oidc.EMAIL_NOT_VERIFIED)


def test_an_issuer_that_sends_no_email_verified_is_taken_at_its_word(client, sso, dana):
    # Entra ID sends none.
    assert sign_in(client, sso.id_token(email_verified=None)).status_code == 200


def test_a_token_without_an_email_is_refused(client, sso, dana):
    assert refused(sign_in(client, sso.id_token(email=None)), oidc.NO_EMAIL)


def test_only_the_allowed_email_domains_sign_in(client, sso, dana, settings):
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["corp.example.com"]
    assert refused(sign_in(client, sso.id_token()), oidc.DOMAIN_NOT_ALLOWED)
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["corp.example.com", "example.com"]
    assert sign_in(client, sso.id_token()).status_code == 200


# --- Who is found ---------------------------------------------------------------------------------


def test_an_unknown_and_an_inactive_person_are_refused_alike(client, sso, dana):
    stranger = sign_in(client, sso.id_token(email="nobody@example.com"))
    dana.is_active = False
    dana.save()
    inactive = sign_in(client, sso.id_token())
    assert refused(stranger, oidc.NO_ACCOUNT)
    assert refused(inactive, oidc.NO_ACCOUNT)
    assert stranger.content == inactive.content
    assert not APIToken.objects.exists()


def test_two_active_accounts_with_the_email_are_refused_not_guessed(client, sso, dana):
    UserFactory(username="dana-again", email="DANA.LEE@example.com")
    assert refused(sign_in(client, sso.id_token()), oidc.AMBIGUOUS)
    assert not APIToken.objects.exists()


def test_an_inactive_twin_does_not_make_the_active_account_ambiguous(client, sso, dana):
    UserFactory(username="dana-old", email="dana.lee@example.com", is_active=False)
    assert sign_in(client, sso.id_token()).status_code == 200


def test_nobody_is_created_by_signing_in_unless_allowed(client, sso, django_user_model):
    assert refused(sign_in(client, sso.id_token()), oidc.NO_ACCOUNT)
    assert not django_user_model.objects.exists()


def test_with_create_users_a_first_sign_in_creates_a_learner(
    client, sso, settings, django_user_model
):
    settings.OIDC_CREATE_USERS = True
    response = sign_in(client, sso.id_token(family_name="Lee"))
    assert response.status_code == 200
    user = django_user_model.objects.get()
    assert (user.username, user.email) == ("dana.lee@example.com", "Dana.Lee@Example.com")
    assert (user.first_name, user.last_name) == ("Dana", "Lee")
    assert not is_password_usable(user.password)
    assert user.last_login is not None
    assert Learner.objects.filter(user=user).exists()
    assert not user.is_staff
    assert not user.is_superuser
    # The second time, the same person.
    assert sign_in(client, sso.id_token()).status_code == 200
    assert django_user_model.objects.count() == 1


def test_with_create_users_a_deactivated_person_still_stays_out(client, sso, dana, settings):
    settings.OIDC_CREATE_USERS = True
    dana.is_active = False
    dana.save()
    assert refused(sign_in(client, sso.id_token()), oidc.NO_ACCOUNT)
    assert Learner.objects.count() == 1


# --- Configuration and the issuer's health --------------------------------------------------------


def test_without_an_issuer_single_sign_on_is_not_found(client, settings, provider, dana):
    settings.OIDC_ISSUER = ""
    settings.OIDC_AUDIENCE = [APP]
    response = sign_in(client, provider.id_token())
    assert response.status_code == 404
    assert response.json() == {"detail": "Single sign-on is not configured.", "errors": []}
    assert provider.requests == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_issuer_that_cannot_be_reached_is_503(client, sso, dana, settings):
    token = sso.id_token()
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    response = sign_in(client, token)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The sign-in provider cannot be reached: try again later.",
        "errors": [],
    }
    assert response["Retry-After"] == "30"


def test_an_issuer_answering_errors_is_503_and_its_recovery_signs_in(client, sso, dana):
    sso.down = True
    assert sign_in(client, sso.id_token()).status_code == 503
    sso.down = False
    assert sign_in(client, sso.id_token()).status_code == 200


def test_a_discovery_document_for_another_issuer_is_not_trusted(client, sso, dana, settings):
    settings.OIDC_ISSUER = sso.issuer + "/"  # discovery says it without the slash
    assert sign_in(client, sso.id_token(iss=sso.issuer + "/")).status_code == 503


# --- Hostile input and throttling -----------------------------------------------------------------


@pytest.mark.parametrize(
    "id_token",
    [
        "",
        "garbage",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln",
        "x\x00y.z.w",
        "a" * 20_000,
        "...",
        "é.é.é",
        12345,
        None,
        ["a.b.c"],
    ],
)
def test_garbage_is_refused_never_a_server_error(client, sso, dana, id_token):
    response = sign_in(client, id_token)
    assert response.status_code in (401, 422), response.content
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "dana\x00@example.com"},
        {"email": "not-an-address"},
        {"email": ["dana.lee@example.com"]},
        {"email": "x" * 300 + "@example.com"},
        {"exp": "tomorrow"},
        {"aud": {"app": APP}},
        {"iss": [None]},
        {"sub": 7},
    ],
)
def test_strange_claims_in_a_well_signed_token_are_refused_never_a_server_error(
    client, sso, dana, settings, claims
):
    settings.OIDC_CREATE_USERS = True
    response = sign_in(client, sso.id_token(**claims))
    assert response.status_code == 401, response.content


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ({"alg": ["RS256"]}, oidc.BAD_SIGNATURE),
        ({"alg": "HS256"}, oidc.BAD_SIGNATURE),
        ({"kid": 7}, oidc.MALFORMED),
        ({"kid": ["key-0"]}, oidc.MALFORMED),
    ],
)
def test_strange_headers_are_refused_never_a_server_error(client, sso, dana, header, detail):
    header_part = _b64(json.dumps({"alg": "RS256", "kid": "key-0", **header}).encode())
    _, payload, signature = sso.id_token().split(".")
    assert refused(sign_in(client, f"{header_part}.{payload}.{signature}"), detail)


def test_names_with_control_characters_are_cleaned_for_a_created_learner(
    client, sso, settings, django_user_model
):
    settings.OIDC_CREATE_USERS = True
    assert (
        sign_in(client, sso.id_token(given_name="Da\x00na", family_name="\x1bLee")).status_code
        == 200
    )
    user = django_user_model.objects.get()
    assert (user.first_name, user.last_name) == ("Dana", "Lee")


@pytest.mark.parametrize("device_name", ["", "   ", "phone\x00", "p" * 201])
def test_a_bad_device_name_is_422(client, sso, dana, device_name):
    response = sign_in(client, sso.id_token(), device_name=device_name)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "device_name"


def test_failed_sign_ins_are_throttled_per_address(client, sso, dana, settings):
    settings.API_OIDC_SIGNIN_FAILURES_PER_ADDRESS = "3/15min"
    expired = sso.id_token(exp=1, iat=0)
    for _ in range(3):
        assert sign_in(client, expired, REMOTE_ADDR="198.51.100.1").status_code == 401
    blocked = sign_in(client, sso.id_token(), REMOTE_ADDR="198.51.100.1")
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 15 * 60
    assert sign_in(client, sso.id_token(), REMOTE_ADDR="198.51.100.2").status_code == 200
    # Password sign-in from the throttled address keeps its own count.
    password = client.post(
        "/api/v1/auth/token",
        {"username": "dana", "password": "pw-for-tests", "device_name": "laptop"},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.1",
    )
    assert password.status_code == 200


def test_the_openapi_declares_each_answer(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/auth/token/oidc"][
        "post"
    ]
    assert operation["operationId"] == "auth_oidc_token"
    assert {"200", "401", "404", "422", "429", "503"} <= set(operation["responses"])
    assert "security" not in operation
    assert operation["responses"]["404"]["description"].startswith("Single sign-on is not")
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for status in ("401", "404", "503"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == error
