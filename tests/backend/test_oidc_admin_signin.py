"""Single sign-on for the admin (/oidc/authenticate/ → the provider → /oidc/callback/), through the
loopback provider with Django's test client on our side and `requests` as the browser at the
provider: who gets into /cms/ and who is sent back to the login page saying why."""

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import Group

from backend import oidc
from tests.factories import LearnerFactory, UserFactory
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.django_db

ADMIN, SECRET = "micromoments-admin", "admin-secret-for-tests"
NO_ADMIN = "You do not have permission to access the admin"


@pytest.fixture
def provider():
    with OidcProvider(clients={ADMIN: SECRET}).running() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_AUDIENCE = ["micromoments-app"]
    settings.OIDC_RP_CLIENT_ID = ADMIN
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_CREATE_USERS = False
    return provider


@pytest.fixture
def author(db):
    user = UserFactory(username="ada", email="ada@example.com")
    user.groups.add(Group.objects.get(name="Authors"))
    return user


def approve_as(provider, email):
    provider.person = {"email": email, "email_verified": True}


def sso_sign_in(client, provider, query=""):
    """Start at our /oidc/authenticate/, let the provider approve, come back to the callback."""
    start = client.get(f"/oidc/authenticate/{query}")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    approved = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert approved.status_code == 302, approved.text
    back = approved.headers["Location"]
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def messages_on_login_page(client) -> str:
    return client.get("/cms/login/").content.decode()


def test_an_author_signs_in_to_the_admin_through_the_provider(client, sso, author):
    approve_as(sso, "ADA@example.com")
    response = sso_sign_in(client, sso)
    assert response.status_code == 302
    assert response["Location"] == "/cms/"
    assert client.session["_auth_user_id"] == str(author.pk)
    assert client.session["_auth_user_backend"] == "backend.oidc_admin.AdminOIDCBackend"
    assert client.get("/cms/").status_code == 200
    author.refresh_from_db()
    assert author.last_login is not None
    # The token endpoint was asked with the client's secret and PKCE; the endpoints came from
    # discovery, fetched once.
    assert sso.requests.count("/.well-known/openid-configuration") == 1
    assert "/token" in sso.requests
    assert "/userinfo" in sso.requests


def test_the_page_asked_for_is_where_the_sign_in_lands(client, sso, author):
    approve_as(sso, "ada@example.com")
    response = sso_sign_in(client, sso, "?next=/cms/pages/")
    assert response["Location"] == "/cms/pages/"


def test_a_learner_without_admin_access_is_sent_back_with_no_session(client, sso):
    LearnerFactory(user__username="dana", user__email="dana@example.com")
    approve_as(sso, "dana@example.com")
    response = sso_sign_in(client, sso)
    assert response.status_code == 302
    assert response["Location"] == "/cms/login/"
    assert "_auth_user_id" not in client.session
    assert NO_ADMIN in messages_on_login_page(client)
    assert client.get("/cms/").status_code == 302


def test_an_unknown_person_is_told_there_is_no_account(client, sso, author):
    approve_as(sso, "nobody@example.com")
    response = sso_sign_in(client, sso)
    assert response["Location"] == "/cms/login/"
    assert "_auth_user_id" not in client.session
    assert oidc.NO_ACCOUNT in messages_on_login_page(client)


def test_an_inactive_author_is_refused_like_an_unknown_person(client, sso, author):
    author.is_active = False
    author.save()
    approve_as(sso, "ada@example.com")
    sso_sign_in(client, sso)
    assert "_auth_user_id" not in client.session
    assert oidc.NO_ACCOUNT in messages_on_login_page(client)


def test_an_author_deactivated_after_signing_in_loses_the_session(client, sso, author):
    approve_as(sso, "ada@example.com")
    sso_sign_in(client, sso)
    author.is_active = False
    author.save()
    assert client.get("/cms/").status_code == 302


def test_an_id_token_for_another_client_or_sign_in_is_refused(client, sso, author):
    approve_as(sso, "ada@example.com")
    sso.token_claims = {"aud": "micromoments-app"}  # the app's audience is not the admin's
    sso_sign_in(client, sso)
    assert "_auth_user_id" not in client.session
    assert oidc.WRONG_AUDIENCE in messages_on_login_page(client)
    sso.token_claims = {"nonce": "another-sign-in"}
    sso_sign_in(client, sso)
    assert "_auth_user_id" not in client.session
    assert "(nonce)" in messages_on_login_page(client)


def test_a_replayed_or_forged_callback_signs_nobody_in(client, sso, author):
    approve_as(sso, "ada@example.com")
    start = client.get("/oidc/authenticate/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    forged = client.get("/oidc/callback/?code=whatever&state=not-ours")
    assert forged.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(back.removeprefix("http://testserver")).status_code == 302
    assert "_auth_user_id" in client.session
    client.logout()
    replay = client.get(back.removeprefix("http://testserver"))
    assert replay["Location"] == "/cms/login/"
    assert "_auth_user_id" not in client.session


def test_a_provider_that_cannot_be_reached_leaves_the_password_form(client, sso, author):
    sso.down = True
    response = client.get("/oidc/authenticate/")
    assert response["Location"] == "/cms/login/"
    assert "The sign-in provider cannot be reached" in messages_on_login_page(client)


def test_a_provider_failing_at_the_token_endpoint_is_said_so(client, sso, author):
    approve_as(sso, "ada@example.com")
    start = client.get("/oidc/authenticate/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    sso.down = True
    response = client.get(back.removeprefix("http://testserver"))
    assert response["Location"] == "/cms/login/"
    assert "_auth_user_id" not in client.session
    assert "The sign-in provider cannot be reached" in messages_on_login_page(client)


def test_the_admin_creates_nobody_even_when_the_app_may(client, sso, settings, django_user_model):
    settings.OIDC_CREATE_USERS = True
    approve_as(sso, "newcomer@example.com")
    sso_sign_in(client, sso)
    assert not django_user_model.objects.exists()
    assert oidc.NO_ACCOUNT in messages_on_login_page(client)


def test_refused_sso_sign_ins_do_not_lock_the_password_form(client, sso, author):
    LearnerFactory(user__username="dana", user__email="dana@example.com")
    approve_as(sso, "dana@example.com")
    for _ in range(7):
        # Never axes' 429 page: its count would have no username, only the (shared) address.
        assert sso_sign_in(client, sso)["Location"] == "/cms/login/"
    assert not AccessAttempt.objects.exists()
    response = client.post("/cms/login/", {"username": "ada", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(author.pk)
    assert not AccessAttempt.objects.filter(username="ada").exists()


def test_the_login_page_offers_single_sign_on_only_when_configured(client, settings, sso):
    page = client.get("/cms/login/?next=/cms/pages/").content.decode()
    assert "Sign in with single sign-on" in page
    assert 'href="/oidc/authenticate/?next=/cms/pages/"' in page
    settings.OIDC_ISSUER = ""
    assert "Sign in with single sign-on" not in client.get("/cms/login/").content.decode()
    assert client.get("/oidc/authenticate/")["Location"] == "/cms/login/"
