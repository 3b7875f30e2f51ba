"""POST /api/v1/auth/token under attack: failures throttled per (username, address), per username
and per address, with the client's address read as far as TRUSTED_PROXY_COUNT allows."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every attempt here hashes a password; the production hasher costs about a second a time on
    # a busy test machine, and these tests are about counting, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


A, B = "198.51.100.1", "198.51.100.2"


def sign_in(client, username="dana", password="pw-for-tests", **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "device_name": "phone"},
        content_type="application/json",
        **extra,
    )


def test_five_failures_lock_that_address_out_for_that_username(client, learner):
    for _ in range(5):
        assert sign_in(client, password="wrong", REMOTE_ADDR=A).status_code == 401
    blocked = sign_in(client, REMOTE_ADDR=A)
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 15 * 60
    assert "Too many sign-in attempts" in blocked.json()["detail"]
    # Dana herself, elsewhere, is not locked out by whoever guessed from A.
    assert sign_in(client, REMOTE_ADDR=B).status_code == 200


def test_an_address_locked_for_one_username_may_still_sign_in_another(
    client, learner, django_user_model
):
    django_user_model.objects.create_user("other", password="pw-for-tests")
    for _ in range(5):
        sign_in(client, password="wrong", REMOTE_ADDR=A)
    assert sign_in(client, REMOTE_ADDR=A).status_code == 429
    assert sign_in(client, username="other", REMOTE_ADDR=A).status_code == 200


def test_one_address_cannot_use_up_the_per_username_limit(client, learner):
    # The old per-username limit (5) let anyone lock a known person out with 5 wrong passwords.
    for _ in range(60):
        assert sign_in(client, password="wrong", REMOTE_ADDR=A).status_code in (401, 429)
    assert sign_in(client, REMOTE_ADDR=B).status_code == 200


def test_a_guess_spread_over_many_addresses_is_caught_per_username(client, learner, settings):
    settings.API_SIGNIN_FAILURES_PER_USERNAME = "8/15min"
    for n in range(4):
        for _ in range(2):
            address = f"203.0.113.{n}"
            assert sign_in(client, password="wrong", REMOTE_ADDR=address).status_code == 401
    blocked = sign_in(client, REMOTE_ADDR="203.0.113.99")
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 15 * 60


def test_many_usernames_from_one_address_are_throttled(
    client, learner, django_user_model, settings
):
    settings.API_SIGNIN_FAILURES_PER_ADDRESS = "4/15min"
    django_user_model.objects.create_user("other", password="pw-for-tests")
    for username in ("a", "b", "c", "d"):
        assert sign_in(client, username=username, password="x", REMOTE_ADDR=A).status_code == 401
    assert sign_in(client, username="other", REMOTE_ADDR=A).status_code == 429
    assert sign_in(client, username="other", REMOTE_ADDR=B).status_code == 200


def test_signing_in_clears_the_typos_before_it(client, learner):
    for _ in range(4):
        assert sign_in(client, password="wrong", REMOTE_ADDR=A).status_code == 401
    assert sign_in(client, REMOTE_ADDR=A).status_code == 200
    for _ in range(4):
        assert sign_in(client, password="wrong", REMOTE_ADDR=A).status_code == 401
    assert sign_in(client, REMOTE_ADDR=A).status_code == 200


def test_successful_sign_ins_are_not_throttled(client, learner, settings):
    settings.API_SIGNIN_FAILURES_PER_USERNAME_ADDRESS = "2/15min"
    settings.API_SIGNIN_FAILURES_PER_USERNAME = "2/15min"
    for _ in range(5):
        assert sign_in(client, REMOTE_ADDR=A).status_code == 200


# --- Which address is the client's ----------------------------------------------------------------


def test_by_default_a_forged_forwarded_for_buys_no_fresh_attempts(client, learner, settings):
    # ninja's default read the whole X-Forwarded-For: a new header per request, a new counter.
    settings.API_SIGNIN_FAILURES_PER_ADDRESS = "4/15min"
    for n, username in enumerate(("a", "b", "c", "d")):
        forged = f"10.9.9.{n}"
        response = sign_in(
            client, username=username, password="x", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR=forged
        )
        assert response.status_code == 401
    blocked = sign_in(client, REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert blocked.status_code == 429


def test_behind_one_proxy_the_last_hop_is_the_client(client, learner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_SIGNIN_FAILURES_PER_ADDRESS = "4/15min"
    proxy = "10.0.0.1"
    for n, username in enumerate(("a", "b", "c", "d")):
        header = f"10.9.9.{n}, {A}"  # the left part is whatever the client sent
        response = sign_in(
            client, username=username, password="x", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=header
        )
        assert response.status_code == 401
    assert sign_in(client, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {A}").status_code == (
        429
    )
    # Another client through the same proxy is someone else.
    assert sign_in(client, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=B).status_code == 200


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer(client, learner, settings):
    # Fewer hops than proxies: the request did not come through them, so the header is the
    # client's own say.
    settings.TRUSTED_PROXY_COUNT = 2
    settings.API_SIGNIN_FAILURES_PER_ADDRESS = "4/15min"
    for n, username in enumerate(("a", "b", "c", "d")):
        response = sign_in(
            client,
            username=username,
            password="x",
            REMOTE_ADDR=A,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
        assert response.status_code == 401
    assert sign_in(client, REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR="10.9.9.77").status_code == 429
