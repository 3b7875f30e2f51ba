"""POST/DELETE /api/v1/auth/token: opaque, hashed, expiring, revocable tokens, throttled sign-in."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from tests.factories import token_client

pytestmark = pytest.mark.django_db


def sign_in(client, username="dana", password="pw-for-tests", device_name="Dana's phone", **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "device_name": device_name},
        content_type="application/json",
        **extra,
    )


def test_sign_in_returns_an_opaque_token_stored_hashed(client, learner):
    response = sign_in(client)
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    stored = APIToken.objects.get(user=learner.user)
    assert stored.name == "Dana's phone"
    assert token not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == APIToken.hash_token(token)
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(
        minutes=1
    )


def test_the_token_opens_the_api_and_nothing_else_does(client, learner):
    token = sign_in(client).json()["token"]
    assert client.get("/api/v1/me").status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer wagtail_notatoken"}).status_code
        == 401
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "dana"


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/modules", "/api/v1/modules/1", "/api/v1/search?q=x"]
)
def test_every_endpoint_but_sign_in_needs_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")


def test_signing_out_revokes_only_the_token_used(learner):
    phone, tablet = (
        token_client(learner.user, device_name="phone"),
        token_client(learner.user, device_name="tablet"),
    )
    assert phone.delete("/api/v1/auth/token").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert tablet.get("/api/v1/me").status_code == 200


def test_signing_in_again_on_a_device_replaces_its_token(client, learner):
    first = sign_in(client).json()["token"]
    second = sign_in(client).json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    )


def test_a_token_unused_for_30_days_expires_and_use_slides_the_expiry(learner):
    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    APIToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(days=29)
    )
    assert api.get("/api/v1/me").status_code == 200  # used: the expiry slides forward
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)
    APIToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert api.get("/api/v1/me").status_code == 401


def test_a_wrong_password_is_401_with_a_message(client, learner):
    response = sign_in(client, password="wrong")
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."


def test_a_missing_field_is_422_naming_it(client, learner):
    response = client.post(
        "/api/v1/auth/token", {"username": "dana"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"password", "device_name"}


def test_repeated_failures_for_a_username_are_throttled_with_retry_after(client, learner, settings):
    settings.API_SIGNIN_FAILURES_PER_USERNAME = "3/15min"
    for _ in range(3):
        assert sign_in(client, password="wrong", REMOTE_ADDR="10.0.0.1").status_code == 401
    # From another address, with the right password: the username is locked for now.
    blocked = sign_in(client, REMOTE_ADDR="10.0.0.2")
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 15 * 60
    assert "Too many sign-in attempts" in blocked.json()["detail"]


def test_repeated_failures_from_one_address_are_throttled(
    client, learner, django_user_model, settings
):
    settings.API_SIGNIN_FAILURES_PER_ADDRESS = "4/15min"
    django_user_model.objects.create_user("other", password="pw-for-tests")
    for username in ("a", "b", "c", "d"):
        assert (
            sign_in(client, username=username, password="x", REMOTE_ADDR="10.0.0.9").status_code
            == 401
        )
    assert sign_in(client, username="other", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert sign_in(client, username="other", REMOTE_ADDR="10.0.0.10").status_code == 200


def test_successful_sign_ins_are_not_throttled(client, learner, settings):
    settings.API_SIGNIN_FAILURES_PER_USERNAME = "2/15min"
    for _ in range(5):
        assert sign_in(client).status_code == 200


def test_the_housekeeping_task_revokes_expired_tokens(learner):
    from backend.tasks import purge_expired_tokens

    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    APIToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert purge_expired_tokens.apply().get() == 1
    assert APIToken.objects.get(pk=token.pk).revoked_at is not None
    assert api.get("/api/v1/me").status_code == 401
