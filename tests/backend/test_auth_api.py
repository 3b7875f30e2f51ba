"""POST/DELETE /api/v1/auth/token: opaque, hashed, expiring, revocable tokens; what sign-in accepts.

The sign-in throttles are in test_api_signin_throttle.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from tests.factories import LearnerFactory, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every attempt here hashes a password; the production hasher costs about a second a time on
    # a busy test machine, and these tests are about counting, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def test_an_expired_token_is_refused_every_time_and_never_touched(learner):
    # Wagtail's auth touched last_used_at before our expiry check: refused once, then alive again.
    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    APIToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at == long_ago


def test_a_token_never_used_expires_from_its_creation(learner):
    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    APIToken.objects.filter(pk=token.pk).update(
        last_used_at=None, created=timezone.now() - datetime.timedelta(days=31)
    )
    assert api.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me").status_code == 401
    assert APIToken.objects.get(pk=token.pk).last_used_at is None


def test_a_token_of_a_deactivated_person_is_refused(learner):
    api = token_client(learner.user)
    learner.user.is_active = False
    learner.user.save()
    assert api.get("/api/v1/me").status_code == 401


def test_changing_the_password_signs_out_every_device(client, learner):
    phone = token_client(learner.user, device_name="phone")
    tablet = token_client(learner.user, device_name="tablet")
    user = learner.user
    user.set_password("a-new-long-passphrase")
    user.save()
    assert phone.get("/api/v1/me").status_code == 401
    assert tablet.get("/api/v1/me").status_code == 401
    assert not APIToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert sign_in(client, password="pw-for-tests").status_code == 401
    token = sign_in(client, password="a-new-long-passphrase").json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_password_set_in_the_admin_signs_out_that_person_only(client, learner, django_user_model):
    other = LearnerFactory(user__username="other")
    dana_api, other_api = token_client(learner.user), token_client(other.user)
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pw-123")
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[learner.user.pk]),
        {
            "usable_password": "true",
            "password1": "Fresh-pass-4-dana",
            "password2": "Fresh-pass-4-dana",
        },
    )
    assert response.status_code == 302, response.content
    assert dana_api.get("/api/v1/me").status_code == 401
    assert other_api.get("/api/v1/me").status_code == 200


def test_other_saves_of_the_person_keep_their_tokens(learner):
    api = token_client(learner.user)
    user = learner.user
    user.first_name = "Dana"
    user.save()
    assert api.get("/api/v1/me").status_code == 200


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


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "da\u0000na"),
        ("password", "pw-for-tests\u0000"),
        ("device_name", "phone\u0000"),
        ("username", "dana\n"),
        ("username", "da\u001bna"),
        ("device_name", "phone\r\nX-Injected: 1"),
        ("device_name", "phone\u0085"),
    ],
)
def test_nul_and_control_characters_are_422_naming_the_field(client, learner, field, value):
    # A NUL reached PostgreSQL in the username lookup: a 500.
    body = {"username": "dana", "password": "pw-for-tests", "device_name": "phone", field: value}
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert field in response.json()["detail"]
    assert not APIToken.objects.exists()


@pytest.mark.parametrize("device_name", ["", "   ", "\u3000"])
def test_a_blank_device_name_is_422(client, learner, device_name):
    response = sign_in(client, device_name=device_name)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["device_name"]


def test_the_device_name_is_kept_without_surrounding_spaces(client, learner):
    assert sign_in(client, device_name="  Dana's phone ").status_code == 200
    assert APIToken.objects.get(user=learner.user).name == "Dana's phone"


def test_a_password_may_hold_any_other_character(client, learner):
    user = learner.user
    user.set_password("tab\there ünïcödé 🔑")
    user.save()
    assert sign_in(client, password="tab\there ünïcödé 🔑").status_code == 200


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


# --- The hot path: one read, and last use written at most hourly (issue 14) -------------------------


def test_the_token_check_is_one_read_and_no_write_within_the_hour(
    learner, django_assert_num_queries
):
    from tests.factories import LearnerFactory

    LearnerFactory(manager=learner.user)  # so is_manager has something to find
    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    recently = timezone.now() - datetime.timedelta(minutes=59)
    APIToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    # The token with its user, their learner profile and manager, and whether they manage anyone.
    with django_assert_num_queries(1):
        body = api.get("/api/v1/me").json()
    assert body["username"] == learner.user.username
    assert body["is_manager"] is True
    token.refresh_from_db()
    assert token.last_used_at == recently


def test_last_use_is_written_once_it_is_an_hour_old(learner, django_assert_num_queries):
    api = token_client(learner.user)
    token = APIToken.objects.get(user=learner.user)
    an_hour_ago = timezone.now() - datetime.timedelta(minutes=61)
    APIToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    with django_assert_num_queries(2):  # the read, then the one UPDATE
        assert api.get("/api/v1/me").json()["is_manager"] is False
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)


def test_a_user_with_no_learner_profile_is_still_404_after_the_one_read(db):
    from tests.factories import UserFactory

    api = token_client(UserFactory(username="author"))
    response = api.get("/api/v1/me")
    assert response.status_code == 404
    assert response.json()["detail"] == "This account has no learner profile."


def test_is_manager_in_the_one_read_follows_reports_of(learner):
    # learning's rule: a report whose account is deactivated has left the team.
    report = LearnerFactory(manager=learner.user)
    api = token_client(learner.user)
    assert api.get("/api/v1/me").json()["is_manager"] is True
    report.user.is_active = False
    report.user.save()
    assert api.get("/api/v1/me").json()["is_manager"] is False
