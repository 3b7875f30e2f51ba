"""The admin sign-in pages (/cms/login/, /django-admin/login/) under django-axes: five failures lock
out one (username, address) pair for 15 minutes with a 429 page; the person can still sign in from
elsewhere; the API's own sign-in is counted by its own throttles, not by axes."""

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every attempt here hashes a password; the production hasher costs about a second a time on
    # a busy test machine, and these tests are about counting, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


A, B = "198.51.100.1", "198.51.100.2"
LOGIN_PAGES = ["/cms/login/", "/django-admin/login/"]
PASSWORD = "boss-pw-for-tests"


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def log_in(client, url, password=PASSWORD, username="boss", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_five_wrong_passwords_lock_the_pair_out_with_a_429_page(client, boss, url):
    for _ in range(4):
        assert log_in(client, url, password="wrong", REMOTE_ADDR=A).status_code == 200
    locked = log_in(client, url, password="wrong", REMOTE_ADDR=A)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    page = locked.content.decode()
    assert "Too many failed sign-ins" in page
    assert "15 minutes" in page
    # Now the right password is refused too, from that address.
    again = log_in(client, url, REMOTE_ADDR=A)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="boss", ip_address=A).exists()


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_the_right_password_from_another_address_still_signs_in(client, boss, url):
    for _ in range(5):
        log_in(client, url, password="wrong", REMOTE_ADDR=A)
    assert log_in(client, url, REMOTE_ADDR=A).status_code == 429
    assert signed_in(log_in(client, url, REMOTE_ADDR=B))


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_locked_address_may_still_sign_in_as_someone_else(client, boss, django_user_model, url):
    django_user_model.objects.create_superuser("deputy", "deputy@example.com", PASSWORD)
    for _ in range(5):
        log_in(client, url, password="wrong", REMOTE_ADDR=A)
    assert signed_in(log_in(client, url, username="deputy", REMOTE_ADDR=A))


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_signing_in_after_fewer_failures_starts_the_count_again(client, boss, url):
    for _ in range(4):
        log_in(client, url, password="wrong", REMOTE_ADDR=A)
    assert signed_in(log_in(client, url, REMOTE_ADDR=A))
    client.logout()
    for _ in range(4):
        assert log_in(client, url, password="wrong", REMOTE_ADDR=A).status_code == 200
    assert signed_in(log_in(client, url, REMOTE_ADDR=A))


def test_by_default_a_forged_forwarded_for_buys_no_fresh_attempts(client, boss):
    for n in range(5):
        log_in(
            client,
            "/cms/login/",
            password="wrong",
            REMOTE_ADDR=A,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
    response = log_in(client, "/cms/login/", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert response.status_code == 429


def test_behind_one_proxy_the_last_hop_is_the_client(client, boss, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(5):
        log_in(
            client,
            "/cms/login/",
            password="wrong",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, {A}",
        )
    assert AccessAttempt.objects.get(username="boss").ip_address == A
    locked = log_in(client, "/cms/login/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=A)
    assert locked.status_code == 429
    assert signed_in(log_in(client, "/cms/login/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=B))


def test_a_forwarded_for_that_is_no_address_falls_back_to_the_peer(client, boss, settings):
    # What the last hop holds is a trusted proxy's word; if it is junk, the peer is the client.
    settings.TRUSTED_PROXY_COUNT = 1
    response = log_in(
        client, "/cms/login/", password="wrong", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR="not-an-ip"
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="boss").ip_address == A


# --- The API's sign-in is not counted twice -------------------------------------------------------


def api_sign_in(client, password, address):
    return client.post(
        "/api/v1/auth/token",
        {"username": "boss", "password": password, "device_name": "phone"},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_api_failures_do_not_lock_the_admin_login(client, boss):
    for _ in range(5):
        assert api_sign_in(client, "wrong", A).status_code == 401
    assert not AccessAttempt.objects.exists()
    assert signed_in(log_in(client, "/cms/login/", REMOTE_ADDR=A))


def test_an_admin_lockout_does_not_block_the_api(client, boss):
    for _ in range(5):
        log_in(client, "/cms/login/", password="wrong", REMOTE_ADDR=A)
    assert api_sign_in(client, PASSWORD, A).status_code == 200


# --- Sign-ins in code and in tests ----------------------------------------------------------------


def test_the_test_clients_login_and_a_requestless_authenticate_still_work(client, boss):
    from django.contrib.auth import authenticate

    assert client.login(username="boss", password=PASSWORD)
    assert authenticate(username="boss", password=PASSWORD) == boss
    assert authenticate(username="boss", password="wrong") is None
